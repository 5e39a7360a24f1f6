/* abc_expand: ties, repeats, variant endings and parts, the way abc2midi plays
 * them by default (abcMIDI 4.x store.c and genmidi.c, read as a specification):
 *
 *  1. scan_for_missing_repeats: a || goes after the start of the first music
 *     line; in each section (the whole tune, or each part when the header has a
 *     P: order) whose first end repeat (:| or ::) has no |: before it, a |: is
 *     put at the section's start, so "A B :|" repeats from the anacrusis.
 *  2. tiefix: a tied note absorbs the next note of the same pitch that starts
 *     where it ends (or the same staff line when a bar line came between: the
 *     accidental carries across the bar); the absorbed note only keeps time.
 *  3. fixreps (only without a header P:): a :| or [1 or :: that follows no |:
 *     turns the last || (or the last :|, which becomes ::) into |:.
 *  4. writetrack's walk: |: saves the place, :| jumps back once (more when
 *     endings ask for it), [n plays on pass n and otherwise skips to the next
 *     :| |: || or [m, and with a header P: order every P: label jumps to the
 *     next part of the order.
 *
 * ABC_REPEATS_NOTTINGHAM plays a tune the way the Nottingham dataset's own MIDI
 * files have it (their converter writes music21's defaults: 1024 ticks per
 * quarter, a pitch-bend reset per track; the rules below were worked out from
 * the 1034 melody files, see tests/data/abc/nottingham_comparison.md):
 *
 *  - the tune is cut into measures at bar lines (the notes before the first bar
 *    line are measure 0); a |: marks the next measure, a :| the one it closes.
 *  - repeats expand innermost first, as music21's repeat Expander does: the
 *    first :| pairs with the last |: before it, or with measure 0 when there is
 *    none (so "A :| B :|" plays A A B A A B, pickup included), its span is
 *    written out twice (endings [1 [2 pick their pass) and its marks are gone,
 *    then the next :| is taken.
 *  - with body P: labels the header Y: order says which parts play, each part
 *    expanded on its own; without Y: only the first part plays. A header P:
 *    order is not used.
 *  - an anacrusis is padded with silence to a whole bar, and so is the last
 *    bar (the last chord symbol sounds to its end); a slash chord "G/b" is
 *    played without its bass note.
 *  - reading (abc_parse.c): R:hornpipe is played straight, and an accidental
 *    holds for its own note only, not to the end of the bar.
 *  - ties are not merged: the tied note is struck again. */
#include <stdlib.h>
#include <string.h>

#include "abc_internal.h"

static int insert_item(abc_parser *p, abc_tune *t, size_t at, int type) {
    if (t->n_items >= ABC_MAX_ITEMS) {
        return lj_fail(p->err, p->errlen, LJ_ERR_LIMIT, "%s: tune X:%d has more than %d items",
                       p->name, t->index, ABC_MAX_ITEMS);
    }
    if (t->n_items == t->cap_items) {
        size_t ncap = t->cap_items ? t->cap_items * 2 : 64;
        abc_item *ni = realloc(t->items, ncap * sizeof *ni);
        if (!ni) return lj_fail(p->err, p->errlen, LJ_ERR_NOMEM, "%s: out of memory", p->name);
        t->items = ni;
        t->cap_items = ncap;
    }
    memmove(t->items + at + 1, t->items + at, (t->n_items - at) * sizeof *t->items);
    abc_item *it = &t->items[at];
    memset(it, 0, sizeof *it);
    it->type = (uint8_t)type;
    it->aux = -1;
    it->len = abc_frac_make(0, 1);
    it->adv = abc_frac_make(0, 1);
    if (at + 1 < t->n_items + 1 && at > 0) {
        it->line = t->items[at - 1].line;
        it->col = t->items[at - 1].col;
    }
    t->n_items++;
    return LJ_OK;
}

