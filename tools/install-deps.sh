#!/bin/sh
# Install, with apt-get, the Debian 12 packages lstmjam needs that are missing.
# Idempotent and quiet when everything is already there.
#   tools/install-deps.sh run      what building and running lstmjam needs (make run)
#   tools/install-deps.sh          that + the test tools and oracles (make test, make build)
#   LJ_DEPS_EXTRA=0 tools/...      skip the large golden-number generator (python3-torch)
set -eu

# Build and run: compiler, CMake, libraries (see docs/ARCHITECTURE.md,
# "Dependencies"; cmocka because CMake configures the tests with the rest),
# and the GM SoundFont lstmjam prefers to its own.
PKGS="build-essential cmake pkg-config
portaudio19-dev libportmidi-dev libfluidsynth-dev libopenblas-dev
libsndfile1-dev libyaml-dev libcjson-dev libcairo2-dev libasound2-dev
libjack-jackd2-dev libcmocka-dev timgm6mb-soundfont"
if [ "${1:-all}" != run ]; then
    # Tests: sanitizer and fuzz builds (clang), a JACK server and ALSA tools
    # for the device tests, the oracles (abc2midi, midicsv, fluidsynth), and
    # numpy + yaml for the Python checks (tools/longform_check.py, mgeval.py),
    # procps for the live tests (ps -L reads play's thread priorities, pgrep
    # finds a running jackd).
    PKGS="$PKGS clang libclang-rt-14-dev jackd2 alsa-utils abcmidi midicsv fluidsynth
    python3-numpy python3-yaml procps"
    # Reference implementation for golden numbers (large; only the generator needs it).
    if [ "${LJ_DEPS_EXTRA:-1}" = 1 ]; then PKGS="$PKGS python3-torch"; fi
fi

missing=""
for p in $PKGS; do
    # dpkg-query prints "install ok installed" for a fully installed package.
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-deps: not root and no sudo; install these by hand:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
# jackd2 asks whether to enable realtime priority; answer for it.
echo "jackd2 jackd/tweak_rt_limits boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"
