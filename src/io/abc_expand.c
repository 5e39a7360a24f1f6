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
 *     next part of the order. */
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
int abc_expand_walk(const abc_tune *t, int expand, abc_visit_fn fn, void *user) {
    size_t n = t->n_items;
    if (!expand) {
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
