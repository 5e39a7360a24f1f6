#!/bin/sh
# Oracle test of the MIDI reader: for every Nottingham MIDI file (*.mid,
# melody/*.mid, chords/*.mid, 3089 files; every 3rd in make test), the note list lstmjam reads
# (test_midi_corpus dump) must equal the one built from `midicsv` output, an
# independent SMF parser, by tests/midi_notes.awk. Notes compared: onset and
# duration (ticks at 480 PPQ), pitch, velocity, channel; and the tempo, time and
# key signature maps.
# Usage: midi_oracle.sh DUMPER (path of test_midi_corpus). Exit 0 pass, 1 fail,
# 77 when midicsv or the corpus is missing.
set -u
dumper=$1
root=${LJ_CORPORA:-}/nottingham/midi
here=$(cd "$(dirname "$0")" && pwd)
command -v midicsv >/dev/null 2>&1 || { echo "SKIP: midicsv not installed (apt install midicsv)"; exit 77; }
[ -d "$root" ] || { echo "SKIP: $root missing"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
start=$(date +%s)

# make test reads every 3rd file (in name order); LJ_FULL_ORACLE=1 all of them.
every=3
[ "${LJ_FULL_ORACLE:-0}" = 1 ] && every=1
(cd "$root" && find . -name '*.mid' -type f | sed 's|^\./||' | LC_ALL=C sort | awk -v n=$every '(NR - 1) % n == 0') > "$tmp/list"
nfiles=$(wc -l < "$tmp/list")
[ "$nfiles" -gt 0 ] || { echo "FAIL: no .mid files under $root"; exit 1; }

# Oracle: midicsv + awk over 2 worker processes, each batch to its own file.
mkdir "$tmp/oracle"
(cd "$root" && xargs -n 400 -P 2 sh -c '
    out=$(mktemp "$0/batch.XXXXXX") || exit 1
    for f; do
        midicsv "$f" > "$out.csv" || { echo "midicsv failed on $f" >&2; exit 1; }
        awk -v path="$f" -f "'"$here"'/midi_notes.awk" "$out.csv" >> "$out" || exit 1
    done
    rm -f "$out.csv"' "$tmp/oracle" < "$tmp/list") || { echo "FAIL: oracle side failed"; exit 1; }
cat "$tmp/oracle"/batch.* | LC_ALL=C sort > "$tmp/oracle.txt"

# lstmjam side.
"$dumper" dump "$root" "$tmp/list" > "$tmp/lj.unsorted" || { echo "FAIL: lstmjam could not read every file"; exit 1; }
LC_ALL=C sort "$tmp/lj.unsorted" > "$tmp/lj.txt"

nnotes=$(grep -vc ' [TMK] ' "$tmp/oracle.txt")
nmaps=$(grep -c ' [TMK] ' "$tmp/oracle.txt")
secs=$(( $(date +%s) - start ))
if ! cmp -s "$tmp/oracle.txt" "$tmp/lj.txt"; then
    echo "FAIL: note lists differ (< midicsv oracle, > lstmjam); first differences:"
    diff "$tmp/oracle.txt" "$tmp/lj.txt" | head -20
    bad=$(diff "$tmp/oracle.txt" "$tmp/lj.txt" | grep '^[<>]' | cut -d' ' -f2 | sort -u | wc -l)
    echo "files with differences: $bad of $nfiles"
    exit 1
fi
[ "$nnotes" -gt 0 ] || { echo "FAIL: no notes at all"; exit 1; }
echo "midi oracle: $nfiles files, $nnotes notes and $nmaps tempo/meter/key changes equal to midicsv's (${secs} s)"
exit 0
