# Audio path: dsp/event_sched, dsp/voice, src/device/synth (FluidSynth), src/render,
# lstmjam render.
# Scheduler and held-note table against a recording fake synth (no FluidSynth).
lj_add_test(test_sched test_sched.c LABELS unit)
# The synth hot swap across an audio thread and the owner (TSan in make test).
lj_add_test(test_sched_swap test_sched_swap.c LABELS "unit;threads")
target_link_libraries(test_sched_swap PRIVATE pthread)
# Oracle: the same MIDI rendered by the fluidsynth command line, compared by SNR.
lj_add_test(test_render_peer test_render_peer.c LABELS oracle)
# FluidSynth through sched: onsets vs score times, period independence, no stuck
# notes, output files, events from a score.
lj_add_test(test_render test_render.c LABELS unit)
# The CLI on good and bad input: exit codes, messages, nothing left behind.
lj_add_script_test(render_cli render_cli.sh LABELS unit)
# lstmjam's own SoundFont (tools/sfbuild.c) through FluidSynth: loads cleanly,
# pitch within 3 cents and balanced levels for every instrument, silence after
# release, seamless loops; the tool rebuilt from source gives the committed font.
add_executable(test_soundfont test_soundfont.c)
target_link_libraries(test_soundfont PRIVATE PkgConfig::FLUIDSYNTH m)
add_test(NAME test_soundfont
         COMMAND sh -c "\"$1\" rebuilt.sf2 >/dev/null && \"$2\" \"$3\" rebuilt.sf2" test_soundfont
                 $<TARGET_FILE:lstmjam_sfbuild> $<TARGET_FILE:test_soundfont>
                 ${CMAKE_SOURCE_DIR}/soundfonts/lstmjam-basic.sf2)
set_tests_properties(test_soundfont PROPERTIES LABELS unit)
# Regression: good.mid rendered with the defaults against a committed
# reference render (SNR >= 60 dB, no alignment); the test also shows that a
# 1% gain change and one note 3 ms late fall below the threshold.
lj_add_test(test_render_regress test_render_regress.c LABELS unit
            ARGS ${CMAKE_SOURCE_DIR}/tests/data/midi/good.mid ${CMAKE_SOURCE_DIR}/soundfonts/lstmjam-basic.sf2
                 ${CMAKE_SOURCE_DIR}/tests/data/audio/good-reference.flac)
# The synth hot swap heard: real FluidSynth through sched, a loud organ chord
# swapped at callbacks of 16-1024 frames; no click (8 kHz band) and no jump.
lj_add_test(test_swap_glitch test_swap_glitch.c LABELS unit
            ARGS ${CMAKE_SOURCE_DIR}/soundfonts/lstmjam-basic.sf2)
