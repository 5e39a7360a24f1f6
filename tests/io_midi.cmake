# MIDI reader and writer (src/io/midi_read.c, midi_write.c).
# Unit tests on hand-built byte arrays: every rule and every error message.
lj_add_test(test_midi test_midi.c LABELS unit)
# Allocation failures: every malloc/realloc/calloc in midi_read_mem and
# midi_write_mem failed in turn gives LJ_ERR_NOMEM and leaks nothing (LeakSanitizer
# in the ASan build).
lj_add_alloc_test(test_midi_alloc test_midi_alloc.c)
# Corpus: Score -> MIDI -> Score identical for all 3089 Nottingham MIDI files.
lj_add_test(test_midi_roundtrip test_midi_corpus.c LABELS corpus ARGS roundtrip)
# Oracle: the reader's note lists equal midicsv's (independent parser), all files.
add_test(NAME midi_oracle
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/midi_oracle.sh $<TARGET_FILE:test_midi_roundtrip>)
set_tests_properties(midi_oracle PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "${LJ_TEST_ENV}"
                     LABELS "oracle;corpus;slow") # not in the ASan pass (57 s there): test_midi_roundtrip
                                                  # reads the same files under ASan
# The CLI on bad and good MIDI input: exit 2, file name and byte offset, no output.
lj_add_script_test(midi_cli_bad midi_cli_bad.sh LABELS unit)
