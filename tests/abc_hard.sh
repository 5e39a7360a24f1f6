#!/bin/sh
# Hand-picked hard cases (tests/data/abc/*.abc: tuplets, broken rhythm, modes,
# inline key and meter changes, accidentals across bars and ties, repeats and
# endings, parts) against abc2midi by the same machinery as the corpus oracle.
# Every tune must agree, except those listed with a reason in hard_mismatches.txt.
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
exec python3 "$LJ_SOURCE_DIR/tests/abc_oracle.py" --bin "$LJ_BIN" \
    --books "$LJ_TEST_DATA"/abc/hard_*.abc --mismatches "$LJ_TEST_DATA/abc/hard_mismatches.txt" --min 1.0
