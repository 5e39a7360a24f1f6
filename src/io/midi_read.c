/* SCAFFOLD: replaced by the real reader in this session. */
#include "midi.h"
int midi_read_mem(const uint8_t *d, size_t l, const char *n, score **o, char *e, size_t el) {
    (void)d; (void)l; *o = NULL; return lj_fail(e, el, LJ_ERR_UNSUPPORTED, "%s: MIDI reader not built yet", n);
}
int midi_read_file(const char *p, score **o, char *e, size_t el) { return midi_read_mem(NULL, 0, p, o, e, el); }
int midi_write_mem(const score *s, uint8_t **o, size_t *l, char *e, size_t el) {
    (void)s; (void)o; (void)l; return lj_fail(e, el, LJ_ERR_UNSUPPORTED, "MIDI writer not built yet");
}
int midi_write_file(const score *s, const char *p, char *e, size_t el) { (void)p; return midi_write_mem(s, NULL, NULL, e, el); }