/* Step 1. */
static int add_missing_start_repeats(abc_parser *p, abc_tune *t) {
    size_t first_line = 0;
    int have_line = 0;
    for (size_t i = 0; i < t->n_items; i++)
        if (t->items[i].type == ABC_MUSICLINE) {
            first_line = i;
            have_line = 1;
            break;
        }
    size_t section_start = 0;
    if (have_line) {
        int rc = insert_item(p, t, first_line + 1, ABC_DOUBLE_BAR);
        if (rc) return rc;
        section_start = first_line + 1;
    }
    /* positions where a |: goes (after the item at that index), in source order */
    size_t *at = NULL, n_at = 0, cap_at = 0;
    int found = 0;
    for (size_t i = 0; i < t->n_items; i++) {
        int ty = t->items[i].type;
        if (ty == ABC_PART && t->parts[0]) {
            found = 0;
            section_start = i;
        }
        if (ty == ABC_BAR_REP) found = 1;
        if ((ty == ABC_REP_BAR || ty == ABC_DOUBLE_REP) && !found) {
            if (n_at == cap_at) {
                size_t nc = cap_at ? cap_at * 2 : 8;
                size_t *na = realloc(at, nc * sizeof *na);
                if (!na) {
                    free(at);
                    return lj_fail(p->err, p->errlen, LJ_ERR_NOMEM, "%s: out of memory", p->name);
                }
                at = na;
                cap_at = nc;
            }
            at[n_at++] = section_start;
            found = 1;
        }
    }
    int rc = LJ_OK;
    for (size_t k = n_at; k-- > 0 && rc == LJ_OK;) rc = insert_item(p, t, at[k] + 1, ABC_BAR_REP);
    free(at);
    return rc;
}

static int is_bar(int ty) {
    return ty == ABC_SINGLE_BAR || ty == ABC_DOUBLE_BAR || ty == ABC_BAR_REP ||
           ty == ABC_REP_BAR || ty == ABC_DOUBLE_REP;
}

/* Joins note k (tied by the '-' at item j) to the note that starts where k ends. */
static void tie_one(abc_parser *p, abc_tune *t, const abc_frac *start, size_t *head, size_t k,
                    size_t j, int *of) {
    size_t n = t->n_items;
    size_t h = head[k] != (size_t)-1 ? head[k] : k;
    abc_frac end = abc_frac_add(start[k], t->items[k].in_chord ? t->items[k].len
                                                               : t->items[k].adv, of);
    int crossed_bar = 0;
    for (size_t q = j + 1; q < n; q++) {
        abc_item *it = &t->items[q];
        if (is_bar(it->type)) crossed_bar = 1;
        if (it->type != ABC_NOTE && it->type != ABC_REST) continue;
        int c = abc_frac_cmp(start[q], end);
        if (c > 0) break;
        if (c < 0 || it->type != ABC_NOTE || head[q] != (size_t)-1) continue;
        if (it->pitch == t->items[h].pitch ||
            (crossed_bar && it->pitchline == t->items[k].pitchline)) {
            t->items[h].len = abc_frac_add(t->items[h].len, it->len, of);
            it->type = ABC_REST; /* keeps its time step, sounds nothing */
            head[q] = h;
            return;
        }
    }
    p->line = t->items[j].line;
    abc_warn(p, t->items[j].col, "tie '-' finds no following note of the same pitch: read past");
}

