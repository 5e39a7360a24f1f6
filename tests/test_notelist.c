/* The note list reader (src/io/notelist.c): good lists give exactly the notes
 * written (onsets, lengths, pitches, chords, rests); bad lists give
 * LJ_ERR_PARSE with the column, the note and what was expected and found, and
 * no score; every allocation failing in turn gives LJ_ERR_NOMEM, no score and
 * no block left (tests/alloc_fail.h). */
#include "alloc_fail.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/notelist.h"

static int bad;

/* Reads text; expects the notes "onset:duration:pitch ..." (ticks) in order. */
static void good(const char *text, const char *want) {
    score *s;
    char err[256] = "", got[1024] = "";
    int rc = notelist_read(text, strlen(text), "--primer", &s, err, sizeof err);
    if (rc != LJ_OK || !s) {
        fprintf(stderr, "FAIL: '%s': status %d '%s'\n", text, rc, err);
        bad = 1;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->n_notes; i++) {
        const score_note *n = &s->notes[i];
        k += (size_t)snprintf(got + k, sizeof got - k, "%s%lld:%lld:%d", i ? " " : "", (long long)n->onset,
                              (long long)n->duration, n->pitch);
        if (n->velocity != 80 || n->channel != 0 || n->part != 0) bad = 1;
    }
    if (strcmp(got, want)) {
        fprintf(stderr, "FAIL: '%s': notes '%s', want '%s'\n", text, got, want);
        bad = 1;
    } else {
        printf("ok   '%s' -> %s\n", text, got);
    }
    score_destroy(s);
}

/* Reads text[0..len); expects LJ_ERR_PARSE, no score and exactly the message. */
static void wrong_n(const char *text, size_t len, const char *want) {
    score *s = (score *)1;
    char err[256] = "";
    int rc = notelist_read(text, len, "--primer", &s, err, sizeof err);
    if (rc != LJ_ERR_PARSE || s || strcmp(err, want)) {
        fprintf(stderr, "FAIL: '%.*s': status %d, score %p,\n  message '%s',\n  want    '%s'\n", (int)len, text, rc,
                (void *)s, err, want);
        bad = 1;
    } else {
        printf("ok   '%.*s' -> %s\n", (int)len, text, err);
    }
}
static void wrong(const char *text, const char *want) { wrong_n(text, strlen(text), want); }

static void pitch(const char *text, int want) {
    int got = notelist_parse_pitch(text, strlen(text));
    if (got != want) {
        fprintf(stderr, "FAIL: pitch '%s' = %d, want %d\n", text, got, want);
        bad = 1;
    }
}

