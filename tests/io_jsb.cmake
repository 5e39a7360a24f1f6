# JSB chorales JSON reader (src/io/jsb.c).
# Unit tests on small inline documents: notes, options, every error message.
lj_add_test(test_jsb test_jsb.c LABELS unit)
# Allocation failures of jsb_read_mem and jsb_to_roll (our allocations; cJSON's
# own are inside libcjson.so, out of --wrap's reach).
lj_add_alloc_test(test_jsb_alloc test_jsb_alloc.c)
# Corpus: the three JSON files; split sizes 229/76/77; every piece's roll equals
# the frames that Python's json module reads (tests/ref/jsb_digest.py), with and
# without merge_held.
lj_add_test(test_jsb_corpus test_jsb_corpus.c LABELS "corpus;oracle")
# The CLI on bad and good JSON input: exit 2, file:line:col, no output left.
lj_add_script_test(jsb_cli jsb_cli.sh LABELS unit)