/* Step 2. Positions in source order (no repeats) decide which note a tie joins. */
static int fix_ties(abc_parser *p, abc_tune *t) {
    size_t n = t->n_items;
    abc_frac *start = malloc((n ? n : 1) * sizeof *start);
    size_t *head = malloc((n ? n : 1) * sizeof *head); /* merged note -> sounding note */
    if (!start || !head) {
        free(start);
        free(head);
        return lj_fail(p->err, p->errlen, LJ_ERR_NOMEM, "%s: out of memory", p->name);
    }
    abc_frac now = abc_frac_make(0, 1);
    int of = 0;
    for (size_t i = 0; i < n; i++) {
        abc_item *it = &t->items[i];
        start[i] = now;
        head[i] = (size_t)-1;
        if ((it->type == ABC_NOTE || it->type == ABC_REST) && !it->in_chord)
            now = abc_frac_add(now, it->adv, &of);
        else if (it->type == ABC_CHORD_OFF)
            now = abc_frac_add(now, it->adv, &of);
    }
    int rc = LJ_OK;
    if (of) {
        rc = lj_fail(p->err, p->errlen, LJ_ERR_LIMIT, "%s: tune X:%d is too long or its note "
                     "lengths too complex", p->name, t->index);
        goto done;
    }
    for (size_t j = 0; j < n; j++) {
        if (t->items[j].type != ABC_TIE) continue;
        if (j > 0 && t->items[j - 1].type == ABC_CHORD_OFF) {
            /* "[CE]-": every note of the chord is tied (abc2midi patchup_chordtie) */
            size_t on = j - 1;
            while (on > 0 && t->items[on].type != ABC_CHORD_ON) on--;
            for (size_t k = on + 1; k < j - 1; k++)
                if (t->items[k].type == ABC_NOTE || head[k] != (size_t)-1)
                    tie_one(p, t, start, head, k, j, &of);
            continue;
        }
        /* the note before the tie (a merged note stands for its head) */
        size_t k = j;
        int ok = 0;
        while (k-- > 0) {
            int ty = t->items[k].type;
            if (ty == ABC_NOTE || ty == ABC_REST) {
                ok = ty == ABC_NOTE || head[k] != (size_t)-1;
                break;
            }
            if (ty == ABC_TIE) break;
        }
        if (!ok) {
            p->line = t->items[j].line;
            abc_warn(p, t->items[j].col, "tie '-' without a note before it: read past");
            continue;
        }
        tie_one(p, t, start, head, k, j, &of);
    }
    if (of)
        rc = lj_fail(p->err, p->errlen, LJ_ERR_LIMIT, "%s: tune X:%d: tied notes too long",
                     p->name, t->index);
done:
    free(start);
    free(head);
    return rc;
}

static int prepare_items(abc_parser *p, abc_tune *t);

/* Step 3. */
static void place_start_repeat(abc_parser *p, abc_tune *t, size_t j, size_t at) {
    abc_item *it = &t->items[j];
    p->line = t->items[at].line;
    switch (it->type) {
    case ABC_SINGLE_BAR:
    case ABC_DOUBLE_BAR: it->type = ABC_BAR_REP; break;
    case ABC_REP_BAR: it->type = ABC_DOUBLE_REP; break;
    default: abc_warn(p, t->items[at].col, "too many end repeats"); return;
    }
    abc_warn(p, t->items[at].col, "end repeat without a start repeat: assuming one");
}

static void fix_repeats(abc_parser *p, abc_tune *t) {
    size_t rep_point = 0;
    int have_point = 0, expect = 0, nplays = 0;
    for (size_t j = 0; j < t->n_items; j++) {
        switch (t->items[j].type) {
        case ABC_DOUBLE_BAR:
            rep_point = j;
            have_point = 1;
            break;
        case ABC_BAR_REP:
            if (expect) {
                p->line = t->items[j].line;
                abc_warn(p, t->items[j].col, "|: after |: without :| between: taken as ::");
                t->items[j].type = ABC_DOUBLE_REP;
            }
            expect = 1;
            break;
        case ABC_REP_BAR:
            if (!expect && nplays < 1 && have_point) place_start_repeat(p, t, rep_point, j);
            expect = 0;
            rep_point = j;
            have_point = 1;
            break;
        case ABC_PLAY_ON_REP:
            if (nplays == 0 && !expect && have_point) place_start_repeat(p, t, rep_point, j);
            nplays++;
            break;
        case ABC_DOUBLE_REP:
            if (!expect && have_point) place_start_repeat(p, t, rep_point, j);
            expect = 1;
            break;
        default: break;
        }
    }
}

int abc_expand_prepare(abc_parser *p, abc_tune *t) {
    long line = p->line; /* warnings below point at items; the reader goes on after */
    int rc = prepare_items(p, t);
    p->line = line;
    return rc;
}

