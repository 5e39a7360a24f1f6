# The oracle side of the MIDI reader test: turns `midicsv` output for one file
# into the note list "PATH ONSET DURATION PITCH VELOCITY CHANNEL" (ticks at
# 480 PPQ), pairing note-on and note-off here, independently of src/io/midi_read.c,
# by the rules documented in src/io/midi.h:
#   - notes pair per (track, channel, pitch) first-in first-out;
#   - Note_on_c with velocity 0 is a note-off; a note-off with nothing sounding
#     is ignored; notes still sounding at End_track end there;
#   - ticks rescale from the file's division D: int((t * 480 + int(D / 2)) / D);
#   - onset and end are rescaled separately; a duration under 1 becomes 1.
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
