# Note lists (src/io/notelist.c: generate --primer "C4 E4:2 r C4+E4+G4"): good
# and bad lists with their exact messages, --pitch-range's pitch names, and
# every allocation failing in turn. The fuzz harness is tests/fuzz/fuzz_notelist.c.
lj_add_alloc_test(test_notelist test_notelist.c)