static int prepare_items(abc_parser *p, abc_tune *t) {
    if (abc_nottingham(p)) {
        /* the Nottingham files strike a tied note again (ties are not merged)
         * and play a slash chord "G/b" without its bass note, and the first
         * of two chord symbols written together */
        size_t out = 0;
        int chord_now = 0; /* 1: a chord symbol stands at the current time */
        for (size_t j = 0; j < t->n_items; j++) {
            abc_item *it = &t->items[j];
            if (it->type == ABC_GCHORD) {
                /* "E7""G": the first of chord symbols at one time sounds */
                if (chord_now) continue;
                chord_now = 1;
                it->aux = -1;
            } else if (((it->type == ABC_NOTE || it->type == ABC_REST) && !it->in_chord) ||
                       it->type == ABC_CHORD_OFF) {
                if (it->adv.num) chord_now = 0;
            }
            t->items[out++] = *it;
        }
        t->n_items = out;
        return LJ_OK;
    }
    int rc = add_missing_start_repeats(p, t);
    if (rc) return rc;
    rc = fix_ties(p, t);
    if (rc) return rc;
    if (!t->parts[0]) fix_repeats(p, t);
    else {
        /* the end marker that closes the last part (abc2midi finishfile) */
        rc = insert_item(p, t, t->n_items, ABC_PART);
        if (rc) return rc;
        t->items[t->n_items - 1].pitch = ' ';
    }
    return LJ_OK;
}

/* Step 4. */
static int walk_nottingham(const abc_tune *t, abc_visit_fn fn, void *user);

int abc_expand_walk(const abc_tune *t, abc_repeats mode, abc_visit_fn fn, void *user) {
    size_t n = t->n_items;
    if (mode == ABC_REPEATS_NOTTINGHAM) return walk_nottingham(t, fn, user);
    if (mode == ABC_REPEATS_AS_WRITTEN) {
        for (size_t j = 0; j < n; j++) {
            int rc = fn(user, &t->items[j], j);
            if (rc) return rc;
        }
        return LJ_OK;
    }
    size_t part_start[26];
    for (int k = 0; k < 26; k++) part_start[k] = (size_t)-1;
    for (size_t j = 0; j < n; j++)
        if (t->items[j].type == ABC_PART && t->items[j].pitch >= 'A' && t->items[j].pitch <= 'Z')
            part_start[t->items[j].pitch - 'A'] = j;
    size_t n_parts = strlen(t->parts), partno = (size_t)-1;
    size_t saved = 0, visits = 0;
    int pass = 1, maxpass = 2, expect = 0;
    for (size_t j = 0; j < n; j++) {
        if (++visits > ABC_MAX_PLAYED) return LJ_ERR_LIMIT;
        const abc_item *it = &t->items[j];
        switch (it->type) {
        case ABC_PART:
            if (n_parts) {
                /* go to the next part of the header order that the body defines */
                for (;;) {
                    partno = partno == (size_t)-1 ? 0 : partno + 1;
                    if (partno >= n_parts) break;
                    if (part_start[t->parts[partno] - 'A'] != (size_t)-1) break;
                }
                if (partno >= n_parts) return LJ_OK;
                j = part_start[t->parts[partno] - 'A'];
            }
            break;
        case ABC_BAR_REP:
            saved = j;
            expect = 1;
            pass = 1;
            maxpass = 2;
            break;
        case ABC_REP_BAR:
            if (pass == 1) {
                if (expect) {
                    pass++;
                    j = saved;
                    expect = 0;
                }
            } else if (pass < maxpass) {
                expect = 0;
                pass++;
                j = saved;
            }
            break;
        case ABC_PLAY_ON_REP: {
            int passnum = (expect || pass > 1) ? pass : 1;
            if (passnum > ABC_MAX_VARIANT || !(it->a & ((int32_t)1 << passnum))) {
                j++;
                while (j < n) {
                    int ty = t->items[j].type;
                    if (ty == ABC_REP_BAR || ty == ABC_BAR_REP || ty == ABC_PART ||
                        ty == ABC_DOUBLE_BAR || ty == ABC_PLAY_ON_REP)
                        break;
                    j++;
                }
                if (j < n && t->items[j].type == ABC_PART) j--;
            } else if (maxpass < 4) {
                maxpass = pass + 1;
            }
            break;
        }
        case ABC_DOUBLE_REP:
            if (pass > 1) {
                expect = 1;
                saved = j;
                pass = 1;
                maxpass = 2;
            } else if (!expect) {
                expect = 1;
                saved = j;
                pass = 1;
            } else {
                j = saved;
                pass++;
            }
            break;
        default: {
            int rc = fn(user, it, j);
            if (rc) return rc;
            break;
        }
        }
    }
    return LJ_OK;
}

