# Every corpus score survives Score -> MIDI -> Score unchanged.
lj_add_test(test_roundtrip test_roundtrip.c LABELS corpus)
