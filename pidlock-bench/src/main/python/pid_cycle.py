#!/usr/bin/env python3
"""Python `pid` (PyPI package, 3.0.4) in a loop: the Python peer of one pidlock cycle (acquire + release with
delete), in one interpreter, so the interpreter's start is not in it.

  pid_cycle.py package|reimpl DIR ITERATIONS ROUNDS

package: `with pid.PidFile(...)` around nothing, again and again (the package must be importable; bench.sh
installs it into a throw-away virtual environment). The atexit and SIGTERM handlers are off: a loop would
otherwise stack one atexit handler per cycle.

reimpl: no package; the system calls a new pid 3.0.4 PidFile makes per cycle, written here from its documented
behaviour (not its code): look at the directory (is it one, may we read, write and search it); open the file
with mode "a+", flock LOCK_EX|LOCK_NB, read the recorded pid and, when there is one, check it with kill(pid, 0)
(alive: refuse); fchmod 0644; seek to the start, truncate, write "PID\n", flush, seek to the start again; on
close: close the file, and remove it if it is still a file. Use it only where the package cannot be installed,
and say so.

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

    def __init__(self, directory, name):
        self.directory = directory
        self.name = name
        self.path = None
        self.handle = None

    def __enter__(self):
        # the directory checks a new PidFile makes before it opens anything
        if not os.path.isdir(self.directory):
            raise NotADirectoryError(self.directory)
        effective = os.access in os.supports_effective_ids
        if not os.access(self.directory, os.R_OK, effective_ids=effective) \
                or not os.access(self.directory, os.W_OK | os.X_OK, effective_ids=effective):
            raise PermissionError(self.directory)
        self.path = os.path.abspath(os.path.join(self.directory, self.name))
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            handle.seek(0)
            recorded = handle.read(16).split("\n", 1)[0].strip()
            if recorded:
                try:
                    os.kill(int(recorded), 0)
                except OSError as e:
                    if e.errno != errno.ESRCH:
                        raise
                else:
                    raise RuntimeError(f"{self.path}: pid {recorded} is running")
            os.fchmod(handle.fileno(), 0o644)
            handle.seek(0)
            handle.truncate()
            handle.write("%d\n" % os.getpid())
            handle.flush()
            handle.seek(0)
        except BaseException:
            handle.close()
            raise
        self.handle = handle
        return self

    def __exit__(self, *exc):
        self.handle.close()
        self.handle = None
        if os.path.isfile(self.path):
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
        def one():
            return _Reimplementation(directory, "pycycle.pid")
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
