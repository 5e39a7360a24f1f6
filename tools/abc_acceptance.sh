#!/bin/sh
# abc_acceptance.sh: the share of an ABC model's tunes that abc2midi (the
# reference ABC tool, Debian package abcmidi) accepts with no error.
#
#   tools/abc_acceptance.sh LSTMJAM MODEL.lstm [N=200] [TEMPERATURE=1] [WORKDIR]
#
# Generates N tunes (`lstmjam generate --length 1pieces`: from the model's
# default primer, "X:" for chars and "<s>" for tokens, until the model ends
# the tune; seeds 1..N), runs `abc2midi TUNE -o TUNE.mid` on each and counts
# a tune as accepted when abc2midi exits 0, prints no line with "Error" and
# writes a MIDI file. Warnings are counted apart. Prints the first errors.
set -u
BIN=${1:?usage: abc_acceptance.sh LSTMJAM MODEL.lstm [N] [TEMPERATURE] [WORKDIR]}
MODEL=${2:?model}
N=${3:-200}
T=${4:-1}
WORK=${5:-$(mktemp -d)}
command -v abc2midi >/dev/null || { echo "abc_acceptance: abc2midi not found (apt-get install abcmidi)" >&2; exit 2; }
mkdir -p "$WORK"
accepted=0 warned=0 empty=0
: >"$WORK/errors.txt"
i=1
while [ "$i" -le "$N" ]; do
    tune="$WORK/tune-$i.abc"
    "$BIN" generate --model "$MODEL" --length 1pieces --max-steps 5000 --temperature "$T" --seed "$i" -q -o "$tune" ||
        { echo "abc_acceptance: generate failed for seed $i" >&2; exit 1; }
    out=$(cd "$WORK" && abc2midi "tune-$i.abc" -o "tune-$i.mid" 2>&1)
    rc=$?
    if [ $rc = 0 ] && ! printf '%s\n' "$out" | grep -q "Error" && [ -s "$WORK/tune-$i.mid" ]; then
        accepted=$((accepted + 1))
        printf '%s\n' "$out" | grep -q "Warning" && warned=$((warned + 1))
    else
        [ -s "$WORK/tune-$i.mid" ] || empty=$((empty + 1))
        printf 'seed %d (exit %d):\n%s\n' "$i" "$rc" "$(printf '%s\n' "$out" | grep -E 'Error|error' | head -3)" >>"$WORK/errors.txt"
    fi
    i=$((i + 1))
done
echo "abc2midi accepted $accepted of $N tunes ($(awk "BEGIN{printf \"%.1f\", 100*$accepted/$N}")%), $warned of them with warnings; $empty without a MIDI file; temperature $T; tunes in $WORK"
[ -s "$WORK/errors.txt" ] && { echo "first rejections:"; head -n 12 "$WORK/errors.txt"; }
exit 0
