# Counts nested notes in `midicsv` output: a note-on of a key (track, channel,
# pitch) that is already sounding. A MIDI file cannot say which note-off ends
# which of two such notes (a reader pairing first in first out, or a synth
# releasing every voice of the key at the first note-off, cuts the later one
# short), so lstmjam's files must have none. Prints "nested N notes M".
# Usage: midicsv FILE | awk -f midi_nested.awk
BEGIN { FS = ", "; nested = 0; notes = 0 }
$3 == "Note_on_c" && $6 + 0 > 0 {
    key = $1 SUBSEP $4 SUBSEP $5
    if (on[key] > 0) nested++
    on[key]++
    notes++
    next
}
$3 == "Note_off_c" || ($3 == "Note_on_c" && $6 + 0 == 0) {
    key = $1 SUBSEP $4 SUBSEP $5
    if (on[key] > 0) on[key]--
}
END { print "nested", nested, "notes", notes }
