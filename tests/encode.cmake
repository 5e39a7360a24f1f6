# Encodings (src/encode/).
lj_add_test(test_vocab test_vocab.c LABELS unit)
lj_add_test(test_tokset test_tokset.c LABELS unit)
