# Real-time engine: src/engine (generation, look-ahead, modes, session recording),
# lstmjam render --model, play, devices.
# The engine against dsp/event_sched with a fake synth: determinism, zero
# allocations per step, tempo, no stuck notes (overflows, panics, stops),
# continue mode, the live queue. Linked with the allocation counter.
lj_add_alloc_test(test_engine test_engine.c)

# A key struck again while it sounds, in the session MIDI file and on MIDI out:
# never nested note-ons of one key (off then on at the same tick instead).
lj_add_test(test_restrike test_restrike.c LABELS unit)

# The random-weight event model the script tests play (tests/engine_fixture.h).
add_executable(make_event_model make_event_model.c)
target_link_libraries(make_event_model PRIVATE lstmjam_host)
# A JACK peer measuring MIDI-thru latency on JACK's clock (tests/jack_latency.c).
add_executable(jack_latency jack_latency.c)
target_link_libraries(jack_latency PRIVATE PkgConfig::JACK m)
# A JACK MIDI peer that sends the messages a test script gives it (tests/jack_send.c).
add_executable(jack_send jack_send.c)
target_link_libraries(jack_send PRIVATE PkgConfig::JACK)
set(LJ_ENGINE_TEST_ENV ${LJ_TEST_ENV} "LJ_MAKE_MODEL=$<TARGET_FILE:make_event_model>"
    "LJ_JACK_LATENCY=$<TARGET_FILE:jack_latency>" "LJ_JACK_SEND=$<TARGET_FILE:jack_send>")

# lstmjam render --model: a WAV that is not silent, its MIDI beside it with
# every note ended, --notes exact, same seed same output, bad usage exits 2.
lj_add_script_test(render_model_cli render_model_cli.sh LABELS unit)
set_tests_properties(render_model_cli PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# The engine thread against a fake audio thread and a control thread (TSan leg).
lj_add_test(test_engine_thread test_engine_thread.c LABELS threads)

# lstmjam play on jackd -d dummy with jack_midiseq (MIDI in) and jack_rec (audio
# out) as peers: continue mode answers the phrase, session MIDI, counters.
lj_add_script_test(play_jack play_jack.sh LABELS unit live)
set_tests_properties(play_jack PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# play/devices without devices: usage errors, missing device messages.
lj_add_script_test(play_cli play_cli.sh LABELS unit)
set_tests_properties(play_cli PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# abc models in the engine: a chars model trained here renders notes.
lj_add_script_test(engine_abc_cli engine_abc_cli.sh LABELS unit)

# lstmjam play --midi-out jack (with and without audio) on jackd -d dummy with
# jack_midi_dump as the peer: every note reaches it at its scheduled frame,
# nothing left on.
lj_add_script_test(play_midi_out play_midi_out.sh LABELS unit live)
set_tests_properties(play_midi_out PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# lstmjam play's modes and live controls on jackd -d dummy (MIDI in from
# tests/jack_send, MIDI out to jack_midi_dump): CC density/temperature/panic/
# mode, steer and accompany against a run nobody plays into.
lj_add_script_test(play_modes play_modes.sh LABELS unit live)
set_tests_properties(play_modes PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")
# MIDI devices (src/device/midi_in, midi_out): the ALSA and PortMidi parts that
# need no kernel; midi_alsa runs the ALSA ports end to end with alsa-utils
# where /dev/snd/seq exists (skipped, 77, elsewhere: this VM and CI).
lj_add_test(test_midi_alsa test_midi_alsa.c LABELS unit)
# JACK MIDI out's clock on the audio clock (midi_out_jack_now): a model of the
# two JACK clients losing cycles; no message late or off the period grid.
lj_add_test(test_midi_out_jack test_midi_out_jack.c LABELS unit)
# The live soak's MIDI-out analysis (tests/midi_out_timing.awk's pairing,
# bench/midi_out_trace.py's causes) on a made-up capture with known anomalies.
lj_add_script_test(midi_out_timing midi_out_timing.sh LABELS unit)
# --midi-clock in without a device: the tick ring, midi_route's hand-over,
# the tempo estimate (lost ticks, jitter, a change of tempo).
lj_add_test(test_midi_clock test_midi_clock.c LABELS unit)
lj_add_script_test(midi_alsa midi_alsa.sh LABELS unit live)
set_tests_properties(midi_alsa PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# lstmjam play --midi-clock on jackd -d dummy: Start, 24 ticks per quarter at
# 150 BPM, then at 240 after CC 71 from tests/jack_send, Stop, at the dump's frames.
lj_add_script_test(play_midi_clock play_midi_clock.sh LABELS unit live)
set_tests_properties(play_midi_clock PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# play's terminal keys (t/T, d/D, r, space, the m cycle, p, q) typed into a
# pseudo-terminal (util-linux script) on jackd -d dummy: the status line and
# the summary.
lj_add_script_test(play_keys play_keys.sh LABELS unit live)
set_tests_properties(play_keys PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# play on a pseudo-terminal (util-linux script) on jackd -d dummy: started as a
# background job it plays on without keys (no SIGTTOU stop); a refused reload's
# error starts a line of its own.
lj_add_script_test(play_tty play_tty.sh LABELS unit live)
set_tests_properties(play_tty PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# play against the devices of jackd -d dummy: --rate on JACK (the server's, with
# a note), exit 2 for a device or port named that is not there.
lj_add_script_test(play_devices play_devices.sh LABELS unit live)
set_tests_properties(play_devices PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# A reload of a preset whose midi section changed, on jackd -d dummy: MIDI in,
# out and clock stay until play restarts (and it says so), the thru channel
# applies (the player's keys move, a key held across it is ended).
lj_add_script_test(play_reload_midi play_reload_midi.sh LABELS unit live)
set_tests_properties(play_reload_midi PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")
