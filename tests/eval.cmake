# lstmjam eval --generated/--reference: MGEval's measures (src/eval/).
# Features by hand, KDE / overlap area / KL on known distributions, and every
# feature, overlap area and KL of tests/data/mgeval against the golden numbers
# of tools/mgeval.py (tests/ref/mgeval_golden.py wrote golden.txt).
lj_add_test(test_mgeval test_mgeval.c LABELS unit)
# The CLI: text, JSON file, PNG plots, loss curves, ABC input; bad input
# (unreadable file, empty or small set, bad metrics.jsonl) exits 2 naming the
# file and writes nothing.
lj_add_script_test(mgeval_cli mgeval_cli.sh LABELS unit)
# lstmjam eval's ensembles over transpositions (train_evaluate_frames_ensemble,
# --transpose-average) on hand-built models: an equivariant model scores the
# same with and without shifts, a bias-only model the loss computed by hand.
lj_add_test(test_evaluate_frames test_evaluate_frames.c LABELS unit)
# lstmjam eval --abc: ABC acceptance (lstmjam's readers, abc2midi) per tune on
# tests/data/eval_abc/acceptance.abc (5 tunes with known verdicts); without
# abc2midi in eval_abc_cli, with it in eval_abc_oracle (skipped when missing).
lj_add_script_test(eval_abc_cli eval_abc_cli.sh LABELS unit)
lj_add_script_test(eval_abc_oracle eval_abc_oracle.sh LABELS oracle)
