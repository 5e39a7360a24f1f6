# Thin wrappers around CMake/ctest. `make run` and `make test` do all set-up on a
# fresh Debian 12 machine (tools/install-deps.sh installs what is missing).
BUILD      ?= build
ASAN_BUILD ?= build-asan
# The sanitizer build keeps asserts and debug info but optimises a little:
# -O1 is what ASan's authors recommend, and the training tests' kernels run
# about a third faster than at -O0 (train_frames: 8.5 -> 5.4 s of CPU for one
# 150-step NADE run), which keeps make test within its ten minutes. -g1: line
# tables (file:line of every frame, inlined ones too, in a sanitizer's report)
# without the variables' debug info, which took a quarter of the compile time
# (5 host files under ASan: 11.1-11.9 s at -g, 8.5 s at -g1).
SANITIZE_CFLAGS ?= -g1 -O1
SANITIZE_CMAKE = -DLJ_WERROR=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="$(SANITIZE_CFLAGS)"
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
# The tests labelled live play in real time on a private JACK server each and
# check timing: each ctest run below leaves them to a pass of their own after
# the others, LIVE_JOBS at a time (beside a CPU-bound test they would miss
# deadlines), and fails if either pass failed. LIVE_JOBS=2 takes ~40 s off
# each pass (they mostly wait) and passed 7 live passes on this 2-core machine
# at loads of 3-10, but failed 2 of 3 in a row at a load of 8-9 while other
# JACK tests ran beside them (play_midi_clock, play_modes, play_midi_out off
# their grid), where one at a time passed 2 of 2: 1 until 2 has passed
# repeatedly on a quiet CI machine.
#   $(call ctest_passes,ARGS OF THE FIRST PASS,ARGS OF THE LIVE PASS)
CTEST      = ctest --output-on-failure
LIVE_JOBS  ?= 1
ctest_passes = { $(CTEST) -j $(JOBS) $(1); rc=$$?; $(CTEST) -j $(LIVE_JOBS) $(2) && exit $$rc; }

.PHONY: all deps deps-run build run test test-fast bench fuzz clean

all: build

deps:
	@tools/install-deps.sh

# What building and running needs, without the test tools (make run).
deps-run:
	@tools/install-deps.sh run

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DLJ_WERROR=ON

build: deps $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS)

# The first run: play the default preset live (ambient; LJ_PRESET=NAME for
# another), or render 30 s of it to out/demo.wav without an audio device
# (LJ_RENDER=1: render even with one). Installs and builds only what running
# needs (the lstmjam target, not the tests and benchmarks).
run: deps-run $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS) --target lstmjam
	@tools/demo.sh $(BUILD)/lstmjam

# Everything: the normal build, then an ASan+UBSan build of all tests (which
# also replays the fuzz regression corpora under the sanitizers), then a TSan
# build of the threaded tests.
test: build
	cd $(BUILD) && $(call ctest_passes,-LE '^live$$',-L '^live$$')
	@cmake -S . -B $(ASAN_BUILD) -DLJ_SANITIZE=address,undefined $(SANITIZE_CMAKE) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp && \
	    $(call ctest_passes,-LE '^(slow|live)$$',-L '^live$$' -LE '^slow$$')
	@cmake -S . -B $(TSAN_BUILD) -DLJ_SANITIZE=thread $(SANITIZE_CMAKE) >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target test_rtq test_engine_thread test_sgemm test_sched_swap test_close_bounded
	cd $(TSAN_BUILD) && $(CTEST) -j $(JOBS) -L threads

# Only the normal build's fast tests (for the edit-compile loop).
test-fast: build
	cd $(BUILD) && $(call ctest_passes,-L unit -LE '^live$$',-L '^live$$')

# The ALSA sequencer, PortMidi and ALSA PCM cases of tests/midi_alsa.sh, which
# skip (77) where /dev/snd/seq is missing (make test here and in CI), run
# inside a QEMU VM booting Debian 12's kernel with its sound modules
# (tools/alsa-vm.sh; the first run downloads the kernel package, ~70 MB, into
# ~/.cache/lstmjam-alsa-vm). TCG emulation: about 2 min, so not in make test;
# PortMidi's timing gets 25 ms there (see tests/midi_alsa.sh).
# ALSA_VM_SKIP_SETUP=1 (CI): a VM that cannot be set up (tools/alsa-vm.sh exit
# 125: no download, no QEMU) or a guest without the sequencer (77) is reported
# as skipped, not failed; a case that fails still fails.
PM_TOLERANCE_MS ?= 25
.PHONY: test-alsa-vm
test-alsa-vm: build
	@rc=0; LJ_SOURCE_DIR=$(CURDIR) LJ_BIN=$(abspath $(BUILD))/lstmjam \
	    LJ_MAKE_MODEL=$(abspath $(BUILD))/tests/make_event_model LJ_PM_TOLERANCE_MS=$(PM_TOLERANCE_MS) \
	    tools/alsa-vm.sh sh $(CURDIR)/tests/midi_alsa.sh || rc=$$?; \
	if [ $$rc = 0 ]; then echo "test-alsa-vm: passed"; \
	elif [ -n "$(ALSA_VM_SKIP_SETUP)" ] && { [ $$rc = 125 ] || [ $$rc = 77 ]; }; then \
	    echo "test-alsa-vm: SKIPPED (exit $$rc: the VM or its sequencer could not be set up)"; \
	else echo "test-alsa-vm: FAILED (exit $$rc)"; exit 1; fi

bench: build
	@bench/run.sh $(BUILD)

# libFuzzer with ASan+UBSan (clang); each harness runs FUZZ_SECONDS, new
# findings land in $(FUZZ_BUILD)/findings/NAME.
fuzz: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DLJ_FUZZ=ON -DLJ_SANITIZE=address,undefined \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@tools/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