/* ================================================= the Nottingham convention */

/* One measure of the source: the items between two bar lines. */
typedef struct nt_measure {
    size_t from, to;  /* items [from, to) of the tune, bar lines excluded */
    uint32_t ending;  /* variant mask (bit n: pass n) when inside an ending, else 0 */
    uint8_t starts;   /* |: (or ::) on its left: count */
    uint8_t ends;     /* 1: :| (or ::) on its right */
    uint8_t closes;   /* 1: its right bar line ends an ending (:| :: || |]) */
} nt_measure;

/* One measure in the play sequence, with the repeat marks it still carries. */
typedef struct nt_ref {
    uint32_t m;      /* index into the measure table */
    uint32_t ending; /* variant mask of an ending not yet expanded, else 0 */
    uint8_t starts;  /* |: marks not yet expanded */
    uint8_t ends;    /* 1: :| not yet expanded */
} nt_ref;

typedef struct nt_state {
    const abc_tune *t;
    nt_measure *ms; size_t n_ms, cap_ms; /* measure table (all sections) */
    nt_ref *seq; size_t n_seq, cap_seq;  /* play sequence being built */
    nt_ref *tmp; size_t cap_tmp;         /* scratch for one expansion */
    size_t played;                       /* items the sequence plays (limit check) */
} nt_state;

static int grow(void **buf, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return LJ_OK;
    size_t nc = *cap ? *cap : 64;
    while (nc < need) nc *= 2;
    void *nb = realloc(*buf, nc * elem);
    if (!nb) return LJ_ERR_NOMEM;
    *buf = nb;
    *cap = nc;
    return LJ_OK;
}

static int is_bar_type(int ty) {
    return ty == ABC_SINGLE_BAR || ty == ABC_DOUBLE_BAR || ty == ABC_BAR_REP ||
           ty == ABC_REP_BAR || ty == ABC_DOUBLE_REP;
}

static int add_measure(nt_state *st, size_t from, size_t to, uint32_t ending, int starts,
                       int ends, int closes) {
    if (grow((void **)&st->ms, &st->cap_ms, st->n_ms + 1, sizeof *st->ms)) return LJ_ERR_NOMEM;
    nt_measure *m = &st->ms[st->n_ms++];
    m->from = from;
    m->to = to;
    m->ending = ending;
    m->starts = (uint8_t)starts;
    m->ends = (uint8_t)ends;
    m->closes = (uint8_t)closes;
    return LJ_OK;
}

static int takes_time(const abc_item *it) {
    return ((it->type == ABC_NOTE || it->type == ABC_REST) && !it->in_chord) ||
           it->type == ABC_CHORD_OFF;
}

/* Cuts items [a, b) into measures appended to the table; *first gets the index
 * of the section's first measure. An ending [2 in the middle of a bar starts a
 * measure of its own (the bar's first notes, or an M: before it, are common to
 * both passes). */
