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
    /* a bend or pressure left in force would detune or vibrato every later
     * note of the channel (the player's hand gone, its reset lost with the
     * panic's cause); only where moved, so a panic stays small on the wire */
    if (v->bent[channel] && synth->pitch_bend) synth->pitch_bend(synth->user, channel, 8192);
    if (v->pressed[channel] && synth->channel_pressure) synth->channel_pressure(synth->user, channel, 0);
    v->bent[channel] = v->pressed[channel] = 0;
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
    if (controller == 121) v->bent[channel] = v->pressed[channel] = 0; /* reset all controllers */
    synth->cc(synth->user, channel, controller, value);
}

void voice_pitch_bend(voice_table *v, const lj_synth_ops *synth, int channel, int value) {
    if (channel < 0 || channel >= VOICE_CHANNELS || value < 0 || value > 16383 || !synth->pitch_bend) return;
    v->bent[channel] = value != 8192;
    synth->pitch_bend(synth->user, channel, value);
}

void voice_channel_pressure(voice_table *v, const lj_synth_ops *synth, int channel, int pressure) {
    if (channel < 0 || channel >= VOICE_CHANNELS || pressure < 0 || pressure > 127 || !synth->channel_pressure)
        return;
    v->pressed[channel] = pressure != 0;
    synth->channel_pressure(synth->user, channel, pressure);
}

void voice_key_pressure(voice_table *v, const lj_synth_ops *synth, int channel, int key, int pressure) {
    (void)v; /* a key's pressure ends with its note: nothing to undo at a release */
    if (!valid(channel, key) || pressure < 0 || pressure > 127 || !synth->key_pressure) return;
    synth->key_pressure(synth->user, channel, key, pressure);
}

int voice_held(const voice_table *v, int channel, int key) {
    return valid(channel, key) ? v->held[channel][key] : 0;
}
