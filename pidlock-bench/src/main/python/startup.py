#!/usr/bin/env python3
"""Wall time of short commands, interleaved: round after round, each command once, in an order that rotates
every round (so none always runs first or after the same neighbour), after WARMUP rounds that are not counted.

  startup.py SPEC RUNS WARMUP

SPEC: one command a line, "NAME<TAB>ARG<TAB>ARG...". Prints "startup<TAB>NAME<TAB>RUN<TAB>MS" per measured run; a
command that exits non-zero is dropped from later rounds after one line
"startup-error<TAB>NAME<TAB>STATUS<TAB>FIRST-LINE-OF-STDERR".
The time is from before fork to after wait (subprocess.run): the same overhead for every command.
Standard library only.
"""
import subprocess
import sys
import time


def main(argv):
    if len(argv) != 4:
        print("usage: startup.py SPEC RUNS WARMUP", file=sys.stderr)
        return 64
    with open(argv[1], encoding="utf-8") as f:
        commands = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    runs, warmup = int(argv[2]), int(argv[3])
    alive = list(commands)
    for r in range(-warmup, runs):
        k = r % len(alive) if alive else 0
        for cmd in alive[k:] + alive[:k]:
            t0 = time.perf_counter_ns()
            done = subprocess.run(cmd[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, check=False)
            ms = (time.perf_counter_ns() - t0) / 1e6
            if done.returncode != 0:
                first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[0]
                print(f"startup-error\t{cmd[0]}\t{done.returncode}\t{first}", flush=True)
                alive.remove(cmd)
            elif r >= 0:
                print(f"startup\t{cmd[0]}\t{r}\t{ms:.2f}", flush=True)
        if not alive:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
