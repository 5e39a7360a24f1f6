#!/bin/sh
# make bench: every benchmark, each printed next to the peer it is compared with.
# Timings are noisy on shared machines: compare ratios measured in one run.
set -eu
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
CORPORA=${LJ_CORPORA:-$SRC/../shared/corpora}

echo "== reading corpora (one core) =="
taskset -c 0 "$BUILD/bench/bench_read" "$CORPORA" 5

echo
echo "== peer: abc2midi converting the same 14 ABC books to MIDI (one core) =="
if command -v abc2midi >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    # abc2midi writes each tune's MIDI beside its input: work on copies.
    cp "$CORPORA"/nottingham/abc/*.abc "$tmp"/
    t0=$(date +%s.%N)
    for f in "$tmp"/*.abc; do
        (cd "$tmp" && taskset -c 0 abc2midi "$f" -silent >/dev/null 2>&1 || true)
    done
    t1=$(date +%s.%N)
    n=$(ls "$tmp" | grep -c '\.mid$')
    echo "abc2midi: $n MIDI files in $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}") s (parse + write MIDI, one run)"
    # The same job for lstmjam: each book to one MIDI file per tune.
    t0=$(date +%s.%N)
    for f in "$tmp"/*.abc; do
        taskset -c 0 "$BUILD/lstmjam" convert "$f" "$tmp/lj-$(basename "$f" .abc)" -q >/dev/null
    done
    t1=$(date +%s.%N)
    n=$(cat "$tmp"/lj-*/* 2>/dev/null | wc -c)
    echo "lstmjam:  $(ls "$tmp"/lj-* | grep -c '\.mid$') MIDI files in $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}") s (parse + write MIDI, one run)"
    rm -rf "$tmp"
else
    echo "abc2midi not installed (tools/install-deps.sh installs it)"
fi

# Training and inference against PyTorch: same configs, shapes, dtype, thread
# counts and OpenBLAS, in one run so the ratios are comparable.
SECONDS_EACH=${LJ_BENCH_SECONDS:-5}
train_pair() {
    "$BUILD/bench/bench_train" --seconds "$SECONDS_EACH"
    if /usr/bin/python3 -c "import torch" 2>/dev/null; then
        /usr/bin/python3 "$SRC/bench/torch_lstm.py" --seconds "$SECONDS_EACH"
    else
        echo "(python3-torch not installed: no PyTorch column)" >&2
    fi
}
echo
echo "== training and one-step inference vs PyTorch, (1) environment as is: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} =="
train_pair | tee "$BUILD/bench_train_stock.txt" >/dev/null
/usr/bin/python3 "$SRC/bench/table.py" <"$BUILD/bench_train_stock.txt"
echo
echo "== (2) tuned: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset; PyTorch with glibc malloc thresholds and passive OMP waits =="
(
    unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
    export MALLOC_MMAP_THRESHOLD_=4294967296 MALLOC_TRIM_THRESHOLD_=68719476736 OMP_WAIT_POLICY=PASSIVE
    train_pair
) | tee "$BUILD/bench_train_tuned.txt" >/dev/null
/usr/bin/python3 "$SRC/bench/table.py" <"$BUILD/bench_train_tuned.txt"

# One-step inference as lstmjam play's engine thread runs it: SCHED_FIFO 5
# (engine_thread_priority), both sides under the same chrt, setting (1). A
# real-time thread is not preempted by the machine's other work, so its p99
# shows the step, not the load. Skipped where SCHED_FIFO is refused.
echo
if chrt -f 5 true 2>/dev/null; then
    echo "== (3) one-step inference at SCHED_FIFO 5, as play's engine thread runs (chrt -f 5, both sides) =="
    (
        chrt -f 5 "$BUILD/bench/bench_train" --configs "" --threads 1
        if /usr/bin/python3 -c "import torch" 2>/dev/null; then
            chrt -f 5 /usr/bin/python3 "$SRC/bench/torch_lstm.py" --configs "" --threads 1
        fi
    ) | grep -v sgemm | tee "$BUILD/bench_step_fifo.txt" >/dev/null
    /usr/bin/python3 "$SRC/bench/table.py" <"$BUILD/bench_step_fifo.txt"
else
    echo "== (3) SCHED_FIFO refused here (no rtprio limit): no real-time step run =="
fi

echo
echo "== render speed next to fluidsynth -F =="
"$SRC/bench/render_speed.sh" "$BUILD" 10

# Soak: every shipped model rendered for LJ_SOAK_MINUTES of music (default
# 10; the ambient bar is 30) through the engine and the audio callback, checked
# for stuck notes, silences and loops. LJ_SOAK_MINUTES=0 skips it.
SOAK=${LJ_SOAK_MINUTES:-10}
if [ "$SOAK" != 0 ]; then
    echo
    echo "== soak: $SOAK min of every shipped model (render --model) =="
    "$SRC/bench/soak.sh" "$BUILD" "$SOAK" || echo "soak: a check failed (see above)"
fi

# The live soak: lstmjam play on jackd -d dummy (48 kHz, period 128) for the
# same LJ_SOAK_MINUTES, the largest shipped model at 400 BPM, audio and JACK
# MIDI out: xruns, drops, callback time, MIDI-out timing error histogram.
if [ "$SOAK" != 0 ]; then
    echo
    echo "== live soak: lstmjam play on jackd -d dummy for $SOAK min =="
    "$SRC/bench/play_soak.sh" "$BUILD" "$SOAK" || echo "play soak: did not run (see above)"
fi

# MIDI thru latency: the player's note to its sound, lstmjam next to
# fluidsynth's own JACK client, by the same probe on the same server.
echo
echo "== MIDI thru latency: lstmjam play next to fluidsynth -a jack -m jack =="
"$SRC/bench/play_thru.sh" "$BUILD" 30 || echo "play thru: did not run (see above)"

# Training parity: lstmjam and PyTorch train the same recipes from the same
# weights on the same batches (tools/parity.sh); the curves and PNGs go to
# BUILD/parity (docs/ holds the committed ones). About 20 min on this machine.
echo
echo "== training parity with PyTorch: psd-nottingham 3000 steps, nottingham-chars-small 1500 (LJ_BENCH_PARITY=0 skips) =="
if [ "${LJ_BENCH_PARITY:-1}" != 0 ]; then
    LJ_PARITY_OUT="$BUILD/parity" "$SRC/tools/parity.sh" "$BUILD" || echo "parity: a recipe above the limit, or did not run (see above)"
fi
