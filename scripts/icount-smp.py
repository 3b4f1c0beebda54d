#!/usr/bin/env python3
"""Run QEMU with several harts under -icount, keeping its round robin going.

Usage: icount-smp.py QEMU ARGS...

Under -icount QEMU runs all harts round-robin on one host thread, and a
hart gets the host thread for as long as its instruction budget lasts;
while no virtual timer is armed that budget is about two seconds of
virtual time. Kilburn's boot hart waits for each secondary hart with
interrupts off, spinning on the time CSR, and its turn then lasts minutes
of host time before the hart it waits for ever runs. The same happens
later whenever a hart spins for another with no timer armed. This wrapper
adds a monitor socket and stops and continues the machine every half
second of host time, which ends the current turn (a turn is otherwise at
most a few tens of milliseconds of host time once the kernel's ticks run,
so measurements see this rarely). The console goes to standard output,
unchanged.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time


def kicker(path, done):
    """Stop and continue the machine through its monitor until done is set."""
    sock = None
    while not done.is_set():
        time.sleep(0.5)
        try:
            if sock is None:
                sock = socket.socket(socket.AF_UNIX)
                sock.connect(path)
            sock.sendall(b"stop\ncont\n")
        except OSError:
            sock = None
    if sock:
        sock.close()


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: icount-smp.py QEMU ARGS...")
    tmp = tempfile.mkdtemp(prefix="kilburn-mon-")
    path = os.path.join(tmp, "monitor")
    args = sys.argv[1:] + ["-monitor", "unix:%s,server,nowait" % path]
    qemu = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    done = threading.Event()
    thread = threading.Thread(target=kicker, args=(path, done), daemon=True)
    thread.start()
    out = sys.stdout.buffer
    for line in qemu.stdout:
        out.write(line)
        out.flush()
    done.set()
    rc = qemu.wait()
    try:
        os.unlink(path)
    except OSError:
        pass
    os.rmdir(tmp)
    sys.exit(rc)


if __name__ == "__main__":
    main()
