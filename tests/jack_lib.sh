# The private JACK server of the end-to-end tests and the live soak (sourced
# after $tmp exists, e.g. after tests/cli_lib.sh):
#   jack_test_setup [TOOL...]
# the end-to-end tests' common start: a skip (exit 77) unless jackd, jack_lsp
# and every TOOL are installed, then the random-weight event model they play
# ($LJ_MAKE_MODEL: 64 units, seed 7) in $tmp/ev.lstm (exit 1 if it fails).
#   jack_dummy_start NAME [TRIES]
# starts `jackd -d dummy` at 48 kHz, 128 frames (the issue's test setting;
# $JACK_PERIOD overrides the frames, for the soak's period sweep) as
# server NAME_<pid> (exported in JACK_DEFAULT_SERVER, so every JACK client of
# the script uses it and parallel tests never share one), its pid in
# $jackd_pid and its log in $tmp/jackd.log, and waits until jack_lsp sees it
# (at least TRIES half-seconds, default 10; polled every 0.1 s: jackd comes up
# in ~2.7 s here, and polls 0.5 s apart lost ~0.4 s a test). A server that
# does not come up is a skip (exit 77), not a failure: the machine cannot run
# the test. The caller's EXIT trap kills $jackd_pid.
jack_dummy_start() {
    export JACK_DEFAULT_SERVER="$1_$$"
    jackd -n "$JACK_DEFAULT_SERVER" -d dummy -r 48000 -p "${JACK_PERIOD:-128}" >"$tmp/jackd.log" 2>&1 &
    jackd_pid=$!
    jack_tries=$((${2:-10} * 5))
    while [ "$jack_tries" -gt 0 ]; do
        jack_lsp >/dev/null 2>&1 && return 0
        sleep 0.1
        jack_tries=$((jack_tries - 1))
    done
    if grep -q "Too many servers already active" "$tmp/jackd.log"; then
        # jackd keeps 8 servers in /dev/shm/jack-shm-registry; one that did
        # not exit cleanly holds its slot until a server of the same name
        # starts (and reclaims it): unique names never do.
        echo "SKIP: jackd -d dummy did not start: too many JACK servers registered" \
            "(stale: start and stop a jackd under each name in /dev/shm/jack-shm-registry)"
    else
        echo "SKIP: jackd -d dummy did not start: $(tail -3 "$tmp/jackd.log")"
    fi
    exit 77
}

jack_test_setup() {
    for t in jackd jack_lsp "$@"; do
        command -v "$t" >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
    done
    "${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 64 7 || { echo "FAIL cannot make the test model"; exit 1; }
}