static int cut_measures(nt_state *st, size_t a, size_t b, size_t *first) {
    const abc_item *it = st->t->items;
    *first = st->n_ms;
    uint32_t open_ending = 0;
    int pending_starts = 0, timed = 0; /* timed: the open measure holds more than line starts */
    size_t from = a;
    for (size_t j = a; j <= b; j++) {
        int ty = j < b ? it[j].type : ABC_SINGLE_BAR; /* the section's end closes its bar */
        if (j < b && ty == ABC_PLAY_ON_REP) {
            if (timed) {
                if (add_measure(st, from, j, open_ending, pending_starts, 0, 0))
                    return LJ_ERR_NOMEM;
                pending_starts = 0;
                timed = 0;
                from = j;
            }
            open_ending = (uint32_t)it[j].a;
            continue;
        }
        if (j < b && !is_bar_type(ty)) {
            timed |= ty != ABC_MUSICLINE; /* an M: or K: before [1 is common to all passes */
            continue;
        }
        if (j < b && ty == ABC_DOUBLE_BAR && j > a && it[j - 1].type == ABC_REP_BAR &&
            it[j - 1].line == it[j].line && it[j - 1].col + 2 == it[j].col)
            ty = ABC_BAR_REP; /* ":|:" (read as :| and a dotted bar) is :| |: here */
        int ends = ty == ABC_REP_BAR || ty == ABC_DOUBLE_REP;
        int closes = ends || ty == ABC_DOUBLE_BAR || ty == ABC_BAR_REP;
        if (add_measure(st, from, j, open_ending, pending_starts, ends, closes))
            return LJ_ERR_NOMEM;
        if (closes) open_ending = 0;
        pending_starts = (ty == ABC_BAR_REP || ty == ABC_DOUBLE_REP) ? 1 : 0;
        timed = 0;
        from = j + 1;
    }
    return LJ_OK;
}

/* Duration of a measure in whole notes (what moves time on). */
static abc_frac measure_length(const abc_tune *t, const nt_measure *m, int *of) {
    abc_frac d = abc_frac_make(0, 1);
    for (size_t j = m->from; j < m->to; j++)
        if (takes_time(&t->items[j])) d = abc_frac_add(d, t->items[j].adv, of);
    return d;
}

static int highest_pass(uint32_t mask) {
    int h = 0;
    for (int k = 1; k <= ABC_MAX_VARIANT; k++)
        if (mask & ((uint32_t)1 << k)) h = k;
    return h;
}

/* Expands the repeats of seq[lo, n_seq) innermost first (music21's Expander):
 * the first :| pairs with the last |: before it or with seq[lo]; the span, with
 * the endings that follow it, is written out once per pass. */
static int expand_repeats(nt_state *st, size_t lo) {
    /* seq[lo, scan) holds no :| any more: what is written out has its :| cleared.
     * Resuming the search there keeps a tune of n repeats linear, not n^2 (a
     * fuzzer's 8,600 ':||:' took over 10 s). */
    size_t scan = lo;
    for (;;) {
        size_t e = scan;
        while (e < st->n_seq && !st->seq[e].ends) e++;
        if (e >= st->n_seq) return LJ_OK;
        size_t s = e + 1;
        while (s-- > lo)
            if (st->seq[s].starts) break;
        if (s == (size_t)-1 || s < lo) s = lo;
        /* the endings after the :| belong to this repeat: [e+1, g) */
        size_t g = e + 1;
        while (g < st->n_seq && st->seq[g].ending && !st->seq[g].starts) {
            int last = st->seq[g].ends || st->ms[st->seq[g].m].closes;
            g++;
            if (last && !(g < st->n_seq && st->seq[g].ending)) break;
        }
        if (!st->seq[e].ending) g = e + 1; /* plain repeat: no endings follow */
        int passes = 2;
        for (size_t k = s; k < g; k++) {
            int h = highest_pass(st->seq[k].ending);
            if (h > passes) passes = h;
        }
        /* write the passes into tmp */
        size_t n_tmp = 0;
        for (int pass = 1; pass <= passes; pass++) {
            for (size_t k = s; k < g; k++) {
                uint32_t en = st->seq[k].ending;
                if (en && !(en & ((uint32_t)1 << pass))) continue;
                if (grow((void **)&st->tmp, &st->cap_tmp, n_tmp + 1, sizeof *st->tmp))
                    return LJ_ERR_NOMEM;
                nt_ref r = st->seq[k];
                r.ending = 0; /* chosen: an outer repeat plays it as it is now */
                if (k == s && r.starts) r.starts--;
                if (k >= e) r.ends = 0; /* this repeat's :| and its endings' :| are done */
                st->tmp[n_tmp++] = r;
                st->played += st->ms[r.m].to - st->ms[r.m].from;
                if (st->played > ABC_MAX_PLAYED) return LJ_ERR_LIMIT;
            }
        }
        /* seq = seq[0, s) + tmp + seq[g, n) */
        size_t tail = st->n_seq - g;
        if (grow((void **)&st->seq, &st->cap_seq, s + n_tmp + tail, sizeof *st->seq))
            return LJ_ERR_NOMEM;
        memmove(st->seq + s + n_tmp, st->seq + g, tail * sizeof *st->seq);
        memcpy(st->seq + s, st->tmp, n_tmp * sizeof *st->tmp);
        st->n_seq = s + n_tmp + tail;
        scan = s + n_tmp;
    }
}

