# Generation: sampler and logit processors, generator, beam search, lstmjam
# generate on a timestep model built in the test (test_generate), and end to
# end on a chars model trained by lstmjam train (generate_cli.sh).
lj_add_alloc_test(test_generate test_generate.c)
lj_add_script_test(generate_cli generate_cli.sh LABELS unit)
# Frame models (psd, pianoroll): golden output of committed tiny models on the
# scalar, AVX2 and AVX-512 paths, masks, lengths, no allocation per step, and
# the options the command refuses for them.
lj_add_alloc_test(test_generate_frames test_generate_frames.c)
# Key/scale and pitch-range masks for abc models (chars and tokens), worked
# out per step from the ABC stream's key and bar accidentals.
lj_add_alloc_test(test_generate_abc test_generate_abc.c)
