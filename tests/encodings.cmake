# Encodings of issue 5 (src/encode/encoding.h, timestep, notechord, perfevent) and
# lstmjam encode. tests/encode.cmake holds the chars/vocab/tokset tests.
lj_add_alloc_test(test_enc_unit test_enc_unit.c)
lj_add_test(test_enc_corpus test_enc_corpus.c LABELS corpus)
lj_add_script_test(enc_cli enc_cli.sh LABELS corpus)
# Frame encodings (psd, pianoroll): hand-derived frames, decoder, errors,
# allocation failures; and round trips on JSB and Nottingham MIDI.
lj_add_alloc_test(test_enc_frames test_enc_frames.c)
lj_add_test(test_enc_frames_corpus test_enc_frames_corpus.c LABELS corpus)
lj_add_script_test(train_frames train_frames.sh LABELS corpus)
# The abc encoding (chars and folk-rnn tokens, decoded through the ABC stream).
lj_add_alloc_test(test_enc_abc test_enc_abc.c)
# A few hundred steps of a tiny model bring the validation loss below a
# measured threshold, for every encoding but pianoroll (train_frames.sh).
# Labelled slow: make test's ASan pass (-LE slow) leaves it out (six trainings
# of 300 steps in a Debug ASan build would take minutes; the same code trains
# under ASan in train_encodings and train_frames).
lj_add_script_test(train_thresholds train_thresholds.sh LABELS corpus slow)
