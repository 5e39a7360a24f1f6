# midi_out_timing.awk: the model's note-ons as play scheduled them (play
# --event-log: "FRAME model note_on CH KEY VEL") against the same notes
# captured at a JACK peer (jack_midi_dump: "  FRAME: 90 KEY VEL ..." in hex).
# The two clocks cannot be compared directly (the dump counts the frames of
# the cycles it ran, lstmjam the frames of its own clock); intervals can: for
# each captured note-on, its interval from the one before at the capture
# minus the same interval as scheduled. 0 = both left exactly as scheduled
# relative to each other; a cycle one JACK client missed shows as a whole
# number of periods. Notes are paired in order by key (a note-on lost with a
# missed cycle is skipped: up to 5 captured ahead, not allowed to shift every
# pair after it). Shared by tests/play_midi_out.sh and bench/play_soak.sh.
#
#   awk -v period=128 -f midi_out_timing.awk EVENT_LOG DUMP
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
file == 1 && $2 == "model" && $3 == "note_on" { ns++; sf[ns] = $1 + 0; sk[ns] = $5 + 0 }
file == 2 && $2 == "90" && $4 != "00" { t = $1; sub(":", "", t); nc++; cf[nc] = t + 0; ck[nc] = hex($3) }
END {
    i = 1; j = 1; np = 0; unpaired = 0
    while (i <= ns && j <= nc) {
        if (sk[i] == ck[j]) { np++; ps[np] = sf[i]; pc[np] = cf[j]; i++; j++; continue }
        skip = 0
        for (k = 1; k <= 5 && j + k <= nc; k++) if (ck[j + k] == sk[i]) { skip = k; break }
        if (skip) j += skip; else i++
        unpaired++
    }
    exact = 0; whole = 0; off = 0; maxk = 0
    for (k = 2; k <= np; k++) {
        e = (pc[k] - pc[k - 1]) - (ps[k] - ps[k - 1])
        print "err " e
        if (e == 0) exact++
        else if (e % period == 0) { whole++; a = e < 0 ? -e / period : e / period; if (a > maxk) maxk = a }
        else off++
    }
    drift = np ? (pc[np] - ps[np]) - (pc[1] - ps[1]) : 0
    printf "timing: %d scheduled %d captured %d paired %d unpaired; %d intervals: %d exact, %d whole periods (at most %d periods), %d off; drift %d\n",
        ns, nc, np, unpaired, (np > 1 ? np - 1 : 0), exact, whole, maxk, off, drift
}
