# Audio path: dsp/event_sched, dsp/voice, src/device/synth (FluidSynth), src/render,
# lstmjam render.
# Scheduler and held-note table against a recording fake synth (no FluidSynth).
lj_add_test(test_sched test_sched.c LABELS unit)
# Oracle: the same MIDI rendered by the fluidsynth command line, compared by SNR.
lj_add_test(test_render_peer test_render_peer.c LABELS oracle)
# FluidSynth through sched: onsets vs score times, period independence, no stuck
# notes, output files, events from a score.
lj_add_test(test_render test_render.c LABELS unit)
# The CLI on good and bad input: exit codes, messages, nothing left behind.
lj_add_script_test(render_cli render_cli.sh LABELS unit)