/* Appends the measures [first, last) as one section and expands its repeats. */
static int play_section(nt_state *st, size_t first, size_t last) {
    size_t lo = st->n_seq;
    if (grow((void **)&st->seq, &st->cap_seq, lo + (last - first), sizeof *st->seq))
        return LJ_ERR_NOMEM;
    for (size_t k = first; k < last; k++) {
        nt_ref r = {(uint32_t)k, st->ms[k].ending, st->ms[k].starts, st->ms[k].ends};
        st->seq[st->n_seq++] = r;
        st->played += st->ms[k].to - st->ms[k].from;
        if (st->played > ABC_MAX_PLAYED) return LJ_ERR_LIMIT;
    }
    return expand_repeats(st, lo);
}

static int section_has_time(const nt_state *st, size_t first, size_t last) {
    for (size_t k = first; k < last; k++)
        for (size_t j = st->ms[k].from; j < st->ms[k].to; j++)
            if (takes_time(&st->t->items[j])) return 1;
    return 0;
}

static int build_sequence(nt_state *st) {
    const abc_tune *t = st->t;
    size_t n = t->n_items;
    /* sections: the items before the first P: label, then one per label */
    size_t starts[27], n_sec = 0;
    int label[27];
    starts[n_sec] = 0;
    label[n_sec++] = 0;
    for (size_t j = 0; j < n; j++)
        if (t->items[j].type == ABC_PART && t->items[j].pitch >= 'A' &&
            t->items[j].pitch <= 'Z') {
            if (n_sec == 27) break; /* more labels than letters: the rest joins the last */
            starts[n_sec] = j + 1;
            label[n_sec++] = t->items[j].pitch;
        }
    size_t first_m[28];
    for (size_t k = 0; k < n_sec; k++) {
        size_t end = k + 1 < n_sec ? starts[k + 1] - 1 : n; /* up to the next P: item */
        int rc = cut_measures(st, starts[k], end, &first_m[k]);
        if (rc) return rc;
    }
    first_m[n_sec] = st->n_ms;
    if (n_sec == 1 && t->play_order[0] && strlen(t->parts) == 1) {
        /* "P:A" above K: with Y:AA: the header names the body's one part */
        label[0] = t->parts[0];
    }
    if (!t->play_order[0] || (n_sec == 1 && !label[0])) {
        /* no part sequence: the first section that has music, alone (the
         * fields before it still apply) */
        size_t k = 0;
        while (k + 1 < n_sec && !section_has_time(st, first_m[k], first_m[k + 1])) k++;
        return play_section(st, first_m[0], first_m[k + 1]);
    }
    int rc = play_section(st, first_m[0], first_m[label[0] ? 0 : 1]); /* fields before P: */
    if (rc) return rc;
    for (const char *o = t->play_order; *o; o++) {
        /* a label defined twice plays its first definition */
        for (size_t k = 0; k < n_sec; k++)
            if (label[k] && label[k] == *o) {
                rc = play_section(st, first_m[k], first_m[k + 1]);
                if (rc) return rc;
                break;
            }
    }
    return LJ_OK;
}

