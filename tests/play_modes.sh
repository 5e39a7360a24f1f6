#!/bin/sh
# `lstmjam play` modes and live controls end to end on a headless JACK server
# (jackd -d dummy, 48 kHz, 128 frames), as a MIDI generator (--no-audio, MIDI
# out to jack_midi_dump) with a JACK MIDI player (tests/jack_send: the test
# decides when each message goes, after waiting for what lstmjam shows: its
# status line, or its notes at the dump; no fixed sleep decides a verdict).
# The player plays on channel 16, so its messages, which also reach the dump,
# are told apart from the model's (channel 1).
#
# Run "controls" (auto mode): CC 74 (density) 0 then 127: the status line
#   shows D 0.25 then D 4.00, and the model plays more notes per second at
#   the high density (counted at the dump over 2 s after each change has
#   had 1 s to reach the music); CC 1 (temperature) 64: the status line shows
#   T 1.06; CC 123: within the look-ahead (plus 50 ms for the engine thread's
#   wake-up on a loaded machine) MIDI out sends a panic, and by then every
#   model note that was on has its note-off (a note table over the dump; a
#   note-off play's event log has before the panic may miss the dump only
#   with a cycle jackd logged lstmjam-out or the dump unfinished);
#   the model plays on; CC 70 (mode) 30 then 90: the status line shows
#   continue, the model falls silent (no note-on from one look-ahead after
#   the change until the next), then steer: it plays again. Pitch bend
#   (ef 00 7f), channel pressure (df 40) and poly pressure (af 3c 40) pass
#   thru to MIDI out and the session MIDI, and play's closing panic sends
#   the bend back to the centre. The sustain pedal (down, up) and expression
#   go into the session MIDI on the thru channel; the mapped CCs 1, 70, 74
#   do not.
# Runs "steer" and "accompany", each against a reference run "alone" (steer,
#   same seed, nobody playing): the session MIDI (the engine's own frames:
#   960 ticks per second) of the model before the player's first note is
#   the reference's, to the tick; after it, steer: every model note sounding
#   at the player's note ends within one look-ahead (+50 ms), and the model's
#   music differs from the reference's from there on (the player's notes are
#   in its context); accompany: the model's notes sounding at the player's
#   first note are not cut (the last ends later than one look-ahead +50 ms: the
#   model's own note-offs) and its music differs from the reference after
#   the player's first note. In both, every player note is
#   fed to the model (the summary's engine line: all 3, or all that reached
#   play's event log where jackd logged a cycle of lstmjam-midi or jack_send
#   unfinished), nothing is dropped or late, every note is paired.
# Each dump is read without the messages JACK delivered twice, a period
# later, from a client that missed a cycle (tests/jack_lib.sh's
# jack_dump_repeats: no more such periods than jackd logged missed cycles).
# Run "respond" (the default 0.6 s silence): the player plays C4, E4, G4,
#   250 ms each; at the dump (its frames) the model plays nothing before the
#   player, and its first note-on comes at least 0.6 s minus one period (the
#   cycle the note-off is read in) after the player's last note-off.
# Skipped (77) without jackd, jack_midi_dump or midicsv.
. "$LJ_SOURCE_DIR/tests/cli_lib.sh"
for t in jackd jack_lsp jack_midi_dump midicsv stdbuf; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
SEND=${LJ_JACK_SEND:?}
"${LJ_MAKE_MODEL:?}" "$tmp/ev.lstm" 64 7 || { echo "FAIL cannot make the test model"; exit 1; }
dump_pid= play_pid=
trap 'kill $play_pid $dump_pid $jackd_pid 2>/dev/null; wait $jackd_pid 2>/dev/null; rm -rf "$tmp"' EXIT
. "$LJ_SOURCE_DIR/tests/jack_lib.sh"
jack_dummy_start lstmjam_modes

LA_MS=40
LA_FRAMES=1920 # 40 ms at 48 kHz
SLACK_FRAMES=2400 # 50 ms: the engine thread's wake-up on a loaded machine

