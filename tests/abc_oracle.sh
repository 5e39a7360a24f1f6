#!/bin/sh
# ABC reader vs abc2midi on all 14 Nottingham books (1034 tunes): see abc_oracle.py.
# Skips (77) when the corpus, python3, abc2midi or midicsv is missing.
books="$LJ_CORPORA/nottingham/abc"
[ -d "$books" ] || { echo "skip: no corpus at $books"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
exec python3 "$LJ_SOURCE_DIR/tests/abc_oracle.py" --bin "$LJ_BIN" \
    --books "$books"/*.abc --mismatches "$LJ_TEST_DATA/abc/abc2midi_mismatches.txt" --min 0.99