/* The silence that pads an anacrusis to a whole bar: the first measure that
 * takes time, when it is shorter than a bar of the meter in force there (an M:
 * may follow K:). Zero when there is none. */
static abc_frac anacrusis_pad(const nt_state *st) {
    const abc_tune *t = st->t;
    int num = t->meter_num, den = t->meter_den, of = 0;
    for (size_t k = 0; k < st->n_seq; k++) {
        const nt_measure *m = &st->ms[st->seq[k].m];
        for (size_t j = m->from; j < m->to; j++)
            if (t->items[j].type == ABC_METER) {
                num = t->items[j].a;
                den = t->items[j].b;
            }
        abc_frac d = measure_length(t, m, &of);
        if (d.num == 0) continue;
        if (of || num <= 0 || den <= 0) break;
        abc_frac bar = abc_frac_make(num, den);
        if (abc_frac_cmp(d, bar) >= 0) break;
        abc_frac pad = abc_frac_add(bar, abc_frac_make(-d.num, d.den), &of);
        return of ? abc_frac_make(0, 1) : pad;
    }
    return abc_frac_make(0, 1);
}

/* Visits the items of one measure (bar lines, endings and labels are done). */
static int visit_measure(const abc_tune *t, const nt_measure *m, abc_visit_fn fn, void *user) {
    int rc = LJ_OK;
    for (size_t j = m->from; j < m->to && rc == LJ_OK; j++) {
        int ty = t->items[j].type;
        if (ty == ABC_PLAY_ON_REP || ty == ABC_PART || is_bar_type(ty)) continue;
        rc = fn(user, &t->items[j], j);
    }
    return rc;
}

static int walk_nottingham(const abc_tune *t, abc_visit_fn fn, void *user) {
    nt_state st;
    memset(&st, 0, sizeof st);
    st.t = t;
    int rc = build_sequence(&st);
    abc_frac pad = abc_frac_make(0, 1);
    if (rc == LJ_OK) {
        pad = anacrusis_pad(&st);
        if (pad.num > 0) {
            abc_item rest;
            memset(&rest, 0, sizeof rest);
            rest.type = ABC_REST;
            rest.aux = -1;
            rest.len = pad;
            rest.adv = pad;
            rc = fn(user, &rest, (size_t)-1);
        }
    }
    /* the last bar is filled to a whole bar of silence (the last chord symbol
     * sounds to the bar's end): time since the last M: change, padding
     * included, is brought to a whole number of bars */
    int num = t->meter_num, den = t->meter_den, of = 0;
    abc_frac since = pad;
    for (size_t k = 0; k < st.n_seq && rc == LJ_OK; k++) {
        const nt_measure *m = &st.ms[st.seq[k].m];
        rc = visit_measure(t, m, fn, user);
        for (size_t j = m->from; j < m->to; j++) {
            if (t->items[j].type == ABC_METER) {
                num = t->items[j].a;
                den = t->items[j].b;
                since = abc_frac_make(0, 1);
            } else if (takes_time(&t->items[j])) {
                since = abc_frac_add(since, t->items[j].adv, &of);
            }
        }
    }
    if (rc == LJ_OK && !of && since.num > 0 && num > 0 && den > 0) {
        /* whole notes to the next bar line: bar - (since mod bar) */
        int64_t unit = since.den * (int64_t)den;          /* common denominator */
        int64_t pos = since.num * den, bar = (int64_t)num * since.den;
        int64_t rest_num = (bar - pos % bar) % bar;
        if (rest_num > 0) {
            abc_item rest;
            memset(&rest, 0, sizeof rest);
            rest.type = ABC_REST;
            rest.aux = -1;
            rest.len = abc_frac_make(rest_num, unit);
            rest.adv = rest.len;
            rc = fn(user, &rest, (size_t)-1);
        }
    }
    free(st.ms);
    free(st.seq);
    free(st.tmp);
    return rc;
}
