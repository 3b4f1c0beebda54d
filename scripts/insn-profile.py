#!/usr/bin/env python3
"""Guest instructions per kernel function, from QEMU's execution log.

    scripts/insn-profile.py run OUT -- QEMU-COMMAND...
        runs the QEMU command with `-d in_asm,exec,nochain` logging into a
        pipe, and writes to OUT how many guest instructions each function
        executed (one line per function: count, name). The log itself, which
        is gigabytes for a boot, is never stored.

    scripts/insn-profile.py diff A B N
        prints (B - A) / N per function, largest first: with A a run that
        does an operation 0 times and B one that does it N times, the cost
        of one operation by function.

How it counts: with `nochain`, QEMU logs every translation block it
executes ("Trace" lines, by guest address); `in_asm` logs each block's
instructions once, when it is translated, under its function's name from
the kernel's symbols ("IN:" lines). Instructions = sum over blocks of
executions x block length. Code without a symbol (the firmware, user
programs, which QEMU does not know) counts under "?".
"""
import collections
import os
import re
import subprocess
import sys
import tempfile

TRACE = re.compile(r'^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/')


def aggregate(lines):
    size, name = {}, {}
    runs = collections.Counter()
    block, sym = None, None
    for line in lines:
        if line.startswith('Trace'):
            m = TRACE.match(line)
            if m:
                runs[int(m.group(1), 16)] += 1
        elif line.startswith('IN:'):
            sym, block = line[3:].strip() or '?', None
        elif line.startswith('0x'):
            pc = int(line.split(':', 1)[0], 16)
            if block is None:
                block = pc
                size[block], name[block] = 0, sym
            size[block] += 1
        elif not line.strip():
            block = None
    per_fn = collections.Counter()
    for pc, n in runs.items():
        per_fn[name.get(pc, '?')] += n * size.get(pc, 0)
    return per_fn


def run(out, cmd):
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, 'log')
        os.mkfifo(fifo)
        qemu = subprocess.Popen(cmd + ['-d', 'in_asm,exec,nochain', '-D', fifo],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        with open(fifo, errors='replace') as log:
            per_fn = aggregate(log)
        qemu.wait()
    with open(out, 'w') as f:
        for fn, n in per_fn.most_common():
            f.write('%d %s\n' % (n, fn))


def load(path):
    counts = {}
    with open(path) as f:
        for line in f:
            n, fn = line.rstrip('\n').split(' ', 1)
            counts[fn] = int(n)
    return counts


def diff(a, b, n):
    a, b = load(a), load(b)
    rows = [((b.get(fn, 0) - a.get(fn, 0)) / n, fn) for fn in set(a) | set(b)]
    for per_op, fn in sorted(rows, reverse=True):
        if abs(per_op) >= 0.5:
            print('%9.1f  %s' % (per_op, fn))
    print('%9.1f  total' % sum(r[0] for r in rows))


def main(argv):
    if len(argv) >= 4 and argv[1] == 'run' and argv[3] == '--':
        run(argv[2], argv[4:])
    elif len(argv) == 5 and argv[1] == 'diff':
        diff(argv[2], argv[3], float(argv[4]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
