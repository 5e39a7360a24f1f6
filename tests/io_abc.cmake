# ABC reader tests (issue 3).
lj_add_test(test_abc test_abc.c LABELS unit)
lj_add_test(test_abc_stream test_abc_stream.c LABELS unit)
lj_add_test(test_abc_pitch test_abc_pitch.c LABELS unit)
# The same binary's Nottingham comparison (2.6 M comparisons; 3.3 s under ASan): not in the ASan pass.
add_test(NAME test_abc_pitch_corpus COMMAND test_abc_pitch corpus)
set_tests_properties(test_abc_pitch_corpus PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "${LJ_TEST_ENV}"
                     LABELS "corpus;slow")
lj_add_alloc_test(test_abc_alloc test_abc_alloc.c)
lj_add_test(test_abc_corpus test_abc_corpus.c LABELS corpus)
lj_add_script_test(abc_oracle abc_oracle.sh LABELS oracle corpus)
lj_add_script_test(abc_hard abc_hard.sh LABELS oracle)
lj_add_script_test(abc_cli_bad abc_cli_bad.sh LABELS unit)
# Labelled slow: make test's ASan pass (-LE slow) leaves it out (78 s there);
# test_abc_corpus reads the same books through the same reader under ASan.
lj_add_script_test(abc_nottingham abc_nottingham.sh LABELS oracle corpus slow)
