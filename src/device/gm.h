/* gm: the General MIDI program names, for messages, `lstmjam presets` and
 * presets that name an instrument ("Church Organ") instead of a number.
 * Plain data: no FluidSynth, so tools/sfbuild.c links it too. Thread: any. */
#ifndef LJ_GM_H
#define LJ_GM_H

/* The name of GM program 0..127 ("Acoustic Grand Piano"); "?" out of range. */
const char *gm_program_name(int program);

/* The program a name stands for, ignoring case, spaces and punctuation; -1
 * when no GM program has that name. */
int gm_program_find(const char *name);

#endif
