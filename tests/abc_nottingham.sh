#!/bin/sh
# ABC reader vs the Nottingham dataset's own melody and chord MIDI files, both
# repeat conventions: see abc_nottingham.py and tests/data/abc/nottingham_comparison.md.
# make test compares every 3rd tune (each one still checked against the
# mismatch list); LJ_FULL_ORACLE=1 compares all of them with the --min counts.
# Skips (77) when the corpus, python3 or midicsv is missing.
corpus="$LJ_CORPORA/nottingham"
[ -d "$corpus/abc" ] && [ -d "$corpus/midi/melody" ] || { echo "skip: no corpus at $corpus"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
every=3
[ "${LJ_FULL_ORACLE:-0}" = 1 ] && every=1
exec python3 "$LJ_SOURCE_DIR/tests/abc_nottingham.py" --bin "$LJ_BIN" --corpus "$corpus" \
    --mismatches "$LJ_TEST_DATA/abc/nottingham_mismatches.txt" --min 1027 --chords-min 943 --every $every
