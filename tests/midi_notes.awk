# The oracle side of the MIDI reader test: turns `midicsv` output for one file
# into the note list "PATH ONSET DURATION PITCH VELOCITY CHANNEL" (ticks at
# 480 PPQ), pairing note-on and note-off here, independently of src/io/midi_read.c,
# by the rules documented in src/io/midi.h:
#   - notes pair per (track, channel, pitch) first-in first-out;
#   - Note_on_c with velocity 0 is a note-off; a note-off with nothing sounding
#     is ignored; notes still sounding at End_track end there;
#   - ticks rescale from the file's division D: int((t * 480 + int(D / 2)) / D);
#   - onset and end are rescaled separately; a duration under 1 becomes 1.
# It also lists the tempo, time-signature and key-signature maps, one line per
# change: "PATH T TICK US_PER_QN", "PATH M TICK NUM DEN", "PATH K TICK FIFTHS MODE"
# (MODE 0 major, 1 minor): events of all tracks in the order (tick, track,
# position), values a score cannot hold skipped, and a later change at the same
# 480-PPQ tick replacing the earlier one.
# Usage: midicsv FILE | awk -v path=REL -f midi_notes.awk
BEGIN { FS = ", " }
function scale(t) { return int((t * 480 + int(division / 2)) / division) }
function emit(on, off, key,    p, c, d) {
    split(key, parts, SUBSEP)
    d = scale(off) - scale(on)
    if (d < 1) d = 1
    print path, scale(on), d, parts[3], vel_of_on, parts[2]
}
$3 == "Header" { division = $6 + 0 }
$3 == "Start_track" { track = $1 + 0 }
$3 == "Note_on_c" && $6 + 0 > 0 {
    key = track SUBSEP ($4 + 0) SUBSEP ($5 + 0)
    n = tail[key] + 0
    on_tick[key, n] = $2 + 0
    on_vel[key, n] = $6 + 0
    tail[key] = n + 1
    if (!(key in head)) head[key] = 0
    next
}
$3 == "Note_off_c" || ($3 == "Note_on_c" && $6 + 0 == 0) {
    key = track SUBSEP ($4 + 0) SUBSEP ($5 + 0)
    if ((key in head) && head[key] < tail[key]) {
        h = head[key]
        vel_of_on = on_vel[key, h]
        emit(on_tick[key, h], $2 + 0, key)
        delete on_tick[key, h]; delete on_vel[key, h]
        head[key] = h + 1
    }
    next
}
$3 == "Tempo" && $4 + 0 > 0 { add_map("T", $2 + 0, $4 + 0, "") }
$3 == "Time_signature" && $4 + 0 >= 1 && $5 + 0 <= 7 { add_map("M", $2 + 0, $4 + 0, 2 ^ ($5 + 0)) }
$3 == "Key_signature" && $4 + 0 >= -7 && $4 + 0 <= 7 && ($5 == "\"major\"" || $5 == "\"minor\"") {
    add_map("K", $2 + 0, $4 + 0, $5 == "\"minor\"" ? 1 : 0)
}
function add_map(kind, tick, a, b) {
    n_map++
    map_kind[n_map] = kind; map_tick[n_map] = tick; map_a[n_map] = a; map_b[n_map] = b
}
END {
    # Stable insertion sort by raw tick: reading order already is (track, position).
    for (i = 2; i <= n_map; i++) {
        k = map_kind[i]; t = map_tick[i]; a = map_a[i]; b = map_b[i]
        for (j = i - 1; j >= 1 && map_tick[j] > t; j--) {
            map_kind[j + 1] = map_kind[j]; map_tick[j + 1] = map_tick[j]
            map_a[j + 1] = map_a[j]; map_b[j + 1] = map_b[j]
        }
        map_kind[j + 1] = k; map_tick[j + 1] = t; map_a[j + 1] = a; map_b[j + 1] = b
    }
    for (i = 1; i <= n_map; i++) {
        k = map_kind[i]; st = scale(map_tick[i])
        if (cnt[k] > 0 && last_tick[k] == st) {
            line[k, cnt[k]] = path " " k " " st " " map_a[i] (k == "T" ? "" : " " map_b[i])
        } else {
            cnt[k]++
            line[k, cnt[k]] = path " " k " " st " " map_a[i] (k == "T" ? "" : " " map_b[i])
            last_tick[k] = st
        }
    }
    for (k in cnt) for (i = 1; i <= cnt[k]; i++) print line[k, i]
}
$3 == "End_track" {
    for (key in head) {
        split(key, kp, SUBSEP)
        if (kp[1] != track) continue
        for (h = head[key]; h < tail[key]; h++) {
            vel_of_on = on_vel[key, h]
            emit(on_tick[key, h], $2 + 0, key)
        }
        head[key] = tail[key]
    }
}
