#!/bin/sh
# The ALSA sequencer ports and the PortMidi devices end to end, with
# alsa-utils as the independent peers, where the sequencer exists
# (/dev/snd/seq: the snd-seq module); on a machine without it (this project's
# VMs and CI) the test is skipped, 77, not passed, as the issue asks of device
# tests. tools/alsa-vm.sh runs it in a QEMU VM whose kernel has ALSA
# (make test-alsa-vm).
#   out: play --no-audio --midi-out alsa:aseqdump for 3 s: aseqdump gets every
#        note-on of the session MIDI and nothing is left on at the end (each
#        note-on ended by its note-off or the closing all-notes-off);
#   in:  play --mode steer --midi-in alsa while aplaymidi plays a MIDI file
#        into lstmjam-midi:0: the summary counts the phrase's 3 notes.
# PortMidi (its ALSA backend), where snd-seq-dummy's Midi Through port exists
# (and snd-virmidi's ports for the input case); each is reported SKIP without:
#   pm-out: play --no-audio --midi-out "Midi Through" (a PortMidi output by
#        name), aseqdump and arecordmidi listening at Midi Through's other
#        side: every note, none left on, as above; and the notes leave at their
#        scheduled times: each interval between two of the model's note-ons at
#        arecordmidi (the sequencer stamps each event as it arrives, 1 ms
#        ticks) minus the same interval in play --event-log is within
#        LJ_PM_TOLERANCE_MS (3 ms: the stamps are whole ms, the sequencer's hrtimer
#        adds its own jitter), from LJ_PM_SETTLE_S (0.5 s) after the first note
#        on: in the emulated VM the sender's first passes run cold (code
#        translated and paged in over 9p) and left the first chords 5-17 ms
#        late, which a real machine does not show. A stamp in the wrong unit or
#        on the wrong clock misses it; one off by a constant (the latency) does
#        not, as it moves every note alike. In the emulated VM on a loaded
#        host a sender stalled mid-session by up to 18 ms (5 of 9 intervals
#        over 3 ms in one run of 3): make test-alsa-vm allows 25 ms;
#   pm-in: play --midi-in "VirMIDI C-0" (a PortMidi input by name) while amidi
#        writes three notes into that virtual raw MIDI port: the summary counts
#        3 player notes, and they come out of --midi-out "Midi Through" on the
#        thru channel (2) with their note-offs, nothing left on.
#   devices: lstmjam devices lists Midi Through and the VirMIDI ports as
#        PortMidi inputs and outputs, and the snd-aloop card as an audio output.
#   audio: where an snd-aloop card (Loopback) exists, play on PortAudio's ALSA
#        host API into its playback side for 3 s while arecord records the
#        capture side: exit 0, nothing left on, and the recording is not silent.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
[ -c /dev/snd/seq ] || { echo "SKIP: no ALSA sequencer here (/dev/snd/seq; modprobe snd-seq)"; exit 77; }
for t in aseqdump aconnect aplaymidi midicsv; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed (alsa-utils)"; exit 77; }
done
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 64 7 || { echo "FAIL cannot make the test model"; exit 1; }
dump_pid= rec_pid=
trap 'kill $dump_pid $rec_pid 2>/dev/null; rm -rf "$tmp"' EXIT

# check_dump NAME DUMP SESSION.mid PLAYER_NOTES: the aseqdump capture DUMP has
# as many note-ons as the session MIDI (model and player), PLAYER_NOTES of
# them on the thru channel (2: aseqdump's channel 1), and nothing left on.
check_dump() {
    want=$(midicsv "$3" | awk -F', ' '$3=="Note_on_c" && $6>0 {n++} END {print n+0}')
    # aseqdump: " 128:0   Note on                 0, note 60, velocity 100"
    awk -v name="$1" -v want="$want" -v want_thru="$4" '
        /Note on/ || /Note off/ {
            ch = $0; sub(/.*(on|off) */, "", ch); sub(/,.*/, "", ch)
            note = $0; sub(/.*note /, "", note); sub(/,.*/, "", note)
            vel = $0; sub(/.*velocity /, "", vel)
            k = ch ":" note
            if ($0 ~ /Note on/ && vel + 0 > 0) { ons++; thru += ch == 1; held[k]++ }
            else if (held[k] > 0) held[k]--; else stray++
        }
        /Control change/ && /controller 123/ {
            ch = $0; sub(/.*change */, "", ch); sub(/,.*/, "", ch)
            for (k in held) if (index(k, ch ":") == 1) held[k] = 0
        }
        END {
            left = 0; for (k in held) left += held[k]
            printf "%s: aseqdump got %d note-ons (session MIDI %d), %d on the thru channel, %d left on, %d note-offs with no note on\n", name, ons, want, thru, left, stray
            exit !(ons >= 3 && ons == want && thru + 0 == want_thru && left == 0 && stray == 0)
        }' "$2" || { echo "FAIL $1: the peer did not get every note, or a note was left on"; fail=1; }
}
# start_dump SRC: aseqdump (listening to SRC, or as a port of its own) into $tmp/dump.txt
start_dump() {
    aseqdump ${1:+-p "$1"} >"$tmp/dump.txt" 2>&1 &
    dump_pid=$!
    for i in $(seq 1 50); do aconnect -o 2>/dev/null | grep -q "'aseqdump'" && break; sleep 0.1; done
}
stop_dump() { sleep 0.3; kill $dump_pid 2>/dev/null; wait $dump_pid 2>/dev/null; dump_pid=; }

