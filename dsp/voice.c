#include "voice.h"

#include <string.h>

static int valid(int channel, int key) {
    return channel >= 0 && channel < VOICE_CHANNELS && key >= 0 && key < VOICE_KEYS;
}

void voice_reset(voice_table *v) { memset(v, 0, sizeof *v); }

void voice_note_on(voice_table *v, const lj_synth_ops *synth, int channel, int key, int velocity) {
    if (!valid(channel, key) || velocity < 0 || velocity > 127) return;
    if (velocity == 0) {
        voice_note_off(v, synth, channel, key);
        return;
    }
    uint8_t *n = &v->held[channel][key];
    if (*n == UINT8_MAX) {
        v->saturated_ons++;
    } else {
        (*n)++;
        v->n_held++;
    }
    synth->note_on(synth->user, channel, key, velocity);
}

void voice_note_off(voice_table *v, const lj_synth_ops *synth, int channel, int key) {
    if (!valid(channel, key)) return;
    uint8_t *n = &v->held[channel][key];
    if (*n == 0) {
        v->ignored_offs++;
        return;
    }
    (*n)--;
    v->n_held--;
    if (*n == 0) synth->note_off(synth->user, channel, key);
}

/* Note-offs for the held keys of one channel, pedals up, then all-notes-off:
 * the explicit note-offs end what the table knows about, all-notes-off also
 * whatever the synth holds that the table does not (nothing, if every event
 * went through here). Pedals first would let sustained voices ring on. */
static void release_channel(voice_table *v, const lj_synth_ops *synth, int channel) {
    for (int key = 0; key < VOICE_KEYS; key++) {
        uint8_t n = v->held[channel][key];
        if (!n) continue;
        v->held[channel][key] = 0;
        v->n_held -= n;
        synth->note_off(synth->user, channel, key);
    }
    synth->cc(synth->user, channel, 64, 0); /* sustain pedal up */
    synth->cc(synth->user, channel, 66, 0); /* sostenuto pedal up */
    synth->all_notes_off(synth->user, channel);
}

void voice_panic_channel(voice_table *v, const lj_synth_ops *synth, int channel) {
    if (channel < 0 || channel >= VOICE_CHANNELS) return;
    v->panics++;
    release_channel(v, synth, channel);
}

void voice_panic(voice_table *v, const lj_synth_ops *synth) {
    v->panics++;
    for (int ch = 0; ch < VOICE_CHANNELS; ch++) release_channel(v, synth, ch);
}

void voice_cc(voice_table *v, const lj_synth_ops *synth, int channel, int controller, int value) {
    if (!valid(channel, controller) || value < 0 || value > 127) return;
    if (controller == 120 || controller == 123) {
        v->panics++;
        release_channel(v, synth, channel);
        /* all_notes_off already sent; all sound off also cuts the release tails. */
        if (controller == 120) synth->cc(synth->user, channel, 120, value);
        return;
    }
    synth->cc(synth->user, channel, controller, value);
}

int voice_held(const voice_table *v, int channel, int key) {
    return valid(channel, key) ? v->held[channel][key] : 0;
}