# wait_for FILE ERE SECONDS: polls until FILE has a line matching ERE.
wait_for() {
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        grep -Eq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL timed out after $3 s waiting for /$2/ in $(basename "$1")"
    return 1
}
# send_until FILE ERE MSG: the player sends MSG (a line for jack_send on fd
# 3) and waits 5 s for FILE to match ERE; when it does not and jackd logged,
# since the send, lstmjam-midi or jack_send not finishing a cycle (the
# message lost with it: the ASan pass of a fresh clone, 2026-12-01, at 47
# xruns a second, never saw CC 74 = 127), it sends MSG once more and says
# so. A control lstmjam ignores still fails: twice.
send_until() {
    send_from=$(($(wc -l <"$tmp/jackd.log") + 1))
    sends=1 # how many times MSG went (a check that counts what arrived allows as many)
    printf '%s\n' "$3" >&3
    i=0
    while [ $i -lt 50 ]; do
        grep -Eq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1; i=$((i + 1))
    done
    if tail -n +"$send_from" "$tmp/jackd.log" | grep -qE "client = (lstmjam-midi|jack_send) was not finished"; then
        echo "note: '$3' not taken after 5 s; jackd logged lstmjam-midi or jack_send missing a cycle: sent again"
        sends=2
        printf '%s\n' "$3" >&3
        wait_for "$1" "$2" 5
        return
    fi
    echo "FAIL timed out after 5 s waiting for /$2/ in $(basename "$1") after '$3'"
    return 1
}
# model_ons FILE: the model's note-ons at the dump so far.
model_ons() { awk '$2 ~ /^90$/ && $4 != "00" {n++} END {print n+0}' "$1"; }
# wait_model_ons FILE N SECONDS
wait_model_ons() {
    i=0
    while [ $i -lt $(($3 * 10)) ]; do
        [ "$(model_ons "$1")" -ge "$2" ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL timed out after $3 s waiting for $2 model notes at the dump"
    return 1
}

# start NAME SECONDS play-options...: jack_midi_dump "dNAME", then play with
# MIDI in and out on JACK; waits for its ports and its first status line. The
# player (jack_send) reads $tmp/NAME.fifo, kept open on fd 3.
start() {
    name=$1 secs=$2; shift 2
    stdbuf -oL jack_midi_dump -a "d$name" >"$tmp/$name.dump" 2>/dev/null &
    dump_pid=$!
    for i in $(seq 1 50); do jack_lsp 2>/dev/null | grep -q "d$name:input" && break; sleep 0.1; done
    jack_log_mark
    "$BIN" play --model "$tmp/ev.lstm" --seconds "$secs" --tempo 300 --seed 5 --lookahead $LA_MS \
        --no-audio --midi-in jack --midi-out "jack:d$name:input" --record "$tmp/$name.mid" \
        --event-log "$tmp/$name.log" "$@" \
        >"$tmp/$name.out" 2>"$tmp/$name.err" &
    play_pid=$!
    wait_for "$tmp/$name.err" "^[a-z]+ \| [^ ]+\.lstm \|" 20 || return 1
    rm -f "$tmp/$name.fifo"; mkfifo "$tmp/$name.fifo"
    "$SEND" lstmjam-midi:midi_in "d$name:input" <"$tmp/$name.fifo" >"$tmp/$name.send" 2>&1 &
    send_pid=$!
    exec 3>"$tmp/$name.fifo"
}
# finish NAME: the player stops, play ends (SIGTERM: a clean quit), checks
# exit 0, the summary's drops and lateness; the session as CSV.
finish() {
    exec 3>&-
    if [ -n "$send_pid" ]; then
        wait $send_pid || { echo "FAIL $1: jack_send: $(cat "$tmp/$1.send")"; fail=1; }
        send_pid=
    fi
    kill -TERM $play_pid 2>/dev/null
    wait $play_pid
    rc=$?
    play_pid=
    sleep 0.2
    kill $dump_pid 2>/dev/null; wait $dump_pid 2>/dev/null; dump_pid=
    grep -E "^(played|engine|MIDI out)" "$tmp/$1.out" | sed "s/^/$1: /"
    # the dump without what JACK delivered twice (tests/jack_lib.sh): both
    # lstmjam-out and jack_send write to it
    jack_dump_repeats "$1" "$tmp/$1.dump" "lstmjam-out|jack_send" || fail=1
    missed=$(tail -n +"$jack_log_from" "$tmp/jackd.log" | grep -cE "client = (lstmjam-out|d$1) was not finished")
    [ $rc = 0 ] || { echo "FAIL $1: play exit $rc"; cat "$tmp/$1.err"; fail=1; }
    # (the summary's late count is MIDI out's here, --no-audio: checked below)
    grep "^played" "$tmp/$1.out" | grep -q "dropped 0, " || { echo "FAIL $1: dropped events"; fail=1; }
    # MIDI out: nothing left on, nothing late, in every build: what the
    # engine makes "now" (a steer cut's note-offs, a mode change) goes at the
    # clock plus play's schedule lead (engine_config.schedule_lead_frames)
    grep "^MIDI out: [0-9]* messages," "$tmp/$1.out" | awk '
        { late = $5; left = $13 }
        END { exit !(NR == 1 && left == 0 && late == 0) }' \
        || { echo "FAIL $1: MIDI out late or notes left on"; fail=1; }
    midicsv "$tmp/$1.mid" >"$tmp/$1.csv" || { echo "FAIL $1: midicsv"; fail=1; }
}

# ---- controls: density, temperature, panic, mode ----
if start controls 60; then
    D="$tmp/controls.dump"
    wait_model_ons "$D" 1 10
    send_until "$tmp/controls.err" "\| D 0\.25 \|" "bf 4a 00" && echo "ok   CC 74 = 0: density 0.25 on the status line" || fail=1
    sleep 2 # a window to count notes in (the counts use the dump's frames)
    send_until "$tmp/controls.err" "\| D 4\.00 \|" "bf 4a 7f" && echo "ok   CC 74 = 127: density 4.00 on the status line" || fail=1
    sleep 2
    # (not lower: this random model at T 0.1 writes note-ons without time)
    send_until "$tmp/controls.err" "\| T 1\.06 \|" "bf 01 40" && echo "ok   CC 1 = 64: temperature 1.06 on the status line" || fail=1
    n_before=$(model_ons "$D")
    send_until "$D" "^ *[0-9]+: b0 7b 00" "bf 7b 00" || fail=1
    wait_model_ons "$D" $((n_before + 1)) 10 || fail=1
    send_until "$tmp/controls.err" "^continue \|" "bf 46 1e" && echo "ok   CC 70 = 30: continue on the status line" || fail=1
    sleep 1 # a window of continue mode (the count uses the dump's frames)
    send_until "$tmp/controls.err" "^steer \|" "bf 46 5a" && echo "ok   CC 70 = 90: steer on the status line" || fail=1
    n_cont=$(model_ons "$D")
    wait_model_ons "$D" $((n_cont + 1)) 10 || fail=1
    # the pitch wheel, channel and key pressure pass thru (they were dropped)
    # (thru channel 2: the dump also gets jack_send's af)
    send_until "$D" "^ *[0-9]+: a1 3c 40" "ef 00 7f
df 40
af 3c 40" || fail=1
    bend_sends=$sends
    # the sustain pedal and expression pass thru and are recorded (the
    # session MIDI lacked them: a performance with the pedal played back dry)
    send_until "$D" "^ *[0-9]+: b1 0b 50" "bf 40 7f
bf 0b 50" || fail=1
    down_sends=$sends
    sleep 0.3 # the pedal held 0.3 s: at least 0.25 s (240 ticks) in the file
    send_until "$D" "^ *[0-9]+: b1 40 00" "bf 40 00" || fail=1
    up_sends=$sends
    finish controls
    # MIDI out got the bend as played, and play's closing panic put it back
    # to the centre (no stuck bend in the DAW); the session file has it too
    awk '$2 == "e1" { n++; last = $3 " " $4; if ($3 == "00" && $4 == "7f") up++ }
         $2 == "d1" && $3 == "40" { cp++ }
         END { printf "controls: MIDI out pitch bends %d (up %d, last %s), channel pressure %d\n", n, up, last, cp
               exit !(up >= 1 && up <= sends && last == "00 40" && cp >= 1 && cp <= sends) }' sends=$bend_sends "$D" \
        && echo "ok   pitch bend and pressure thru to MIDI out, re-centred at exit" \
        || { echo "FAIL pitch bend or pressure at MIDI out"; fail=1; }
    awk -F', ' '$3 == "Pitch_bend_c" && $5 == 16256 { b++ } $3 == "Channel_aftertouch_c" && $5 == 64 { c++ }
         $3 == "Poly_aftertouch_c" && $5 == 60 && $6 == 64 { p++ }
         END { printf "controls: session MIDI: %d pitch bend 16256, %d channel pressure 64, %d poly pressure\n", b, c, p
               exit !(b >= 1 && b <= sends && c >= 1 && c <= sends && p >= 1 && p <= sends) }' sends=$bend_sends "$tmp/controls.csv" \
        && echo "ok   pitch bend and pressure in the session MIDI" || { echo "FAIL pitch bend or pressure not recorded"; fail=1; }
    # the player's pedal down then up and expression, on the thru channel;
    # CC 1 (temperature), 70 (mode), 74 (density) drive lstmjam: not there
    awk -F', ' '$3 == "Control_c" && $4 == 1 && $5 == 64 && $6 == 127 { down++; t_down = $2 }
         $3 == "Control_c" && $4 == 1 && $5 == 64 && $6 == 0 { up++; t_up = $2 }
         $3 == "Control_c" && $4 == 1 && $5 == 11 && $6 == 80 { ex++ }
         $3 == "Control_c" && ($5 == 1 || $5 == 70 || $5 == 74) { mapped++ }
         END { printf "controls: session MIDI: sustain down %d up %d (ticks %d, %d), expression %d, mapped CCs %d\n",
                      down, up, t_down, t_up, ex, mapped
               exit !(down >= 1 && down <= dn && up >= 1 && up <= un && t_up - t_down >= 240 && ex >= 1 && ex <= dn && mapped == 0) }' \
        dn=$down_sends un=$up_sends "$tmp/controls.csv" \
        && echo "ok   sustain pedal and expression in the session MIDI, mapped CCs not" \
        || { echo "FAIL player's controllers in the session MIDI"; fail=1; }
    # A model note on at the dump after MIDI out's panic: the notes of a key
    # on at the engine's panic (play's event log) are MIDI out's to end
    # there; those on at the dump beyond them had their note-off scheduled
    # before (the log), which JACK lost with a cycle lstmjam-out or the dump
    # did not finish (allowed, as many as jackd logged such cycles in the
    # run; 1 note in 1 of 7 runs under tools/rt_noise.c's -y -b 3000 -i 12000).
    log_held=$(awk '$2 != "model" { next }
        $3 == "note_on" && $6 > 0 { h[$5]++; next }
        $3 == "note_off" || $3 == "note_on" { if (h[$5] > 0) h[$5]-- }
        $3 == "panic" { for (k in h) if (h[k]) printf " %d:%d", k, h[k]; exit }' "$tmp/controls.log")
    awk -v la=$LA_FRAMES -v slack=$SLACK_FRAMES -v missed="$missed" -v log_held="$log_held" '
        function hex(s) { return index("0123456789abcdef", substr(s, 1, 1)) * 16 + index("0123456789abcdef", substr(s, 2, 1)) - 17 }
        BEGIN { n = split(log_held, lh, " "); for (i = 1; i <= n; i++) { split(lh[i], kv, ":"); in_log[kv[1]] = kv[2] } }
        { t = $1; sub(":", "", t); t += 0; st = $2; d1 = $3; d2 = $4 }
        t != cur_t { cur_t = t; split("", offs_here) }
        st == "bf" && d1 == "4a" && d2 == "00" { lo = t }
        st == "bf" && d1 == "4a" && d2 == "7f" { hi = t }
        st == "bf" && d1 == "01" { t_cc1 = t }
        st == "bf" && d1 == "7b" && !panic { cc123 = t; held_at_cc = 0; for (k in held) if (held[k]) held_at_cc++ }
        st == "bf" && d1 == "46" && d2 == "1e" { cont = t }
        st == "bf" && d1 == "46" && d2 == "5a" { steer = t }
        st == "90" && d2 != "00" {
            held[d1]++
            if (lo && !hi && t >= lo + 48000) n_lo++
            if (hi && !t_cc1 && t >= hi + 48000) n_hi++
            if (cont && !steer && t >= cont + la + slack) in_cont++
            if (steer && t >= steer) after_steer++
        }
        st == "80" || (st == "90" && d2 == "00") { if (held[d1] > 0) held[d1]--; offs_here[d1]++ }
        st == "b0" && d1 == "7b" && cc123 && !panic {
            # per key: notes on at the dump before the panic'"'"'s note-offs (its
            # frame) beyond those on in the event log are JACK'"'"'s (a lost
            # note-off); what stays on beyond that, MIDI out'"'"'s panic left on
            panic = t; left = 0
            for (k in held) if (held[k]) {
                left += held[k]
                extra = held[k] + offs_here[k] - in_log[hex(k)]
                if (held[k] > extra) sink_left += held[k] - (extra > 0 ? extra : 0)
            }
        }
        END {
            bad = 0
            r_lo = n_lo * 48000 / (hi - lo - 48000); r_hi = n_hi * 48000 / (t_cc1 - hi - 48000)
            printf "controls: model notes per second from 1 s after the change to the next: %.1f at density 0.25 (%d), %.1f at 4 (%d)\n", r_lo, n_lo, r_hi, n_hi
            if (!(r_hi > r_lo)) { print "FAIL density 4 did not play more notes than 0.25"; bad = 1 }
            else print "ok   density changes the note rate"
            printf "controls: CC 123 at frame %d, MIDI out panic %d frames later (look-ahead %d); %d model notes on at the CC, %d left on after the panic\n",
                cc123, panic - cc123, la, held_at_cc, left
            if (!panic || panic - cc123 > la + slack) { print "FAIL no panic within the look-ahead after CC 123"; bad = 1 }
            else if (left && (sink_left || left > missed)) {
                printf "FAIL notes left on after the panic: %d on at the engine'"'"'s panic (event log) that MIDI out did not end, %d whose note-off was lost (%d cycles jackd logged lstmjam-out or the dump unfinished)\n", sink_left, left - sink_left, missed; bad = 1
            }
            else if (left) printf "note %d note-offs the event log has before the panic did not reach the dump: lost with the %d cycles jackd logged lstmjam-out or the dump unfinished\n", left, missed
            else print "ok   CC 123 panics within the look-ahead and ends every held note"
            printf "controls: %d model note-ons in continue mode (from one look-ahead after CC 70 = 30), %d after CC 70 = 90 (steer)\n", in_cont, after_steer
            if (in_cont) { print "FAIL the model played on in continue mode without a phrase"; bad = 1 }
            else if (!after_steer) { print "FAIL the model did not play after switching to steer"; bad = 1 }
            else print "ok   CC 70 switches the mode: continue waits, steer plays"
            exit bad
        }' "$D" || fail=1
else
    fail=1
fi

# ---- the reference: steer, nobody playing ----
if start alone 4.5; then
    wait $play_pid
    play_pid=
    exec 3>&-
    wait $send_pid
    kill $dump_pid 2>/dev/null; wait $dump_pid 2>/dev/null; dump_pid=
    midicsv "$tmp/alone.mid" >"$tmp/alone.csv" || { echo "FAIL alone: midicsv"; fail=1; }
else
    fail=1
fi

# play_part NAME MODE: the player comes in after the model's fifth note: three
# notes of 300 ms each (C4, E4, G4), then waits for the model's next note.
play_part() {
    start "$1" 60 --mode "$2" || { fail=1; return 1; }
    wait_model_ons "$tmp/$1.dump" 5 10 || fail=1
    printf "9f 3c 64\nsleep 300\n8f 3c 00\n9f 40 64\nsleep 300\n8f 40 00\n9f 43 64\nsleep 300\n8f 43 00\n" >&3
    exec 3>&-
    wait $send_pid || { echo "FAIL $1: jack_send: $(cat "$tmp/$1.send")"; fail=1; }
    send_pid=
    n=$(model_ons "$tmp/$1.dump")
    wait_model_ons "$tmp/$1.dump" $((n + 1)) 10 || fail=1
    finish "$1"
    # every player note lstmjam got (the event log's) is fed to the model; a
    # message JACK lost at lstmjam-midi's input with a cycle it or jack_send
    # did not finish (as jackd logged; 1 of 7 runs under tools/rt_noise.c:
    # E4's note-off and G4's note-on, sent in one cycle, at the dump and not
    # in play's log) is no note of lstmjam's to feed
    fed=$(sed -n 's/^engine: \([0-9]*\) player notes fed to the model.*/\1/p' "$tmp/$1.out")
    got=$(awk '$2 == "player" && $3 == "note_on" && $6 > 0 { n++ } END { print n + 0 }' "$tmp/$1.log")
    missed_in=$(tail -n +"$jack_log_from" "$tmp/jackd.log" | grep -cE "client = (lstmjam-midi|jack_send) was not finished")
    if [ "$fed" = 3 ]; then
        echo "ok   $1: the 3 player notes fed to the model"
    elif [ -n "$fed" ] && [ "$fed" = "$got" ] && [ "$got" -ge 1 ] && [ "$missed_in" -gt 0 ]; then
        echo "note $1: $got of the 3 player notes reached lstmjam, all fed to the model; jackd logged $missed_in cycles of lstmjam-midi or jack_send unfinished"
    else
        echo "FAIL $1: the player's notes were not all fed to the model ($fed fed, $got in the event log of 3 sent; $missed_in cycles of lstmjam-midi or jack_send unfinished)"; fail=1
    fi
}
# compare NAME MODE: the session MIDI against the reference (see the top).
compare() {
    awk -F', ' -v name="$1" -v mode="$2" -v la_t=$((LA_FRAMES * 960 / 48000)) -v slack_t=$((SLACK_FRAMES * 960 / 48000)) '
        FNR == 1 { file++ }
        # model: track 2; player: track 3
        $3 == "Note_on_c" || $3 == "Note_off_c" {
            on = $3 == "Note_on_c" && $6 > 0
            if (file == 1 && $1 == 2) { if (!a0 && on) a0 = $2; if (a0) { na++; at[na] = $2 - a0; ak[na] = on " " $5 } }
            if (file == 2 && $1 == 3 && on) { if (!p0) p0 = $2; plast = $2 }
            if (file == 2 && $1 == 2) { if (!b0 && on) b0 = $2; if (b0) { nb++; bt[nb] = $2; bk[nb] = on " " $5; bon[nb] = on } }
        }
        END {
            bad = 0
            # B before the player: the reference, event by event (session
            # order within a tick is by pitch in both files)
            same = 1; pre = 0
            for (i = 1; i <= nb && bt[i] < p0; i++) {
                pre++
                d = bt[i] - b0 - at[i]; if (d < 0) d = -d
                if (i > na || ak[i] != bk[i] || d > 1) { same = 0; break }
            }
            first_diff = 0
            for (j = pre + 1; j <= nb; j++) {
                d = bt[j] - b0 - at[j]; if (d < 0) d = -d
                if (j > na || ak[j] != bk[j] || d > 1) { first_diff = bt[j]; break }
            }
            # model notes sounding at the first player note, and when they end
            for (k = 1; k <= nb && bt[k] < p0; k++) { split(bk[k], f, " "); if (f[1]) held[f[2]]++; else if (held[f[2]]) held[f[2]]-- }
            sounding = 0; for (p in held) sounding += held[p]
            late_end = 0
            for (k = pre + 1; k <= nb; k++) { split(bk[k], f, " "); if (!f[1] && held[f[2]] > 0) { held[f[2]]--; if (bt[k] > late_end) late_end = bt[k] } }
            unended = 0; for (p in held) unended += held[p]
            during = 0; for (k = 1; k <= nb; k++) if (bon[k] && bt[k] > p0 && bt[k] < plast) during++
            printf "%s: player from tick %d to %d; %d model events before it, %s the reference; first difference at tick %d (%+d ticks, look-ahead %d); %d model notes sounding at the player'"'"'s note, the last of them ends at %+d ticks; %d model note-ons while the player plays\n",
                name, p0, plast, pre, same ? "equal to" : "NOT equal to", first_diff, first_diff - p0, la_t, sounding, late_end - p0, during
            if (pre < 3 || !same) { print "FAIL " name ": before the player the model is not the reference run"; bad = 1 }
            if (!first_diff) { print "FAIL " name ": the player'"'"'s notes did not change the model'"'"'s music"; bad = 1 }
            if (mode == "steer") {
                if (first_diff - p0 > la_t + slack_t) { print "FAIL steer: the change came later than one look-ahead"; bad = 1 }
                if (unended || late_end - p0 > la_t + slack_t) { print "FAIL steer: the model'"'"'s notes were not cut within one look-ahead"; bad = 1 }
            } else if (sounding && !unended && late_end - p0 <= la_t + slack_t) { print "FAIL accompany: the model'"'"'s notes were cut at the player'"'"'s note"; bad = 1 }
            if (!bad) print "ok   " name ": the model heard the player (" mode ")"
            exit bad
        }' "$tmp/alone.csv" "$tmp/$1.csv" || fail=1
    awk -F', ' '$3=="Note_on_c" && $6>0 {on[$1]++} $3=="Note_off_c" || ($3=="Note_on_c" && $6==0) {off[$1]++}
        END { for (t in on) if (on[t] != off[t]) { print "FAIL unpaired notes on track " t; exit 1 } }' "$tmp/$1.csv" || fail=1
}
play_part steer steer && compare steer steer
play_part accompany accompany && compare accompany accompany

# ---- respond: the answer starts after the silence ----
# (the shipped event model: the random test model's rare note-ons are masked
# out by respond's key and register: it answered no note in 3 tries)
if start respond 30 --mode respond --model "$LJ_SOURCE_DIR/model/pretrained/nottingham-event.lstm"; then
    printf "9f 3c 64\nsleep 250\n8f 3c 00\n9f 40 64\nsleep 250\n8f 40 00\n9f 43 64\nsleep 250\n8f 43 00\n" >&3
    exec 3>&-
    wait $send_pid || { echo "FAIL respond: jack_send: $(cat "$tmp/respond.send")"; fail=1; }
    send_pid=
    wait_model_ons "$tmp/respond.dump" 1 10 || fail=1
    finish respond
    awk -v gap=28800 -v period=128 '
        { t = $1; sub(":", "", t); t += 0; st = $2; d2 = $4 }
        st == "9f" && d2 != "00" { if (!p_on) p_on = t }
        st == "8f" || (st == "9f" && d2 == "00") { p_off = t }
        st == "90" && d2 != "00" { if (!p_on) before++; else if (!answer) answer = t }
        END {
            printf "respond: player from frame %d to %d (last note-off); first model note-on %d frames after it (silence %d, period %d); %d model notes before the player\n",
                p_on, p_off, answer - p_off, gap, period, before
            if (!p_on || !p_off || !answer) { print "FAIL respond: no phrase or no answer at the dump"; exit 1 }
            if (before) { print "FAIL respond: the model played before the player"; exit 1 }
            if (answer < p_off + gap - period) { print "FAIL respond: the answer started before the silence"; exit 1 }
            print "ok   respond: the answer starts after the 0.6 s silence"
        }' "$tmp/respond.dump" || fail=1
else
    fail=1
fi
exit $fail
