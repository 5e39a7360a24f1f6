# Lost events and lost devices (issue 6's no-stuck-note rule): overflows of the
# live (MIDI thru) and MIDI-out queues end every note once the queue drains,
# and a MIDI input that goes away releases the keys it held.
lj_add_test(test_queue_loss test_queue_loss.c LABELS unit)

# The player's control changes: those that drive the instrument (midi.cc) go to
# the engine only, not thru to the synth, MIDI out and the recording.
lj_add_test(test_midi_route test_midi_route.c LABELS unit)

# lstmjam play when its JACK server is killed mid-play (PortAudio's JACK host;
# --no-audio with JACK MIDI out and in): exit 1 within 5 s, the message, the
# session MIDI and event log written.
lj_add_script_test(play_device_loss play_device_loss.sh LABELS unit live)
set_tests_properties(play_device_loss PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# lstmjam play on a pseudo-terminal that closes (python3's pty): the hang-up's
# SIGHUP quits as q does (exit 0, session written) instead of reloading.
lj_add_script_test(play_hangup play_hangup.sh LABELS unit live)
set_tests_properties(play_hangup PROPERTIES ENVIRONMENT "${LJ_ENGINE_TEST_ENV}")

# Closing devices within a bound, each on its own thread (a hung close holds
# up neither the others' panics nor the exit); label threads: the TSan build
# runs it.
lj_add_test(test_close_bounded test_close_bounded.c LABELS "unit;threads")

# lstmjam play's start-up check on JACK: a client the server never runs
# (tests/jack_no_process.c, preloaded, drops its process callback): MIDI out's
# ends the session with a message (exit 1, session written), PortAudio's
# (which would wait 10 minutes) fails the open after 5 s and offers render.
# Labelled slow: make test's ASan pass (-LE slow) leaves it out; its ~8 s are
# two timeouts waited out at once, with nothing for the sanitizers to see.
add_library(jack_no_process MODULE jack_no_process.c)
target_link_libraries(jack_no_process PRIVATE PkgConfig::JACK ${CMAKE_DL_LIBS})
lj_add_script_test(play_start_check play_start_check.sh LABELS unit slow live)
set_tests_properties(play_start_check PROPERTIES
    ENVIRONMENT "${LJ_ENGINE_TEST_ENV};LJ_JACK_NO_PROCESS_LIB=$<TARGET_FILE:jack_no_process>")
