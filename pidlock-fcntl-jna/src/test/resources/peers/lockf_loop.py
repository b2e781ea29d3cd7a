#!/usr/bin/env python3
"""A careful Python fcntl.lockf user in a loop, for pidlock's mixed exclusion torture
(MixedPeersExclusionTortureTest). python3's standard library only.

usage: lockf_loop.py PIDFILE LEDGER ROUNDS [SEED]

Speaks the protocol of dev.pidlock.testkit.TortureRun: prints "READY ID", waits for a line on stdin, makes
ROUNDS rounds, prints "DONE ID rounds=N stale=S busy=B" and exits 0 (anything else: a traceback, exit 1).
Each round opens PIDFILE (creating it, never truncating it), takes fcntl.lockf(LOCK_EX) on the whole file, a
POSIX record lock (half of the time blocking, half of the time LOCK_NB with a back-off), appends
"enter ID ROUND" and "exit ID ROUND" to LEDGER around a hold of 0-2 ms, each line in one O_APPEND write, and
closes the file, which gives the lock back.

pidlock deletes the pidfile on release while still holding the lock. A locker that opened the file before the
unlink and gets the lock after it holds a lock on an inode that no path names any more, while the next pidlock
holder locks a new file: PRODUCT.md section 4, step 4. pidlock re-checks; a careful peer must too, so after
locking this one checks that PIDFILE still names the locked inode (os.fstat against os.stat, which opens
nothing), and when it does not, closes and tries the round again ("stale").
"""
import errno
import fcntl
import os
import random
import sys
import time

REFUSALS = {errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK}


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def pause(rng):
    if rng.random() < 0.75:
        time.sleep(rng.uniform(0, 0.002))


def main(argv):
    pidfile, ledger, rounds = argv[1], argv[2], int(argv[3])
    rng = random.Random(int(argv[4]) if len(argv) > 4 else None)
    ident = "pylockf-%d" % os.getpid()
    out = os.open(ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
    say("READY " + ident)
    if not sys.stdin.readline():
        return
    r = stale = busy = 0
    while r < rounds:
        fd = os.open(pidfile, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            if rng.random() < 0.5:
                fcntl.lockf(fd, fcntl.LOCK_EX)
            else:
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as e:
                    if e.errno not in REFUSALS:
                        raise
                    busy += 1
                    time.sleep(rng.uniform(0.00005, 0.001))
                    continue
            locked = os.fstat(fd)
            try:
                named = os.stat(pidfile)
            except FileNotFoundError:
                named = None
            if named is None or (named.st_dev, named.st_ino) != (locked.st_dev, locked.st_ino):
                stale += 1
                continue
            os.write(out, ("enter %s %d\n" % (ident, r)).encode("ascii"))
            pause(rng)
            os.write(out, ("exit %s %d\n" % (ident, r)).encode("ascii"))
            r += 1
        finally:
            os.close(fd)  # gives the lock back
        pause(rng)
    say("DONE %s rounds=%d stale=%d busy=%d" % (ident, r, stale, busy))


if __name__ == "__main__":
    main(sys.argv)