int main(void) {
    good("C4", "0:480:60");
    good("  C4 E4:2 r:0.5 C4+E4+G4:2 60 ", "0:480:60 480:960:64 1680:960:60 1680:960:64 1680:960:67 2640:480:60");
    good("c4,d4\tbb3,E-4,F#2,Cb4,B#3,Ebb4,G9,0,127", "0:480:60 480:480:62 960:480:58 1440:480:63 1920:480:42 "
                                                    "2400:480:59 2880:480:60 3360:480:62 3840:480:127 4320:480:0 "
                                                    "4800:480:127");
    good("C4:.25 D4:64 E4:1.0 F4:007", "0:120:60 120:30720:62 30840:480:64 31320:3360:65");
    good("G4+C4+E4:0.3333", "0:160:60 0:160:64 0:160:67");
    good("r r:3 C4", "1920:480:60");

    wrong("C4+", "--primer: column 4 (note 1 'C4+'): expected a pitch after '+' (C4, F#3, Bb2, E-4 or a MIDI "
                 "number 0..127), found the end of the note");
    wrong("C4 E4+ G4", "--primer: column 7 (note 2 'E4+'): expected a pitch after '+' (C4, F#3, Bb2, E-4 or a MIDI "
                       "number 0..127), found the end of the note");
    wrong("C4 +E4", "--primer: column 4 (note 2 '+E4'): expected a pitch (C4, F#3, Bb2, E-4 or a MIDI number "
                    "0..127) or r, found '+'");
    wrong("C4 H4", "--primer: column 4 (note 2 'H4'): expected a pitch (C4, F#3, Bb2, E-4 or a MIDI number 0..127) "
                   "or r, found 'H'");
    wrong("C", "--primer: column 2 (note 1 'C'): expected an accidental (# b -) or the octave digit 0..9 after 'C', "
               "found the end of the note");
    wrong("C#b#4", "--primer: column 4 (note 1 'C#b#4'): expected (two accidentals at most) the octave digit 0..9 "
                   "after 'C#b', found '#'");
    good("C-1 Cb-1", "0:480:23 480:480:22"); /* '-' is always a flat (music21's E-4): C-1 is C flat 1 */
    good("Cbb0", "0:480:10"); /* the lowest name */
    wrong("C2 G#9", "--primer: column 4 (note 2 'G#9'): expected a pitch in MIDI's range 0..127, found 'G#9' = 128");
    wrong("C10", "--primer: column 3 (note 1 'C10'): expected '+', ':' or the end of the note after the pitch "
                 "'C1', found '0'");
    wrong("128", "--primer: column 1 (note 1 '128'): expected a pitch in MIDI's range 0..127, found '128' = 128");
    wrong("0060", "--primer: column 1 (note 1 '0060'): expected a MIDI number 0..127 (3 digits at most), found "
                  "'0060'");
    wrong("C4+60", "--primer: column 4 (note 1 'C4+60'): expected each pitch once in a chord, found '60' (MIDI 60) "
                   "again");
    wrong("C4:", "--primer: column 4 (note 1 'C4:'): expected a length in quarter notes after ':' (2, 0.5, .25), "
                 "found the end of the note");
    wrong("C4:x", "--primer: column 4 (note 1 'C4:x'): expected a length in quarter notes after ':' (2, 0.5, .25), "
                  "found 'x'");
    wrong("C4:-1", "--primer: column 4 (note 1 'C4:-1'): expected a length in quarter notes after ':' (2, 0.5, "
                   ".25), found '-'");
    wrong("C4:1e3", "--primer: column 5 (note 1 'C4:1e3'): expected a digit, '.' or the end of the note after the "
                    "length '1', found 'e'");
    wrong("C4:1.5.", "--primer: column 7 (note 1 'C4:1.5.'): expected a digit or the end of the note after the "
                     "length '1.5', found '.'");
    wrong("C4:2.", "--primer: column 6 (note 1 'C4:2.'): expected a digit after the length's '.', found the end of "
                   "the note");
    wrong("C4:0", "--primer: column 4 (note 1 'C4:0'): expected a length in quarter notes 0 < L <= 64, found '0'");
    wrong("C4:64.5", "--primer: column 4 (note 1 'C4:64.5'): expected a length in quarter notes 0 < L <= 64, found "
                     "'64.5'");
    wrong("C4:0.0001", "--primer: column 4 (note 1 'C4:0.0001'): expected a length of at least one tick (1/480 "
                       "quarter note), found '0.0001'");
    wrong("C4:0000000000000001", "--primer: column 4 (note 1 'C4:0000000000000001'): expected a length of 15 "
                                 "characters at most, found '000000000000000...'");
    wrong("r+C4", "--primer: column 2 (note 1 'r+C4'): expected ':' or the end of the note after r, found '+'");
    wrong("C4 rr", "--primer: column 5 (note 2 'rr'): expected ':' or the end of the note after r, found 'r'");
    wrong_n("C4\0E4", 5, "--primer: column 3 (note 1 'C4?E4'): expected '+', ':' or the end of the note after the "
                         "pitch 'C4', found byte 0x00");
    wrong("C4;E4", "--primer: column 3 (note 1 'C4;E4'): expected '+', ':' or the end of the note after the pitch "
                   "'C4', found ';'");
    wrong("", "--primer: column 1: expected at least one note (\"C4 E4 G4:2\"), found an empty list");
    wrong(" , ", "--primer: column 4: expected at least one note (\"C4 E4 G4:2\"), found an empty list");
    wrong("r r:2", "--primer: column 6: expected at least one note (\"C4 E4 G4:2\"), found only rests");
    wrong("C4 Dx0123456789012345678901234567890123456789",
          "--primer: column 5 (note 2 'Dx012345678901234567890123456789...'): expected an accidental (# b -) or the "
          "octave digit 0..9 after 'D', found 'x'");

    pitch("C4", 60);
    pitch("c4", 60);
    pitch("Bb2", 46);
    pitch("E-4", 63);
    pitch("F#3", 54);
    pitch("60", 60);
    pitch("0", 0);
    pitch("127", 127);
    pitch("128", -1);
    pitch("C4+", -1);
    pitch("C4:2", -1);
    pitch("r", -1);
    pitch("", -1);
    pitch("C", -1);
    pitch("C4 ", -1);
    pitch("G#9", -1);

    /* Every allocation of a read with chords failing in turn. */
    const char *text = "C4 E4:2 r:0.5 C4+E4+G4:2 60 D4 E4 F4 G4 A4 B4 C5 D5 E5 F5 G5 A5 B5 C6 D6 E6 F6 G6 A6 B6";
    score *s;
    char err[256];
    alloc_fail_reset(-1);
    if (notelist_read(text, strlen(text), "--primer", &s, err, sizeof err) || !s) {
        fprintf(stderr, "FAIL: clean read: %s\n", err);
        return 1;
    }
    long total = alloc_fail_count();
    score_destroy(s);
    int alloc_bad = alloc_fail_live() != 0;
    for (long k = 0; k < total; k++) {
        alloc_fail_reset(k);
        err[0] = 0;
        s = (score *)1;
        int rc = notelist_read(text, strlen(text), "--primer", &s, err, sizeof err);
        if (rc != LJ_ERR_NOMEM || s || strcmp(err, "--primer: out of memory") || alloc_fail_live()) {
            fprintf(stderr, "FAIL: allocation %ld of %ld failed: status %d, '%s', %ld blocks live\n", k, total, rc,
                    err, alloc_fail_live());
            alloc_bad = 1;
        }
    }
    printf("%s  %ld allocations failed in turn: LJ_ERR_NOMEM, no score, no block left\n", alloc_bad ? "FAIL" : "ok ",
           total);
    return bad || alloc_bad;
}
