# A jack_midi_dump -a log without the messages JACK delivered twice:
#   awk -v period=128 -v count_file=FILE -f jack_dump_repeats.awk DUMP >CLEAN
# When a client that writes MIDI misses a JACK cycle (jackd logs "client =
# NAME was not finished"), its port's buffer still holds what it wrote in its
# last cycle, and the reader gets that again: the same message, at the same
# offset, a whole number of periods later (seen on this VM under
# tools/rt_noise.c: a note-on at frames 46136 and 46264 where play's event
# log scheduled it once, with 68 cycles of lstmjam-out unfinished in the run;
# a held count of 2 for one key left a note "on" after the panic).
# A message is such a repeat when the same bytes came exactly k periods
# earlier (1 <= k <= maxk, default 4), with no message of the same channel
# and key (notes) or the same status and first data byte (the rest) in
# between. Nothing that keeps to a 200-frame grid or a clock of 500-800
# frames is ever 128..512 frames after an identical message, so such a pair
# is JACK's, not the music's; the caller checks that there are no more
# repeated cycles than cycles jackd logged the writer missed (a writer that
# sends a message twice, or never clears its buffer, repeats in far more).
# Lines that are not messages pass unchanged. count_file gets "REPEATS
# CYCLES MESSAGE_CYCLES SPAN": the messages dropped, in how many of the
# dump's periods, how many periods hold a message that is kept, and how many
# periods lie from the first message to the last.
function slot(st, d1,    hi) {
    hi = substr(st, 1, 1)
    if (hi == "8" || hi == "9") return "n" substr(st, 2, 1) " " d1 # a note: on and off share it
    return st " " d1
}
BEGIN { if (!period) period = 128; if (!maxk) maxk = 4 }
{
    if ($1 !~ /^[0-9]+:$/ || $2 !~ /^[0-9a-f][0-9a-f]$/) { print; next }
    t = $1; sub(":", "", t); t += 0
    msg = $2
    for (i = 3; i <= NF && $i ~ /^[0-9a-f][0-9a-f]$/; i++) msg = msg " " $i
    s = slot($2, $3)
    if (msg in last_t && last_slot_t[s] == last_t[msg]) {
        d = t - last_t[msg]
        if (d > 0 && d % period == 0 && d / period <= maxk) {
            repeats++
            c = int(t / period)
            if (!(c in cycles)) { cycles[c] = 1; ncycles++ }
            next
        }
    }
    last_t[msg] = t
    last_slot_t[s] = t
    c = int(t / period)
    if (!(c in kept)) { kept[c] = 1; nkept++ }
    if (first == "") first = c
    print
}
END { if (count_file != "") printf "%d %d %d %d\n", repeats, ncycles, nkept, nkept ? c - first + 1 : 0 > count_file }
