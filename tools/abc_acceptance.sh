#!/bin/sh
# abc_acceptance.sh: the share of an ABC model's tunes that abc2midi (the
# reference ABC tool, Debian package abcmidi) accepts with no error.
#
#   tools/abc_acceptance.sh LSTMJAM MODEL.lstm [N=200] [TEMPERATURE=1] [WORKDIR] [GENERATE OPTIONS...]
#
# Generates N tunes (`lstmjam generate --length 1pieces`: from the model's
# default primer, "X:" for chars and "<s>" for tokens, until the model ends
# the tune; seeds 1..N), runs `abc2midi TUNE -o TUNE.mid` on each and counts
# a tune as accepted when abc2midi exits 0, prints no line with "Error" and
# writes a MIDI file. Warnings are counted apart. Prints the first errors.
# Options after WORKDIR go to generate (--no-grammar: the raw model of an abc
# tokens model, which samples under the ABC grammar by default). Also prints
# how many tunes lstmjam's own stream reader had to resynchronise in, and
# the model's mean NLL of the tokens it generated (generate's "model NLL":
# log p under the model's own softmax at T=1, nothing masked), over all tunes.
set -u
BIN=${1:?usage: abc_acceptance.sh LSTMJAM MODEL.lstm [N] [TEMPERATURE] [WORKDIR]}
MODEL=${2:?model}
N=${3:-200}
T=${4:-1}
WORK=${5:-$(mktemp -d)}
[ $# -ge 5 ] && shift 5 || shift $#
command -v abc2midi >/dev/null || { echo "abc_acceptance: abc2midi not found (apt-get install abcmidi)" >&2; exit 2; }
mkdir -p "$WORK"
accepted=0 warned=0 empty=0 tokens=0 nll=0 resync_tunes=0
: >"$WORK/errors.txt"
i=1
while [ "$i" -le "$N" ]; do
    tune="$WORK/tune-$i.abc"
    summary=$("$BIN" generate --model "$MODEL" --length 1pieces --max-steps 5000 --temperature "$T" --seed "$i" "$@" -o "$tune" 2>&1) ||
        { echo "abc_acceptance: generate failed for seed $i: $summary" >&2; exit 1; }
    steps=$(printf '%s\n' "$summary" | sed -n 's/.*generated \([0-9]*\) tokens.*/\1/p')
    tok_nll=$(printf '%s\n' "$summary" | sed -n 's/.*model NLL \([0-9.]*\) nats.*/\1/p')
    resyncs=$(printf '%s\n' "$summary" | sed -n 's/.* \([0-9]*\) ABC errors read past.*/\1/p')
    [ -n "$resyncs" ] && [ "$resyncs" != 0 ] && resync_tunes=$((resync_tunes + 1))
    if [ -n "$steps" ] && [ -n "$tok_nll" ]; then
        tokens=$((tokens + steps))
        nll=$(awk "BEGIN{print $nll + $steps * $tok_nll}")
    fi
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
echo "lstmjam's own stream reader read past malformed text in $resync_tunes of $N tunes"
[ $tokens -gt 0 ] && echo "model NLL of the generated tokens: $(awk "BEGIN{printf \"%.4f\", $nll / $tokens}") nats/token over $tokens tokens ($*)"
echo "abc2midi accepted $accepted of $N tunes ($(awk "BEGIN{printf \"%.1f\", 100*$accepted/$N}")%), $warned of them with warnings; $empty without a MIDI file; temperature $T; tunes in $WORK"
[ -s "$WORK/errors.txt" ] && { echo "first rejections:"; head -n 12 "$WORK/errors.txt"; }
exit 0
