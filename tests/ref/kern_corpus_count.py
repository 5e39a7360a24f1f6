#!/usr/bin/env python3
"""Independent oracle for the kern reader's corpus test (stdlib only).

Walks a folder of .krn files and counts, without sharing any code or rule
table with src/io/kern.c:
  files           .krn files read
  note_tokens     tokens of the data spine holding a pitch letter (a-g, A-G)
  rest_tokens     data tokens holding 'r' and no pitch letter
  bars_interior   bars closed by a bar line, minus the first and the last per file
  bars_incomplete interior bars whose length (Fraction of wholes) differs from
                  the meter in force at the bar's first data token
  bars_unchecked  interior bars without a numeric meter (*MX, *MFREI...)
  files_incomplete files with at least one incomplete interior bar
  notes           notes after ties are merged: a token holding ']' or '_' (and no
                  '[') extends the open tie if it has the same MIDI pitch; a rest
                  or another pitch closes the tie; glued notes count one each

Durations: the first number of the token is the reciprocal ('0' breve, '00'
longa; "1.5" a decimal reciprocal = 2/3 whole; "3%2" rational), then dots. A
second number after the pitch (a token holding two glued notes, "4.B8G") adds
its own duration. With --list it prints one line per incomplete bar:
"path:line len want".

--issue-rules reproduces the rules of the script quoted in issue 3 (60,774 /
875 / 224): "1.5" is read as a dotted whole "1." (the '5' ignored) and a token
holding two glued notes counts only its first duration. See
tests/data/kern/BARCHECK.md.
"""
import os
import re
import sys
from fractions import Fraction

DUR = re.compile(r'(\d+)(?:\.(\d+)(?=\D|$))?(?:%(\d+))?(\.*)')


ISSUE_RULES = '--issue-rules' in sys.argv
STEPS = {'c': 0, 'd': 2, 'e': 4, 'f': 5, 'g': 7, 'a': 9, 'b': 11}
PITCH = re.compile(r'([a-g]+|[A-G]+)([^0-9]*)')


def token_pitches(tok):
    """MIDI numbers of the notes written in one data token."""
    out = []
    for m in PITCH.finditer(tok):
        letters, rest = m.group(1), m.group(2)
        p = STEPS[letters[0].lower()]
        p += 60 + 12 * (len(letters) - 1) if letters[0].islower() else 48 - 12 * (len(letters) - 1)
        out.append(p + rest.count('#') - rest.count('-'))
    return out


def token_duration(tok):
    """Sum of the durations (wholes) of the notes written in one data token."""
    total = Fraction(0)
    matches = list(DUR.finditer(tok))
    if ISSUE_RULES:
        matches = matches[:1]
    for m in matches:
        whole, frac, den, dots = m.group(1), m.group(2), m.group(3), m.group(4)
        if set(whole) == {'0'}:
            base = Fraction(2 ** len(whole))
        else:
            recip = Fraction(int(whole))
            if frac and ISSUE_RULES:
                dots = '.'
            elif frac:
                recip = Fraction(int(whole + frac), 10 ** len(frac))
            if den:
                recip = recip / int(den)
            base = 1 / recip
        total += base * (2 - Fraction(1, 2 ** len(dots)))
    return total


def read_file(path, out, listing):
    with open(path, 'rb') as f:
        lines = f.read().decode('latin-1').split('\n')
    meter = None
    bar_len = Fraction(0)
    bar_meter = None
    bar_started = False
    barlines = 0
    pending = None  # (line, len, want) of the last closed bar, not yet known to be interior
    incomplete_here = 0
    tie_pitch = None  # MIDI pitch of the open tie, None when no tie is open
    for number, line in enumerate(lines, 1):
        line = line.rstrip('\r')
        if not line or line.startswith('!') or line.startswith('**') or line == '*-':
            continue
        if line.startswith('*'):
            m = re.match(r'\*M(\d+)/(\d+)', line)
            if m:
                meter = Fraction(int(m.group(1)), int(m.group(2)))
            elif line.startswith('*M') and not line.startswith('*MM'):
                meter = None
            continue
        if line.startswith('='):
            if not bar_started:
                bar_meter = meter
            if pending is not None:
                out['bars_interior'] += 1
                pline, plen, pwant = pending
                if pwant is None:
                    out['bars_unchecked'] += 1
                elif plen != pwant:
                    out['bars_incomplete'] += 1
                    incomplete_here += 1
                    if listing:
                        print('%s:%d %s %s' % (path, pline, plen, pwant))
                pending = None
            barlines += 1
            if barlines >= 2:
                pending = (number, bar_len, bar_meter)
            bar_len = Fraction(0)
            bar_started = False
            continue
        if line == '.':
            continue
        if not bar_started:
            bar_started = True
            bar_meter = meter
        pitches = token_pitches(line)
        if pitches:
            out['note_tokens'] += 1
            continues = (']' in line or '_' in line) and '[' not in line
            if continues and tie_pitch == pitches[0]:
                out['notes'] += len(pitches) - 1
            else:
                out['notes'] += len(pitches)
            if '[' in line and ']' not in line:
                tie_pitch = pitches[-1]
            elif ']' in line or not continues:
                tie_pitch = None
        elif 'r' in line:
            out['rest_tokens'] += 1
            tie_pitch = None
        bar_len += token_duration(line)
    out['files'] += 1
    if incomplete_here:
        out['files_incomplete'] += 1


def main():
    listing = '--list' in sys.argv
    roots = [a for a in sys.argv[1:] if not a.startswith('--')]
    keys = ['files', 'note_tokens', 'rest_tokens', 'notes', 'bars_interior', 'bars_incomplete',
            'bars_unchecked', 'files_incomplete']
    out = dict.fromkeys(keys, 0)
    paths = []
    for root in roots:
        for folder, _, names in os.walk(root):
            paths += [os.path.join(folder, n) for n in names if n.endswith('.krn')]
    for path in sorted(paths):
        read_file(path, out, listing)
    for k in keys:
        print(k, out[k])


if __name__ == '__main__':
    main()
