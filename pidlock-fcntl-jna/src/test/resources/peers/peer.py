#!/usr/bin/env python3
"""An independent lock peer for pidlock's interop tests: python3's standard fcntl module, nothing else.

usage: peer.py MODE PATH     MODE is flock, lockf or ofd

Opens PATH read-write (creating it, never truncating it) and tries ONE exclusive lock on the whole file
without blocking:
  flock  fcntl.flock(fd, LOCK_EX | LOCK_NB)                  flock(2), the BSD family
  lockf  fcntl.lockf(fd, LOCK_EX | LOCK_NB)                  a classic POSIX record lock (F_SETLK)
  ofd    fcntl.fcntl(fd, F_OFD_SETLK, struct flock F_WRLCK)  an open file description lock (Linux >= 3.15)

Then prints exactly one line on stdout:
  HELD           the lock is held; it is kept until a line or end of input arrives on stdin; exit 0
  REFUSED        somebody else holds a conflicting lock (EAGAIN/EACCES/EWOULDBLOCK); exit 1
  ERROR detail   anything else (bad usage, unsupported platform, unexpected errno); exit 2
"""
import errno
import fcntl
import os
import platform
import struct
import sys

F_OFD_SETLK = 37  # Linux, every architecture
F_WRLCK = 1
SEEK_SET = 0
# struct flock on x86-64 (and aarch64): l_type h, l_whence h, pad, l_start q, l_len q, l_pid i, pad: 32 bytes.
FLOCK_LAYOUT = "hhqqi4x"
REFUSALS = {errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK}


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fail(detail):
    say("ERROR " + detail)
    sys.exit(2)


def lock(mode, fd):
    if mode == "flock":
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    elif mode == "lockf":
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    elif mode == "ofd":
        if not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "aarch64"):
            fail("no OFD struct flock layout declared for %s %s" % (sys.platform, platform.machine()))
        arg = struct.pack(FLOCK_LAYOUT, F_WRLCK, SEEK_SET, 0, 0, 0)  # l_start 0, l_len 0 (whole file), l_pid 0
        if len(arg) != 32:
            fail("struct flock packs to %d bytes, not 32" % len(arg))
        fcntl.fcntl(fd, F_OFD_SETLK, arg)
    else:
        fail("unknown mode %r (flock, lockf or ofd)" % mode)


def main(argv):
    if len(argv) != 3:
        fail("usage: peer.py flock|lockf|ofd PATH")
    mode, path = argv[1], argv[2]
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as e:
        fail("open %s: %s" % (path, e))
    try:
        lock(mode, fd)
    except OSError as e:
        if e.errno in REFUSALS:
            say("REFUSED")
            sys.exit(1)
        fail("%s lock on %s: %s" % (mode, path, e))
    say("HELD")
    sys.stdin.readline()  # a line or end of input
    os.close(fd)  # gives the lock back (and exiting would too)
    sys.exit(0)


if __name__ == "__main__":
    main(sys.argv)
