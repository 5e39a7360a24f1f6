# Humdrum **kern reader (src/io/kern.c).
# Unit tests on hand-written files: every rule and every error message.
lj_add_test(test_kern test_kern.c LABELS unit)
# Allocation failures: every allocation of kern_read_mem failed in turn gives
# LJ_ERR_NOMEM, no score and no leak (LeakSanitizer in the ASan build).
lj_add_alloc_test(test_kern_alloc test_kern_alloc.c)
# Corpus: all 4678 Essen songs read; totals and the list of incomplete bars equal
# those of the independent counter tests/ref/kern_corpus_count.py; the issue's
# bar figures are reproduced and the differences are those of
# tests/data/kern/BARCHECK.md.
lj_add_test(test_kern_corpus test_kern_corpus.c LABELS "corpus;oracle")
# The CLI on bad and good kern input: exit 2, file:line:col, no output left.
lj_add_script_test(kern_cli kern_cli.sh LABELS unit)