start_dump
"$BIN" play --model "$tmp/ev.lstm" --no-audio --midi-out alsa:aseqdump --seconds 3 --tempo 300 --seed 5 \
    --record "$tmp/out.mid" >"$tmp/out.txt" 2>"$tmp/out.err"
rc=$?
stop_dump
cat "$tmp/out.txt"
[ $rc = 0 ] || { echo "FAIL out: play exit $rc"; cat "$tmp/out.err"; fail=1; }
check_dump out "$tmp/dump.txt" "$tmp/out.mid" 0

# in: a few notes from aplaymidi into the input port while play steers
printf '0, 0, Header, 0, 1, 480\n1, 0, Start_track\n1, 0, Tempo, 500000\n1, 0, Note_on_c, 1, 60, 90\n1, 240, Note_off_c, 1, 60, 0\n1, 240, Note_on_c, 1, 64, 90\n1, 480, Note_off_c, 1, 64, 0\n1, 480, Note_on_c, 1, 67, 90\n1, 720, Note_off_c, 1, 67, 0\n1, 720, End_track\n0, 0, End_of_file\n' \
    | csvmidi >"$tmp/phrase.mid" 2>/dev/null || { echo "FAIL csvmidi"; exit 1; }
# until SIGTERM (a quit, like q) after the phrase, as pm-in below
"$BIN" play --model "$tmp/ev.lstm" --no-audio --midi-out alsa --midi-in alsa --mode steer --seconds 60 \
    --seed 5 >"$tmp/in.txt" 2>"$tmp/in.err" &
play_pid=$!
for i in $(seq 1 50); do aconnect -o 2>/dev/null | grep -q "'lstmjam-midi'" && break; sleep 0.1; done
aplaymidi -p lstmjam-midi:0 "$tmp/phrase.mid" || { echo "FAIL aplaymidi could not play into lstmjam-midi:0"; fail=1; }
sleep 0.5
kill -TERM $play_pid
wait $play_pid
rc=$?
cat "$tmp/in.txt"
[ $rc = 0 ] || { echo "FAIL in: play exit $rc"; cat "$tmp/in.err"; fail=1; }
grep -q "^played .* 3 from the player" "$tmp/in.txt" && echo "ok   in: the player's 3 notes arrived" \
    || { echo "FAIL in: the summary does not count the phrase's 3 notes (lstmjam-midi:in)"; fail=1; }

# ---- PortMidi ----
if ! aconnect -o 2>/dev/null | grep -q "'Midi Through'"; then
    echo "SKIP pm-out, pm-in: no Midi Through port (modprobe snd-seq-dummy)"
elif ! command -v arecordmidi >/dev/null || ! command -v amidi >/dev/null; then
    echo "SKIP pm-out, pm-in: no arecordmidi or amidi (alsa-utils)"
