#!/usr/bin/env python3
"""Python `pid` (PyPI package, 3.0.4) in a loop: the Python peer of one pidlock cycle (acquire + release with
delete), in one interpreter, so the interpreter's start is not in it.

  pid_cycle.py package|reimpl DIR ITERATIONS ROUNDS

package: `with pid.PidFile(...)` around nothing, again and again (the package must be importable; bench.sh
installs it into a throw-away virtual environment). The atexit and SIGTERM handlers are off: a loop would
otherwise stack one atexit handler per cycle.

reimpl: no package; the system calls pid 3.0.4's PidFile makes, written here from its documented behaviour (not
its code): open the file with mode "a+", flock LOCK_EX|LOCK_NB, read the recorded pid and, when there is one
that is not ours, check it with kill(pid, 0); fchmod 0644; seek to the start, truncate, write "PID\n", flush;
on close: close the file and remove it. Use it only where the package cannot be installed, and say so.

Prints, per round, the mean time of one cycle in nanoseconds: "python pid ROUND NS" (or "python reimpl ...").
Standard library only (plus `pid` in package mode).
"""
import errno
import fcntl
import os
import sys
import time


class _Reimplementation:
    """One pidfile held the way pid 3.0.4's PidFile holds it."""

    def __init__(self, path):
        self.path = path
        self.handle = None

    def __enter__(self):
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            handle.seek(0)
            recorded = handle.read(32).split("\n", 1)[0].strip()
            if recorded:
                other = int(recorded)
                if other != os.getpid():
                    try:
                        os.kill(other, 0)
                    except OSError as e:
                        if e.errno != errno.ESRCH:
                            raise
            os.fchmod(handle.fileno(), 0o644)
            handle.seek(0)
            handle.truncate()
            handle.write("%d\n" % os.getpid())
            handle.flush()
        except BaseException:
            handle.close()
            raise
        self.handle = handle
        return self

    def __exit__(self, *exc):
        self.handle.close()
        self.handle = None
        os.remove(self.path)
        return False


def main(argv):
    if len(argv) != 5 or argv[1] not in ("package", "reimpl"):
        print("usage: pid_cycle.py package|reimpl DIR ITERATIONS ROUNDS", file=sys.stderr)
        return 64
    mode, directory, iterations, rounds = argv[1], argv[2], int(argv[3]), int(argv[4])
    if mode == "package":
        import pid  # noqa: PLC0415 (only in package mode)

        def one():
            return pid.PidFile(pidname="pycycle", piddir=directory, register_atexit=False,
                               register_term_signal_handler=False)
    else:
        path = os.path.join(directory, "pycycle.pid")

        def one():
            return _Reimplementation(path)
    label = "pid" if mode == "package" else "reimpl"
    for r in range(rounds):
        t0 = time.monotonic_ns()
        for _ in range(iterations):
            with one():
                pass
        t1 = time.monotonic_ns()
        print(f"python {label} {r} {(t1 - t0) / iterations:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
