# The abc grammar (src/encode/abc_grammar.c): valid and invalid token
# sequences, random walks read back with no resync, the engine under the
# grammar with no allocation per step.
lj_add_alloc_test(test_abc_grammar test_abc_grammar.c)
# The shipped ABC model under the grammar: our readers and abc2midi (when
# installed) read its tunes with no error.
lj_add_script_test(abc_grammar_cli abc_grammar_cli.sh LABELS unit oracle)
