/* Render regression: a fixed MIDI file rendered with the default settings
 * (48 kHz, period 128, gain 0.2, reverb and chorus on, lstmjam's own
 * SoundFont, 16-bit FLAC) against a committed reference render. Where
 * test_render_peer compares with another renderer, this one catches any change
 * of lstmjam's own output: event timing, the synth settings a render applies,
 * gain, instruments, the file writer.
 *
 * The reference was made by the CLI with the same settings:
 *   lstmjam render --score tests/data/midi/good.mid \
 *       --soundfont soundfonts/lstmjam-basic.sf2 --tail 1 --no-midi \
 *       -o tests/data/audio/good-reference.flac
 * Rerun that command (and say why in the commit) when a change of the output
 * is intended.
 *
 * Compared sample by sample with no alignment (a shift in time is a
 * regression): SNR >= 60 dB. On one machine the render is bit-exact (SNR
 * infinite); 60 dB leaves room for another CPU's float rounding while
 * failing on a 1% gain change or one note 3 ms late (measured when the
 * reference was made: 40.0 dB and 13.3 dB; the test renders both changes and
 * checks they stay below the threshold, so the threshold can fail). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/midi.h"
#include "render.h"
#include "test_render_util.h"

#define REGRESS_SNR_MIN_DB 60.0

/* Renders mid to out with the CLI's defaults but for gain_scale (1 = as is)
 * and the middle note moved late by late_ms. */
static int render_good(const char *mid, const char *sf, const char *out, double gain_scale, double late_ms) {
    score *s = NULL;
    char err[1024];
    if (midi_read_file(mid, &s, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    if (late_ms > 0) { /* one note, out of place */
        score_note *n = &s->notes[s->n_notes / 2];
        double at = score_ticks_to_seconds(s, n->onset) + late_ms / 1000;
        n->onset = score_seconds_to_ticks(s, at);
        score_sort(s);
    }
    render_opts o;
    render_opts_default(&o);
    o.synth.soundfont = sf;
    o.synth.gain *= gain_scale;
    o.tail_seconds = 1.0;
    int rc = render_score(s, out, &o, NULL, err, sizeof err);
    if (rc) fprintf(stderr, "render: %s\n", err);
    score_destroy(s);
    return rc;
}

static double compare(const wav *ref, const char *path, const char *what) {
    wav w;
    if (wav_read(path, &w)) return -INFINITY;
    double q = -INFINITY;
    if (w.frames != ref->frames || w.channels != ref->channels || w.rate != ref->rate)
        printf("%s: %lld frames x %d at %d Hz, the reference %lld x %d at %d Hz\n", what, (long long)w.frames,
               w.channels, w.rate, (long long)ref->frames, ref->channels, ref->rate);
    else
        q = snr_db(ref, &w, 0, 0, ref->frames);
    printf("%s: SNR %.1f dB against the reference\n", what, q);
    free(w.x);
    return q;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: test_render_regress GOOD.mid SOUNDFONT REFERENCE.flac\n");
        return 2;
    }
    char dir[4096], out[4200];
    if (tmpdir_make(dir, sizeof dir)) return 1;
    wav ref;
    int failures = 0;
    if (wav_read(argv[3], &ref)) {
        printf("FAIL cannot read the reference %s\n", argv[3]);
        return 1;
    }
    snprintf(out, sizeof out, "%s/now.flac", dir);
    double q = render_good(argv[1], argv[2], out, 1.0, 0) ? -INFINITY : compare(&ref, out, "render now");
    if (!(q >= REGRESS_SNR_MIN_DB)) {
        printf("FAIL the render differs from the reference: SNR %.1f dB < %.0f dB\n", q, REGRESS_SNR_MIN_DB);
        failures++;
    }
    /* The threshold must be able to fail: the changes it is meant to catch
     * fall below it. */
    snprintf(out, sizeof out, "%s/gain.flac", dir);
    q = render_good(argv[1], argv[2], out, 1.01, 0) ? INFINITY : compare(&ref, out, "gain +1%");
    if (!(q < REGRESS_SNR_MIN_DB)) {
        printf("FAIL a 1%% gain change is not caught: SNR %.1f dB\n", q);
        failures++;
    }
    snprintf(out, sizeof out, "%s/late.flac", dir);
    /* 3 ms = 144 frames at 48 kHz: the note lands two 64-frame blocks late. */
    q = render_good(argv[1], argv[2], out, 1.0, 3.0) ? INFINITY : compare(&ref, out, "one note 3 ms late");
    if (!(q < REGRESS_SNR_MIN_DB)) {
        printf("FAIL a late note is not caught: SNR %.1f dB\n", q);
        failures++;
    }
    free(ref.x);
    tmpdir_remove(dir);
    printf(failures ? "test_render_regress: %d FAILED\n" : "test_render_regress: all passed\n", failures);
    return failures ? 1 : 0;
}
