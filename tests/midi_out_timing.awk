# midi_out_timing.awk: the model's note-ons as play scheduled them (play
# --event-log: "FRAME model note_on CH KEY VEL") against the same notes
# captured at a JACK peer (jack_midi_dump: "  FRAME: 90 KEY VEL ..." in hex).
# The two clocks cannot be compared directly (the dump counts the frames of
# the cycles it ran, lstmjam the frames of its own clock); intervals can: for
# each captured note-on, its interval from the one before at the capture
# minus the same interval as scheduled. 0 = both left exactly as scheduled
# relative to each other; a cycle one JACK client missed shows as a whole
# number of periods. Notes are paired in order by key (a note-on lost with a
# missed cycle is skipped, up to 5 of either side at a time, chosen by the
# offset: see the END block). Shared by tests/play_midi_out.sh and bench/play_soak.sh.
#
#   awk -v period=128 [-v kind=off] [-v detail=1] -f midi_out_timing.awk EVENT_LOG DUMP
#
# kind=off times the note-offs instead (the sink counts every message late,
# not only note-ons). detail=1 (bench/play_soak.sh's attribution) adds to each
# "err" line the pair's frames and key, "err E SCHED CAPTURED KEY", and prints
# one line per event the pairing skipped, "unpaired scheduled FRAME KEY" or
# "unpaired captured FRAME KEY" (in order, before the err lines); the fields
# the tests read stay the same.
#
# Prints one line "err E" per interval, then a line
#   "timing: S scheduled C captured P paired U unpaired; I intervals: Z exact,
#    W whole periods (at most K periods), O off; drift D"
# (drift: the last pair's capture - schedule offset minus the first's).
function hex(s,   i, c, v) {
    v = 0
    for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", tolower(substr(s, i, 1))); v = v * 16 + c - 1 }
    return v
}
FNR == 1 { file++ }
BEGIN { off = kind == "off" }
file == 1 && $2 == "model" && $3 == (off ? "note_off" : "note_on") { ns++; sf[ns] = $1 + 0; sk[ns] = $5 + 0 }
file == 2 && (off ? ($2 == "80" || ($2 == "90" && $4 == "00")) : ($2 == "90" && $4 != "00")) {
    t = $1; sub(":", "", t); nc++; cf[nc] = t + 0; ck[nc] = hex($3)
}
function abs(x) { return x < 0 ? -x : x }
END {
    # Pairing: in order, by key. The capture's offset from the schedule only
    # changes by whole periods, a few at a time, so a pair whose offset moved
    # by more than half a period from the last pair's is checked against the
    # pairs that skip up to 5 scheduled and 5 captured notes: the least cost
    # wins, the offset's move plus 4 periods per note skipped (a real shift of
    # a few periods keeps its pair; a wrong pair moves by a note's length,
    # 1800 frames or more at 400 BPM). A note missing from
    # the capture so costs one unpaired event, where pairing by key alone paired
    # the next same-key note with it and mis-paired those between (a repeated
    # pitch is common): off-grid intervals and a dozen unpaired events for one
    # lost note.
    i = 1; j = 1; np = 0; unpaired = 0
    while (i <= ns && j <= nc) {
        if (sk[i] == ck[j] && (np == 0 || abs((cf[j] - sf[i]) - last) <= period / 2)) {
            np++; ps[np] = sf[i]; pc[np] = cf[j]; pk[np] = sk[i]; last = cf[j] - sf[i]; i++; j++; continue
        }
        ba = -1
        for (a = 0; a <= 5 && i + a <= ns; a++)
            for (b = 0; b <= 5 && j + b <= nc; b++) {
                if (sk[i + a] != ck[j + b]) continue
                d = (np ? abs((cf[j + b] - sf[i + a]) - last) : 0) + 4 * period * (a + b)
                if (ba < 0 || d < bd) { ba = a; bb = b; bd = d }
            }
        if (ba < 0) ba = 1 # no key matches nearby: the scheduled note is unpaired
        if (ba == 0 && bb == 0) { np++; ps[np] = sf[i]; pc[np] = cf[j]; pk[np] = sk[i]; last = cf[j] - sf[i]; i++; j++; continue }
        for (k = 0; k < ba && i <= ns; k++) { if (detail) print "unpaired scheduled " sf[i] " " sk[i]; i++; unpaired++ }
        for (k = 0; k < bb && j <= nc; k++) { if (detail) print "unpaired captured " cf[j] " " ck[j]; j++; unpaired++ }
    }
    if (detail) {
        for (; i <= ns; i++) print "unpaired scheduled " sf[i] " " sk[i]
        for (; j <= nc; j++) print "unpaired captured " cf[j] " " ck[j]
    }
    exact = 0; whole = 0; offgrid = 0; maxk = 0
    for (k = 2; k <= np; k++) {
        e = (pc[k] - pc[k - 1]) - (ps[k] - ps[k - 1])
        if (detail) print "err " e " " ps[k] " " pc[k] " " pk[k]; else print "err " e
        if (e == 0) exact++
        else if (e % period == 0) { whole++; a = e < 0 ? -e / period : e / period; if (a > maxk) maxk = a }
        else offgrid++
    }
    drift = np ? (pc[np] - ps[np]) - (pc[1] - ps[1]) : 0
    printf "timing: %d scheduled %d captured %d paired %d unpaired; %d intervals: %d exact, %d whole periods (at most %d periods), %d off; drift %d\n",
        ns, nc, np, unpaired, (np > 1 ? np - 1 : 0), exact, whole, maxk, offgrid, drift
}
