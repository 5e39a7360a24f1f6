#!/bin/sh
# abc_acceptance.sh: the share of an ABC model's tunes that abc2midi (the
# reference ABC tool, Debian package abcmidi) accepts with no error, and that
# lstmjam's own reader reads.
#
#   tools/abc_acceptance.sh LSTMJAM MODEL.lstm [N=200] [TEMPERATURE=1] [WORKDIR] [GENERATE OPTIONS...]
#
# Generates N tunes (`lstmjam generate --length 1pieces`: from the model's
# default primer, "X:" for chars and "<s>" for tokens, until the model ends
# the tune; seeds 1..N) into WORKDIR/tune-SEED.abc, then counts with
# `lstmjam eval --abc` (src/eval/eval_abc.h): per tune, lstmjam's reader
# (read with no error), its stream reader (tunes it resynchronised in) and
# abc2midi (accepted: no "Error" line and a MIDI file; warnings counted
# apart), with the first rejections. Options after WORKDIR go to generate
# (--no-grammar: the raw model of an abc tokens model, which samples under the
# ABC grammar by default). Also prints the model's mean NLL of the tokens it
# generated (generate's "model NLL": log p under the model's own softmax at
# T=1, nothing masked) and the mean share of probability the grammar masked,
# over all tunes, weighted by tokens.
set -u
BIN=${1:?usage: abc_acceptance.sh LSTMJAM MODEL.lstm [N] [TEMPERATURE] [WORKDIR]}
MODEL=${2:?model}
N=${3:-200}
T=${4:-1}
WORK=${5:-$(mktemp -d)}
[ $# -ge 5 ] && shift 5 || shift $#
command -v abc2midi >/dev/null || { echo "abc_acceptance: abc2midi not found (apt-get install abcmidi)" >&2; exit 2; }
mkdir -p "$WORK"
tokens=0 nll=0 masked=0
i=1
while [ "$i" -le "$N" ]; do
    tune="$WORK/tune-$i.abc"
    summary=$("$BIN" generate --model "$MODEL" --length 1pieces --max-steps 5000 --temperature "$T" --seed "$i" "$@" -o "$tune" 2>&1) ||
        { echo "abc_acceptance: generate failed for seed $i: $summary" >&2; exit 1; }
    steps=$(printf '%s\n' "$summary" | sed -n 's/.*generated \([0-9]*\) tokens.*/\1/p')
    tok_nll=$(printf '%s\n' "$summary" | sed -n 's/.*model NLL \([0-9.]*\) nats.*/\1/p')
    tok_masked=$(printf '%s\n' "$summary" | sed -n 's/.* masked \([0-9.]*\)% of p.*/\1/p')
    if [ -n "$steps" ] && [ -n "$tok_nll" ]; then
        tokens=$((tokens + steps))
        nll=$(awk "BEGIN{print $nll + $steps * $tok_nll}")
        [ -n "$tok_masked" ] && masked=$(awk "BEGIN{print $masked + $steps * $tok_masked}")
    fi
    i=$((i + 1))
done
[ $tokens -gt 0 ] && echo "model NLL of the generated tokens: $(awk "BEGIN{printf \"%.4f\", $nll / $tokens}") nats/token over $tokens tokens, grammar masked $(awk "BEGIN{printf \"%.3f\", $masked / $tokens}")% of p per token ($*)"
echo "temperature $T; tunes in $WORK"
set --
i=1
while [ "$i" -le "$N" ]; do
    set -- "$@" "$WORK/tune-$i.abc"
    i=$((i + 1))
done
"$BIN" eval --abc "$@" --show 6