else
    # pm-out: the model's notes to the PortMidi output "Midi Through"
    start_dump "Midi Through"
    arecordmidi -p "Midi Through" -b 120 -t 500 "$tmp/pm_cap.mid" 2>"$tmp/rec.err" &
    rec_pid=$!
    for i in $(seq 1 50); do aconnect -o 2>/dev/null | grep -q "'arecordmidi'" && break; sleep 0.1; done
    "$BIN" play --model "$tmp/ev.lstm" --no-audio --midi-out "Midi Through" --seconds 3 --tempo 300 --seed 5 \
        --record "$tmp/pm_out.mid" --event-log "$tmp/pm_out.log" >"$tmp/pm_out.txt" 2>"$tmp/pm_out.err"
    rc=$?
    stop_dump
    kill $rec_pid 2>/dev/null; wait $rec_pid 2>/dev/null; rec_pid=
    cat "$tmp/pm_out.txt"
    [ $rc = 0 ] || { echo "FAIL pm-out: play exit $rc"; cat "$tmp/pm_out.err"; fail=1; }
    grep -q "^MIDI out: PortMidi Midi Through" "$tmp/pm_out.txt" || { echo "FAIL pm-out: not on PortMidi"; fail=1; }
    check_dump pm-out "$tmp/dump.txt" "$tmp/pm_out.mid" 0
    # the capture's note-ons in seconds (arecordmidi: 500 ticks per beat at
    # 120 BPM, 1 ms each), paired in order with the scheduled ones (frames at 48 kHz)
    midicsv "$tmp/pm_cap.mid" 2>/dev/null | awk -F', ' '
        $3 == "Header" { div = $6 } $3 == "Tempo" { us = $4 }
        $3 == "Note_on_c" && $6 > 0 { printf "cap %.6f %d\n", $2 * us / 1e6 / div, $5 }' >"$tmp/pm_times.txt"
    awk '$2 == "model" && $3 == "note_on" && $6 > 0 { printf "sched %.6f %d\n", $1 / 48000, $5 }' "$tmp/pm_out.log" \
        >>"$tmp/pm_times.txt"
    awk -v tol="${LJ_PM_TOLERANCE_MS:-3}" -v settle="${LJ_PM_SETTLE_S:-0.5}" '
        $1 == "sched" { ns++; st[ns] = $2; sk[ns] = $3 }
        $1 == "cap" { nc++; ct[nc] = $2; ck[nc] = $3 }
        END {
            worst = 0; bad = 0; keys = 0; early = 0; judged = 0
            for (i = 1; i <= ns && i <= nc; i++) {
                if (sk[i] != ck[i]) keys++
                if (i == 1) continue
                if (st[i-1] - st[1] < settle) { early++; continue }
                judged++
                e = ((ct[i] - ct[i-1]) - (st[i] - st[i-1])) * 1000
                if (e < 0) e = -e
                if (e > worst) worst = e
                if (e > tol) { bad++; printf "  interval %d: scheduled %.1f ms, captured %.1f ms\n", i, (st[i] - st[i-1]) * 1000, (ct[i] - ct[i-1]) * 1000 }
            }
            printf "pm-out timing: %d scheduled, %d captured note-ons, %d keys out of order; %d intervals from %s s on: worst error %.2f ms, %d over %s ms (%d before, not judged)\n", ns, nc, keys, judged, settle, worst, bad, tol, early
            exit !(ns >= 3 && ns == nc && keys == 0 && judged >= 5 && bad == 0)
        }' "$tmp/pm_times.txt" || { echo "FAIL pm-out: the notes did not leave at their scheduled times"; fail=1; }

    # pm-in: three notes written into a virtual raw MIDI port, read by PortMidi
    # amidi -l: "IO  hw:1,0    Virtual Raw MIDI (16 subdevices)", the
    # sequencer port (PortMidi's name) "VirMIDI 1-0"
    vm=$(amidi -l 2>/dev/null | awk '/Virtual Raw MIDI/ {split($2, d, /[:,]/); print $2, "VirMIDI " d[2] "-" d[3]; exit}')
    if [ -z "$vm" ]; then
        echo "SKIP pm-in: no snd-virmidi port (modprobe snd-virmidi)"
    else
        vm_hw=${vm%% *} vm_name=${vm#* }
        start_dump "Midi Through"
        # until SIGTERM (a quit, like q) after the notes: in the emulated VM on
        # a loaded host a fixed --seconds was over before the last note came
        "$BIN" play --model "$tmp/ev.lstm" --no-audio --midi-in "$vm_name" --midi-out "Midi Through" --mode steer \
            --seconds 60 --seed 5 --record "$tmp/pm_in.mid" >"$tmp/pm_in.txt" 2>"$tmp/pm_in.err" &
        play_pid=$!
        # PortMidi subscribes to the port when it opens the input
        for i in $(seq 1 50); do
            aconnect -l 2>/dev/null | grep -A2 "'$vm_name *'" | grep -q "Connecting To" && break
            sleep 0.1
        done
        # written to the raw MIDI device by the shell's printf, not amidi: a
        # process start takes ~1 s in the emulated VM (tools/alsa-vm.sh)
        vm_dev=/dev/snd/midiC$(echo "$vm_hw" | sed 's/hw:\([0-9]*\),\([0-9]*\)/\1D\2/')
        for n in 074 100 103; do # C4 E4 G4 (octal)
            { printf "\220\\$n\\132" >"$vm_dev" && sleep 0.2 && printf "\200\\$n\\100" >"$vm_dev" && sleep 0.1; } \
                || { echo "FAIL pm-in: cannot write to $vm_dev"; fail=1; }
        done
        sleep 0.5
        kill -TERM $play_pid
        wait $play_pid
        rc=$?
        stop_dump
        cat "$tmp/pm_in.txt"
        [ $rc = 0 ] || { echo "FAIL pm-in: play exit $rc"; cat "$tmp/pm_in.err"; fail=1; }
        grep -q "^MIDI in: PortMidi $vm_name" "$tmp/pm_in.txt" || { echo "FAIL pm-in: not on PortMidi"; fail=1; }
        grep -q "^played .* 3 from the player" "$tmp/pm_in.txt" && echo "ok   pm-in: the player's 3 notes arrived" \
            || { echo "FAIL pm-in: the summary does not count the player's 3 notes"; fail=1; }
        check_dump pm-in "$tmp/dump.txt" "$tmp/pm_in.mid" 3
    fi
fi

# devices: what PortMidi and PortAudio see here
"$BIN" devices >"$tmp/dev.txt" 2>&1 || { echo "FAIL devices: exit $?"; fail=1; }
awk '/^MIDI devices/ {m = 1} /^JACK/ {m = 0} m' "$tmp/dev.txt" >"$tmp/dev_midi.txt"
want_dev=
aconnect -o 2>/dev/null | grep -q "'Midi Through'" && want_dev="Midi Through Port-0"
for n in $(amidi -l 2>/dev/null | awk '/Virtual Raw MIDI/ {split($2, d, /[:,]/); print d[2] "-" d[3]}'); do
    want_dev="$want_dev|VirMIDI $n"
done
missing=$(echo "${want_dev#|}" | tr '|' '\n' | while read -r d; do
    [ -z "$d" ] && continue
    grep -q "$d (input)" "$tmp/dev_midi.txt" && grep -q "$d (output)" "$tmp/dev_midi.txt" || echo "$d"
done)
card=$(aplay -l 2>/dev/null | awk '/^card [0-9]+: Loopback/ {sub(":", "", $2); print $2; exit}')
[ -n "$card" ] && ! grep -q "ALSA: Loopback: .*(hw:$card,0)" "$tmp/dev.txt" && missing="$missing Loopback(hw:$card,0)"
if [ -z "$want_dev$card" ]; then echo "SKIP devices: no Midi Through, VirMIDI or Loopback here"
elif [ -z "$missing" ]; then echo "ok   devices: lists $(echo "${want_dev#|}" | sed 's/|/, /g')${card:+ and Loopback (hw:$card,0)}"
else echo "FAIL devices: does not list: $missing"; cat "$tmp/dev.txt"; fail=1; fi

# audio: PortAudio's ALSA host API into snd-aloop, arecord on the other side
if [ -z "$card" ]; then
    echo "SKIP audio: no snd-aloop card (modprobe snd-aloop)"
elif ! command -v arecord >/dev/null; then
    echo "SKIP audio: no arecord (alsa-utils)"
else
    # arecord from before play starts until after it ends
    arecord -q -D "hw:$card,1,0" -f S16_LE -r 48000 -c 2 -t raw -d 60 "$tmp/cap.raw" 2>"$tmp/arecord.err" &
    rec_pid=$!
    sleep 0.3
    "$BIN" play --model "$tmp/ev.lstm" --device "(hw:$card,0)" --seconds 3 --tempo 300 --seed 5 \
        >"$tmp/audio.txt" 2>"$tmp/audio.err"
    rc=$?
    sleep 0.3
    kill -INT $rec_pid 2>/dev/null; wait $rec_pid 2>/dev/null; rec_pid=
    cat "$tmp/audio.txt"
    [ $rc = 0 ] || { echo "FAIL audio: play exit $rc"; cat "$tmp/audio.err"; fail=1; }
    grep -q "^audio: ALSA: Loopback" "$tmp/audio.txt" || { echo "FAIL audio: not on the Loopback card"; fail=1; }
    grep -q "^played .* 0 notes left on" "$tmp/audio.txt" || { echo "FAIL audio: notes left on"; fail=1; }
    # peak and RMS of the capture (16-bit samples), and how much of it sounds
    # (10 ms blocks with a peak over 100)
    od -An -t d2 -v "$tmp/cap.raw" | awk '
        { for (i = 1; i <= NF; i++) { v = $i < 0 ? -$i : $i; if (v > peak) peak = v; if (v > bpk) bpk = v
              s += $i * $i; n++; if (n % 960 == 0) { blocks++; loud += bpk > 100; bpk = 0 } } }
        END {
            printf "audio: arecord got %.2f s, peak %d, RMS %.1f, %d of %d 10-ms blocks sounding\n", n / 96000, peak, n ? sqrt(s / n) : 0, loud, blocks
            exit !(n >= 96000 && peak > 1000 && loud >= 50)
        }' || { echo "FAIL audio: the capture is silent or short"; cat "$tmp/arecord.err"; fail=1; }
fi
exit $fail
