#!/usr/bin/env python3
"""Turns one bench.sh run into pidlock-bench/results/<date>-jdk<N>.md and the two SVG charts beside it.

Inputs (all written by bench.sh into its work directory):
  peers.txt     lines "FS RELEASE WRITE TOOL KIND ROUND NS": the C floors (TOOL floor, KIND a lock kind, WRITE
                truncate or in-place), libbsd (TOOL libbsd, KIND pidfile) and Python pid (TOOL python, KIND pid
                for the package, reimpl for the re-implementation), WRITE own for those two
  *.json        JMH results (-rf json)
  jmh-*.log     JMH console output (the "scale: ..." lines that ScaleBenchmark prints)
  handover.txt  lines "FS hand-over BACKEND: rounds N, median X ms, p99 Y ms, max Z ms"
  waitcost.txt  lines "FS wait cost BACKEND: over S s, process P % of a core, waiting thread T % of a core and
                W wake-ups a second"
  startup.txt   lines "startup<TAB>NAME<TAB>RUN<TAB>MS" and "startup-error<TAB>NAME<TAB>STATUS<TAB>MESSAGE"
  machine.txt   KEY=VALUE lines: jdk, jdk_feature, java, mode, load_start, load_end, floor_note, bsd_note, ...

Standard library only.
"""
import glob
import json
import math
import os
import re
import statistics
import sys
from xml.sax.saxutils import escape

BACKENDS = ["ofd+flock", "ofd", "flock", "posix", "lockf", "nio"]
KINDS = ["ofd+flock", "ofd", "flock", "posix", "lockf"]
DEFAULT_BACKEND = "ofd+flock"
FLOOR_KIND = {"ofd+flock": "ofd+flock", "ofd": "ofd", "flock": "flock", "posix": "posix", "lockf": "lockf",
              "nio": "posix"}
FS_ORDER = ["shm", "disk"]
RELEASE_ORDER = ["delete", "keep"]
HELLO = "java Hello"
HELLO_IMAGE = "java Hello (image java)"
RUN = "pidlock run"


def read_machine(work):
    info = {}
    with open(os.path.join(work, "machine.txt"), encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                info[k] = v
    return info


def lines(work, name):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", errors="replace") as f:
        return [line.rstrip("\n") for line in f]


def read_peers(work):
    """{(tool, kind, fs, release, write): median ns of the rounds after the first of each run}"""
    rounds = {}
    for line in lines(work, "peers.txt"):
        parts = line.split()
        if len(parts) != 7:
            continue
        fs, release, write, tool, kind, rnd, ns = parts
        if int(rnd) == 0:
            continue  # the first round of each run warms the caches up
        rounds.setdefault((tool, kind, fs, release, write), []).append(float(ns))
    return {k: statistics.median(v) for k, v in rounds.items()}


class Peers:
    """The peers' µs per cycle, by what they are."""

    def __init__(self, ns):
        self.ns = ns
        self.python_kind = "pid" if any(k[0] == "python" and k[1] == "pid" for k in ns) else "reimpl"

    def _us(self, key):
        v = self.ns.get(key)
        return v / 1000.0 if v else None

    def floor(self, kind, fs, release, write):
        return self._us(("floor", kind, fs, release, write))

    def libbsd(self, fs):
        return self._us(("libbsd", "pidfile", fs, "delete", "own"))

    def python(self, fs):
        return self._us(("python", self.python_kind, fs, "delete", "own"))

    def python_label(self):
        return "Python pid 3.0.4" if self.python_kind == "pid" else "Python pid 3.0.4 re-implementation (not the package)"


def read_jmh(work):
    results = []
    for path in sorted(glob.glob(os.path.join(work, "*.json"))):
        with open(path, encoding="utf-8") as f:
            results.extend(json.load(f))
    return results


def num(x):
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v


def by_benchmark(results, simple_name):
    return [r for r in results if r["benchmark"].rsplit(".", 2)[-2] == simple_name]


def read_scale_lines(work):
    found = {}
    for path in glob.glob(os.path.join(work, "jmh-*.log")):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.search(r"scale: backend=(\S+) fs=(\S+) held=(\d+) heap-bytes-per-lock=(-?[\d.]+)"
                              r" fds-per-lock=(-?[\d.]+)", line)
                if m:
                    found[(m.group(1), m.group(2), m.group(3))] = (float(m.group(4)), float(m.group(5)))
    return found


def read_handover(work):
    """{(backend, fs): (rounds, median ms, p99 ms, max ms)}; a line without FS is from shm (older runs)"""
    out = {}
    for line in lines(work, "handover.txt"):
        m = re.match(r"(?:(\S+) )?hand-over (\S+): rounds (\d+), median ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms",
                     line)
        if m:
            out[(m.group(2), m.group(1) or "shm")] = (int(m.group(3)), float(m.group(4)), float(m.group(5)),
                                                      float(m.group(6)))
    return out


def read_waitcost(work):
    """{(backend, fs): (seconds, process % of a core, waiting thread % of a core, wake-ups a second)}"""
    out = {}
    for line in lines(work, "waitcost.txt"):
        m = re.match(r"(\S+) wait cost (\S+): over ([\d.]+) s, process ([\d.]+) % of a core, waiting thread"
                     r" ([\d.]+) % of a core and ([\d.]+) wake-ups a second", line)
        if m:
            out[(m.group(2), m.group(1))] = tuple(float(m.group(i)) for i in range(3, 7))
    return out


def read_startup(work):
    """([names in first-seen order], {name: [ms]}, {name: error})"""
    names, runs, errors = [], {}, {}
    for line in lines(work, "startup.txt"):
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] in ("startup", "startup-error"):
            if parts[1] not in names:
                names.append(parts[1])
            if parts[0] == "startup":
                runs.setdefault(parts[1], []).append(float(parts[3]))
            else:
                errors[parts[1]] = f"exit status {parts[2]}: {parts[3]}"
    return names, runs, errors


def order_key(params):
    b = params.get("backend", "")
    return (FS_ORDER.index(params["fs"]) if params.get("fs") in FS_ORDER else 9,
            RELEASE_ORDER.index(params["release"]) if params.get("release") in RELEASE_ORDER else 9,
            BACKENDS.index(b) if b in BACKENDS else 99, b)


def backend_key(b):
    return BACKENDS.index(b) if b in BACKENDS else 99


def fs_key(fs):
    return FS_ORDER.index(fs) if fs in FS_ORDER else 9


def fmt(v, digits=2):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.{digits}f}"


def times(v):
    return "–" if v is None else f"{v:.2f}×"


def score_cell(r):
    score, err = num(r["primaryMetric"]["score"]), num(r["primaryMetric"]["scoreError"])
    return fmt(score) + (" ± " + fmt(err) if not math.isnan(err) else "")


def alloc(r):
    """bytes allocated per operation (JMH -prof gc), or None"""
    m = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    return num(m["score"]) if m else None


def to_us(value, unit):
    return value * {"us/op": 1.0, "ns/op": 1e-3, "ms/op": 1e3, "s/op": 1e6}[unit]


def ratio(a, b):
    return a / b if a is not None and b else None


def cycle_rows(results, peers):
    rows = []
    for r in sorted(by_benchmark(results, "CycleBenchmark"), key=lambda r: order_key(r["params"])):
        p = r["params"]
        us = to_us(num(r["primaryMetric"]["score"]), r["primaryMetric"]["scoreUnit"])
        kind = FLOOR_KIND.get(p["backend"], p["backend"])
        trunc = peers.floor(kind, p["fs"], p["release"], "truncate")
        in_place = peers.floor(kind, p["fs"], p["release"], "in-place")
        delete = p["release"] == "delete"
        bsd = peers.libbsd(p["fs"]) if delete else None
        py = peers.python(p["fs"]) if delete else None
        rows.append({"backend": p["backend"], "fs": p["fs"], "release": p["release"], "us": us,
                     "cell": score_cell(r), "floor": trunc, "ratio": ratio(us, trunc),
                     "floor_in_place": in_place, "ratio_in_place": ratio(us, in_place),
                     "vs_libbsd": ratio(bsd, us), "vs_python": ratio(py, us), "alloc": alloc(r)})
    return rows


# the method whose score a held benchmark's target is about, where the benchmark has several
TARGET_METHOD = {"TryAcquireHeldBenchmark": "refused"}
# what each method of the held benchmarks calls
METHOD_CALL = {"refused": "`tryAcquire()`: empty", "refusedNamed": "`acquire()`: the exception naming the holder",
               "inspect": "`inspect()`"}


def held_us(results, simple):
    """{(backend, fs): µs/op} of the benchmark's target method"""
    method = TARGET_METHOD.get(simple)
    return {(r["params"]["backend"], r["params"]["fs"]):
            to_us(num(r["primaryMetric"]["score"]), r["primaryMetric"]["scoreUnit"])
            for r in by_benchmark(results, simple)
            if method is None or r["benchmark"].rsplit(".", 1)[-1] == method}


def startup_stats(work):
    names, runs, errors = read_startup(work)
    stats = {n: (len(v), statistics.median(v), min(v), max(v)) for n, v in runs.items() if v}
    # "the same JDK": java Hello on the image's own java when the image runs on another JDK than the report's
    base = HELLO_IMAGE if HELLO_IMAGE in stats else HELLO
    return names, stats, errors, base


class Verdicts:
    def __init__(self):
        self.rows = []

    def add(self, target, measured, ok, how=""):
        verdict = "no figure" if ok is None else ("**met**" if ok else "**not met**")
        self.rows.append((target, measured, verdict, how))


def worst(values, key=max):
    values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return key(values) if values else None


def targets(info, cyc, peers, results, handover, waitcost, startup):
    """PRODUCT.md §8 / issue 14's targets, decided from this run's figures."""
    t = Verdicts()
    cell = {(r["backend"], r["fs"], r["release"]): r for r in cyc}
    d = DEFAULT_BACKEND
    shm, disk = cell.get((d, "shm", "delete")), cell.get((d, "disk", "delete"))

    def cycle_vs(row, key, limit, name, fs_name, floor_key, other=None):
        if row is None:
            t.add(name, "no cycle figure", None)
            return
        v = row[key]
        measured = f"{v:.2f}× ({row['us']:.2f} µs against {fmt(row[floor_key])} µs)" if v else "no floor"
        if other:
            measured += f"; {other}"
        t.add(name, measured, None if v is None else v <= limit)

    cycle_vs(shm, "ratio_in_place", 1.3, f"{d} cycle on tmpfs ≤ 1.3× the C floor with the same locks (in place)",
             "shm", "floor_in_place", f"the truncating floor: {times(shm and shm['ratio'])}" if shm else None)

    def faster(fs, limit, fs_name, peer_name, peer_us, key, why):
        row = cell.get((d, fs, "delete"))
        v = row and row[key]
        t.add(f"{d} cycle on {fs_name} ≥ {limit}× faster than {peer_name}",
              f"{v:.2f}× ({fmt(peer_us)} µs against {row['us']:.2f} µs)" if v else
              ("no figure" if row else "no pidlock figure") + ("" if peer_us else f" (the peer: {why})"),
              None if not v else v >= limit)

    py_why, bsd_why = info.get("py_note", "no figure"), info.get("bsd_note", "no figure")
    faster("shm", 4, "tmpfs", peers.python_label(), peers.python("shm"), "vs_python", py_why)
    cycle_vs(disk, "ratio_in_place", 1.5, f"{d} cycle on ext4 ≤ 1.5× the C floor that does not truncate an empty file",
             "disk", "floor_in_place")
    faster("disk", 5, "ext4", "libbsd pidfile(3)", peers.libbsd("disk"), "vs_libbsd", bsd_why)
    faster("disk", 5, "ext4", peers.python_label(), peers.python("disk"), "vs_python", py_why)
    allocs = {(r["fs"], r["release"]): r["alloc"] for r in cyc if r["backend"] == d and r["alloc"] is not None}
    a = worst(allocs.values())
    t.add(f"{d} allocation ≤ 1 KB per cycle (-prof gc; the largest of its fs × release rows)",
          "no figure" if a is None else f"{a:.0f} B (" + ", ".join(f"{fs} {rel} {v:.0f}" for (fs, rel), v
                                                              in sorted(allocs.items())) + ")",
          None if a is None else a <= 1024)
    for simple, limit, unit, name in (("TryAcquireHeldBenchmark", 15.0, "µs", "refused tryAcquire ≤ 15 µs"),
                                      ("InspectHeldBenchmark", 200.0, "µs", "inspect of a held pidfile ≤ 0.2 ms")):
        got = {fs: v for (b, fs), v in held_us(results, simple).items() if b == d}
        w = worst(got.values())
        t.add(f"{d} {name} (the slower fs)", "no figure" if w is None else
              ", ".join(f"{fs} {got[fs]:.2f} {unit}" for fs in sorted(got, key=fs_key)), None if w is None else w <= limit)
    ho = {fs: v for (b, fs), v in handover.items() if b == d}
    if ho:
        med, p99 = max(v[1] for v in ho.values()), max(v[2] for v in ho.values())
        t.add(f"{d} hand-over ≤ 1 ms median and ≤ 5 ms p99 (the slower fs)",
              ", ".join(f"{fs} {ho[fs][1]:.3f} / {ho[fs][2]:.3f} ms" for fs in sorted(ho, key=fs_key)),
              med <= 1.0 and p99 <= 5.0)
    else:
        t.add(f"{d} hand-over ≤ 1 ms median and ≤ 5 ms p99", "no figure", None)
    wc = {fs: v for (b, fs), v in waitcost.items() if b == d}
    t.add(f"{d} waiter < 1 % of a core while it waits (the whole waiting JVM, the slower fs)",
          ", ".join(f"{fs} {wc[fs][1]:.2f} %" for fs in sorted(wc, key=fs_key)) if wc else "no figure",
          max(v[1] for v in wc.values()) < 1.0 if wc else None)
    _, stats, errors, base = startup
    if RUN in stats and base in stats:
        r = stats[RUN][1] / stats[base][1]
        t.add(f"`pidlock run --name x -- true` ≤ 2× a bare `{HELLO}` on the same JDK (medians)",
              f"{r:.2f}× ({stats[RUN][1]:.1f} ms against {stats[base][1]:.1f} ms, {base})", r <= 2.0)
    else:
        why = errors.get(RUN) or errors.get(base) or "a command is missing (see the start-up section)"
        t.add(f"`pidlock run --name x -- true` ≤ 2× a bare `{HELLO}` on the same JDK", f"no figure: {why}", None)
    return t


def markdown(work, info, results, peers):
    cyc = cycle_rows(results, peers)
    handover, waitcost = read_handover(work), read_waitcost(work)
    startup = startup_stats(work)
    out = []
    w = out.append
    w(f"# pidlock benchmarks — {info.get('date')} — JDK {info.get('jdk_feature')}")
    w("")
    w(f"Written by `pidlock-bench/bench.sh` ({info.get('mode')} configuration, {info.get('elapsed', '?')} s in all)."
      " Every figure below comes from this one run: the peers (C floors, libbsd, Python pid) before and after the"
      " JMH cycle run, interleaved start-up runs. JMH scores are averages with the 99.9 % confidence half-width;"
      " few iterations make wide intervals: compare ratios from one run, not times across runs.")
    busy = info.get("busy") == "yes"
    if busy or info.get("note"):
        w("")
        if busy:
            w(f"**Provisional:** the machine was busy (load average {info.get('load_start')} at the start,"
              f" {info.get('load_end')} at the end, on {info.get('cores')} cores). Rerun on a quiet machine"
              " before quoting these figures.")
        if info.get("note"):
            w("")
            w(f"Note: {info['note']}")
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| CPU | {info.get('cpu')} ({info.get('cores')} cores) |")
    w(f"| kernel | {info.get('kernel')} |")
    w(f"| JDK | {info.get('jdk')} (`{info.get('java')}`) |")
    w(f"| shm | {info.get('fs_shm')} |")
    w(f"| disk | {info.get('fs_disk')} |")
    w(f"| load average (1, 5, 15 min) | {info.get('load_start')} at the start, {info.get('load_end')} at the end |")
    w(f"| C floor | {info.get('floor_note')} |")
    w(f"| libbsd | {info.get('bsd_note')} |")
    w(f"| Python pid | {info.get('py_note')} |")
    w(f"| start-up | {info.get('startup_note') or '–'} |")
    w("")

    verdicts = targets(info, cyc, peers, results, handover, waitcost, startup)
    w("## Targets (PRODUCT.md §8, issue 14)")
    w("")
    w("Decided from this run's figures, for the default backend; the tables below give every backend.")
    w("")
    w("| target | measured | |")
    w("|---|---|---|")
    for target, measured, verdict, _ in verdicts.rows:
        w(f"| {target} | {measured} | {verdict} |")
    w("")

    w("## The same cycle without pidlock: C floors, libbsd, Python pid")
    w("")
    w("µs per acquire + release cycle, median of the rounds (each about a tenth of a second, or more in"
      " `--full`; the first of each series left out), both series (before and after the JMH cycle run)"
      " together. *C floor* is `src/main/c/cycle_floor.c`: open no-follow, fstat, lock, lstat, read, then"
      " either *truncate* (ftruncate to 0, then write) or *in place* (write over the old content, ftruncate only"
      " when it was longer: an empty file is never truncated), unlink (not with keep), close. With `ofd+flock`"
      " it takes both locks. libbsd and Python pid remove the file on release (delete).")
    w("")
    w("| peer | shm delete | shm keep | disk delete | disk keep |")
    w("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        for write, label in (("truncate", "truncate"), ("in-place", "in place")):
            cells = [fmt(peers.floor(kind, fs, rel, write)) for fs in FS_ORDER for rel in RELEASE_ORDER]
            w(f"| C floor {kind}, {label} | " + " | ".join(cells) + " |")
    bsd_absent = "" if peers.libbsd("shm") or peers.libbsd("disk") else f" ({info.get('bsd_note', 'no figure')})"
    w(f"| libbsd pidfile(3){bsd_absent} | {fmt(peers.libbsd('shm'))} | – | {fmt(peers.libbsd('disk'))} | – |")
    w(f"| {peers.python_label()} | {fmt(peers.python('shm'))} | – | {fmt(peers.python('disk'))} | – |")
    w("")
    if peers.python_kind != "pid":
        w("The Python row is **not the pid package**: it could not be installed here (see *Python pid* above);"
          " it is `src/main/python/pid_cycle.py reimpl`, our loop making the system calls pid 3.0.4's `PidFile`"
          " makes. Rerun where `pip install pid==3.0.4` works for the package's own figure.")
        w("")

    w("## Acquire + release cycle (uncontended)")
    w("")
    w("`CycleBenchmark`: `acquire().close()` of one pidfile, again and again. *floor* columns are the C floor with"
      " the same kind of lock and release from the table above (nio and posix take classic POSIX fcntl locks:"
      " the `posix` floor), truncating and in place; *ratio* is pidlock's time over the floor's. *÷ libbsd* and"
      f" *÷ Python* are how many times faster pidlock is than libbsd `pidfile(3)` and {peers.python_label()} on"
      " the same file system (delete rows only: both remove the file). *alloc* is the heap allocated per cycle"
      " (JMH `-prof gc`), which does not depend on the machine's load.")
    w("")
    w("| backend | fs | release | µs/op ± error | floor truncate µs | ratio | floor in place µs | ratio |"
      " ÷ libbsd | ÷ Python | alloc B/op |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in cyc:
        name = f"**{r['backend']}** (default)" if r["backend"] == DEFAULT_BACKEND else r["backend"]
        w(f"| {name} | {r['fs']} | {r['release']} | {r['cell']} | {fmt(r['floor'])} | {times(r['ratio'])} | "
          f"{fmt(r['floor_in_place'])} | {times(r['ratio_in_place'])} | {times(r['vs_libbsd'])} | "
          f"{times(r['vs_python'])} | {fmt(r['alloc'], 0)} |")
    w("")
    w(f"Charts: [{info.get('svg_name')}]({info.get('svg_name')}) (every backend against its floors),"
      f" [{info.get('peers_svg_name')}]({info.get('peers_svg_name')}) (the default backend against the peers;"
      " start-up).")
    w("")

    for simple, title, text in [
        ("TryAcquireHeldBenchmark", "tryAcquire of a pidfile another process holds (the fast \"no\")",
         "`TryAcquireHeldBenchmark`: a child JVM holds the pidfile with the same backend for the whole trial;"
         " `tryAcquire()` opens, fails to lock, closes and returns `Optional.empty()` (nobody reads a holder);"
         " `acquire()` also finds out who holds (the file's pid confirmed through that process's descriptors)"
         " and throws an exception naming it. Target (the `tryAcquire()` rows): ≤ 15 µs."),
        ("InspectHeldBenchmark", "inspect of a held pidfile (status cost)",
         "`InspectHeldBenchmark`: `inspect()` of a pidfile a child JVM holds: open read-only, probe the lock,"
         " read the pid, look up the process (start time, command, cpu, memory from /proc). Target: ≤ 200 µs."),
    ]:
        rows = sorted(by_benchmark(results, simple), key=lambda r: order_key(r["params"]))
        if not rows:
            continue
        w(f"## {title}")
        w("")
        w(text)
        w("")
        w("| backend | fs | call | µs/op ± error |")
        w("|---|---|---|---:|")
        for r in rows:
            method = r["benchmark"].rsplit(".", 1)[-1]
            w(f"| {r['params']['backend']} | {r['params']['fs']} | {METHOD_CALL.get(method, method)} |"
              f" {score_cell(r)} |")
        w("")

    if handover:
        w("## Hand-over between two processes")
        w("")
        w("`HandOver`: this JVM holds, a child JVM waits in `acquire(30 s)`; the time from the holder starting"
          " `close()` to the waiter holding, on one monotonic clock. Target: median ≤ 1 ms, p99 ≤ 5 ms.")
        w("")
        w("| backend | fs | rounds | median ms | p99 ms | max ms |")
        w("|---|---|---:|---:|---:|---:|")
        for (b, fs) in sorted(handover, key=lambda k: (fs_key(k[1]), backend_key(k[0]))):
            n, med, p99, mx = handover[(b, fs)]
            w(f"| {b} | {fs} | {n} | {med:.3f} | {p99:.3f} | {mx:.3f} |")
        w("")

    if waitcost:
        w("## What a waiter costs while it waits")
        w("")
        w("`WaitCost`: this JVM holds, a child JVM waits in `acquire(timeout)`; over the measured seconds (after a"
          " settling 1.5 s), the child's CPU (`utime + stime`, the whole JVM: its GC and compiler threads too),"
          " the waiting thread's CPU and its wake-ups. Target: under 1 % of a core.")
        w("")
        w("| backend | fs | seconds | process % of a core | waiting thread % of a core | wake-ups / s |")
        w("|---|---|---:|---:|---:|---:|")
        for (b, fs) in sorted(waitcost, key=lambda k: (fs_key(k[1]), backend_key(k[0]))):
            sec, proc, thread, wake = waitcost[(b, fs)]
            w(f"| {b} | {fs} | {sec:.1f} | {proc:.2f} | {thread:.3f} | {wake:.1f} |")
        w("")

    scale = sorted(by_benchmark(results, "ScaleBenchmark"), key=lambda r: order_key(r["params"]))
    if scale:
        mem = read_scale_lines(work)
        plain = {(r["backend"], r["fs"]): r["us"] for r in cyc if r["release"] == "delete"}
        w("## Scale: the cycle while this JVM holds many other locks")
        w("")
        w("`ScaleBenchmark`: the same cycle on one more pidfile while the JVM holds *held* other pidlock locks"
          " (one directory, same backend). *without* is the plain cycle from the cycle table; *heap/lock* is the"
          " heap used after a full GC, before and after acquiring them, divided by their number; kernel memory"
          " is not in it.")
        w("")
        w("| backend | fs | held | µs/op ± error | without, µs/op | ratio | alloc B/op | heap bytes/lock | fds/lock |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for r in scale:
            p = r["params"]
            us = to_us(num(r["primaryMetric"]["score"]), r["primaryMetric"]["scoreUnit"])
            base = plain.get((p["backend"], p["fs"]))
            heap, fds = mem.get((p["backend"], p["fs"], p["held"]), (None, None))
            w(f"| {p['backend']} | {p['fs']} | {p['held']} | {score_cell(r)} | {fmt(base)} | "
              f"{times(ratio(us, base))} | {fmt(alloc(r), 0)} | {fmt(heap, 0)} | {fmt(fds, 3)} |")
        w("")

    sel = by_benchmark(results, "SelectionBenchmark")
    if sel:
        w("## Backend selection, cold")
        w("")
        w("`SelectionBenchmark`: the first pidlock call of a fresh JVM, one JVM per measurement: class loading,"
          " ServiceLoader discovery, loading JNA and libc, and the availability probes (each locks a temporary"
          " file). `selectDefault` is `PidLock.at(..).selectedBackend()` (probes down the priorities until one"
          " works); `describeAll` is `PidLock.backends()` (every probe, as `pidlock backends` does).")
        w("")
        w("| benchmark | JVMs | mean ms ± error | median ms | min ms | max ms |")
        w("|---|---:|---:|---:|---:|---:|")
        for r in sorted(sel, key=lambda r: r["benchmark"], reverse=True):
            raw = [v for fork in r["primaryMetric"].get("rawData", []) for v in fork]
            name = r["benchmark"].rsplit(".", 1)[-1]
            w(f"| {name} | {len(raw)} | {score_cell(r)} | {fmt(statistics.median(raw)) if raw else '–'} | "
              f"{fmt(min(raw)) if raw else '–'} | {fmt(max(raw)) if raw else '–'} |")
        w("")

    names, stats, errors, base = startup
    if names:
        w("## The command's start-up")
        w("")
        w("Wall time from fork to exit of each command, run in turn (the order rotating every round, after three"
          " uncounted rounds), in one run: `pidlock run --name x --dir D -- true` (the jlink image), a bare"
          f" `java -cp … Hello` (one `println`) and `flock F true`. *ratio* is the median over `{base}`'s median."
          " Target: `pidlock run` ≤ 2× `java Hello` on the same JDK.")
        w("")
        w("| command | runs | median ms | min ms | max ms | ratio |")
        w("|---|---:|---:|---:|---:|---:|")
        for n in names:
            if n in stats:
                k, med, lo, hi = stats[n]
                r = ratio(med, stats[base][1]) if base in stats else None
                w(f"| {n} | {k} | {med:.1f} | {lo:.1f} | {hi:.1f} | {times(r)} |")
            else:
                w(f"| {n}: failed ({errors.get(n, '?')}) | – | – | – | – | – |")
        w("")
        if info.get("startup_note"):
            w(info["startup_note"])
            w("")
    return "\n".join(out) + "\n", cyc, verdicts, startup


def svg(cyc, title, subtitle=""):
    """One panel per file system (each with its own scale); per backend a bar per release action, with its C
    floors drawn across it: in place solid, truncating dashed."""
    panels = [fs for fs in FS_ORDER if any(r["fs"] == fs for r in cyc)]
    releases = [rel for rel in RELEASE_ORDER if any(r["release"] == rel for r in cyc)]
    backends = [b for b in BACKENDS if any(r["backend"] == b for r in cyc)]
    backends += sorted({r["backend"] for r in cyc} - set(backends))
    colours = {"delete": "#3b6ea8", "keep": "#9cc0e6"}
    cell = {(r["backend"], r["fs"], r["release"]): r for r in cyc}
    bar_w, gap = 20, 18
    group_w = len(releases) * bar_w + gap
    left, right, head, foot, panel_gap = 64, 16, 70, 84, 56
    panel_w = max(1, len(backends)) * group_w
    plot_h = 300
    width = max(left + len(panels) * panel_w + (len(panels) - 1) * panel_gap + right, 760)
    height = head + plot_h + foot
    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
         f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
         f'<rect width="{width}" height="{height}" fill="white"/>',
         f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>']
    if subtitle:
        s.append(f'<text x="{width / 2}" y="38" text-anchor="middle" fill="#b00000">{escape(subtitle)}</text>')
    for k, fs in enumerate(panels):
        px = left + k * (panel_w + panel_gap)
        rows = [r for r in cyc if r["fs"] == fs]
        top = max([r["us"] for r in rows] + [r["floor"] or 0 for r in rows] + [1.0])
        step = nice_step(top / 5)
        ymax = step * math.ceil(top / step)

        def y(v):
            return head + plot_h - v / ymax * plot_h

        s.append(f'<text x="{px + panel_w / 2}" y="{head - 14}" text-anchor="middle" font-size="13">'
                 f'pidfile on {escape(fs)}{" (tmpfs)" if fs == "shm" else " (project disk)"}</text>')
        v = 0.0
        while v <= ymax + 1e-9:
            s.append(f'<line x1="{px}" y1="{y(v):.1f}" x2="{px + panel_w}" y2="{y(v):.1f}" stroke="#ddd"/>')
            s.append(f'<text x="{px - 5}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
            v += step
        for i, b in enumerate(backends):
            x0 = px + i * group_w + gap / 2
            for j, rel in enumerate(releases):
                r = cell.get((b, fs, rel))
                if r is None:
                    continue
                x = x0 + j * bar_w
                tip = f"{b}, {fs}, {rel}: {r['us']:.2f} µs"
                if r["floor_in_place"]:
                    tip += f" (floor in place {r['floor_in_place']:.2f} µs, {r['ratio_in_place']:.2f}×)"
                if r["floor"]:
                    tip += f" (floor truncating {r['floor']:.2f} µs, {r['ratio']:.2f}×)"
                s.append(f'<rect x="{x:.1f}" y="{y(r["us"]):.1f}" width="{bar_w - 3}" '
                         f'height="{head + plot_h - y(r["us"]):.1f}" fill="{colours.get(rel, "#888")}">'
                         f'<title>{escape(tip)}</title></rect>')
                if r["floor"]:
                    s.append(f'<line x1="{x - 2:.1f}" y1="{y(r["floor"]):.1f}" x2="{x + bar_w - 1:.1f}" '
                             f'y2="{y(r["floor"]):.1f}" stroke="black" stroke-width="1.5" stroke-dasharray="3,2"/>')
                if r["floor_in_place"]:
                    s.append(f'<line x1="{x - 2:.1f}" y1="{y(r["floor_in_place"]):.1f}" x2="{x + bar_w - 1:.1f}" '
                             f'y2="{y(r["floor_in_place"]):.1f}" stroke="black" stroke-width="2.5"/>')
            s.append(f'<text x="{x0 + len(releases) * bar_w / 2 - 1.5:.1f}" y="{head + plot_h + 16}" '
                     f'text-anchor="middle">{escape(b)}</text>')
        s.append(f'<line x1="{px}" y1="{head + plot_h}" x2="{px + panel_w}" y2="{head + plot_h}" stroke="black"/>')
    s.append(f'<text x="14" y="{head + plot_h / 2}" text-anchor="middle" '
             f'transform="rotate(-90 14 {head + plot_h / 2})">µs per acquire + release</text>')
    lx, ly = left, head + plot_h + 50
    for rel in releases:
        s.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{colours.get(rel, "#888")}"/>')
        s.append(f'<text x="{lx + 16}" y="{ly}">release: {rel}</text>')
        lx += 110
    s.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 16}" y2="{ly - 4}" stroke="black" stroke-width="2.5"/>')
    s.append(f'<text x="{lx + 20}" y="{ly}">C floor, in place</text>')
    lx += 130
    s.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 16}" y2="{ly - 4}" stroke="black" stroke-width="1.5" '
             f'stroke-dasharray="3,2"/>')
    s.append(f'<text x="{lx + 20}" y="{ly}">C floor, truncating (same run; nio against posix)</text>')
    s.append("</svg>")
    return "\n".join(s) + "\n"


def peers_svg(cyc, peers, startup, title, subtitle=""):
    """Horizontal bars, one panel each: the cycle on shm, the cycle on disk (the default backend and nio against
    the floors, libbsd and Python pid), and the command's start-up; each panel with its own linear scale and the
    figure written at the end of each bar."""
    cell = {(r["backend"], r["fs"], r["release"]): r for r in cyc}
    panels = []
    for fs, name in (("shm", "acquire + release on tmpfs (µs)"), ("disk", "acquire + release on the project's disk"
                                                                  " (µs)")):
        bars = [
            (f"C floor {DEFAULT_BACKEND}, in place", peers.floor(DEFAULT_BACKEND, fs, "delete", "in-place"), "#444"),
            (f"C floor {DEFAULT_BACKEND}, truncating", peers.floor(DEFAULT_BACKEND, fs, "delete", "truncate"), "#888"),
            (f"pidlock {DEFAULT_BACKEND} (default)", (cell.get((DEFAULT_BACKEND, fs, "delete")) or {}).get("us"),
             "#3b6ea8"),
            ("pidlock nio", (cell.get(("nio", fs, "delete")) or {}).get("us"), "#9cc0e6"),
            ("libbsd pidfile(3)", peers.libbsd(fs), "#c07a2c"),
            ("Python pid" + ("" if peers.python_kind == "pid" else " (re-impl.)"), peers.python(fs), "#6a9a3a"),
        ]
        panels.append((name, [b for b in bars if b[1]]))
    _, stats, _, base = startup
    sbars = [(n, stats[n][1], "#3b6ea8" if n == RUN else "#888") for n in stats]
    if sbars:
        panels.append((f"start-up, median of the interleaved runs (ms); ratio to {base}", sbars))
    panels = [p for p in panels if p[1]]
    label_w, bar_area, right, bar_h, row_gap, head = 250, 420, 130, 16, 6, 52
    width = label_w + bar_area + right
    y = head
    s = []
    for name, bars in panels:
        s.append(f'<text x="{label_w}" y="{y + 14}" font-size="13">{escape(name)}</text>')
        y += 24
        top = max(v for _, v, _ in bars)
        for label, v, colour in bars:
            w = max(1.0, v / top * bar_area)
            extra = ""
            if name.startswith("start-up") and base in stats and label != base:
                extra = f" ({v / stats[base][1]:.2f}×)"
            s.append(f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end">{escape(label)}</text>')
            s.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
            s.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h - 4}">{v:.1f}{escape(extra)}</text>')
            y += bar_h + row_gap
        y += 18
    height = y + 10
    head_s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
              f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
              f'<rect width="{width}" height="{height}" fill="white"/>',
              f'<text x="{width / 2}" y="22" text-anchor="middle" font-size="15">{escape(title)}</text>']
    if subtitle:
        head_s.append(f'<text x="{width / 2}" y="38" text-anchor="middle" fill="#b00000">{escape(subtitle)}</text>')
    return "\n".join(head_s + s + ["</svg>"]) + "\n"


def nice_step(raw):
    if raw <= 0:
        return 1.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def main(argv):
    if len(argv) != 4:
        print("usage: report.py WORK_DIR OUT.md OUT.svg  (also writes OUT-peers.svg)", file=sys.stderr)
        return 64
    work, md_path, svg_path = argv[1:]
    peers_svg_path = svg_path[:-len(".svg")] + "-peers.svg" if svg_path.endswith(".svg") else svg_path + "-peers"
    info = read_machine(work)
    info["svg_name"] = os.path.basename(svg_path)
    info["peers_svg_name"] = os.path.basename(peers_svg_path)
    results = read_jmh(work)
    if not results:
        print(f"report.py: no JMH results in {work}", file=sys.stderr)
        return 1
    peers = Peers(read_peers(work))
    text, cyc, _, startup = markdown(work, info, results, peers)
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(text)
    busy = info.get("busy") == "yes"
    subtitle = (f"provisional: the machine was busy (load {info.get('load_start', '?').split()[0]} on"
                f" {info.get('cores')} cores)" if busy else "")
    with open(svg_path, "w", encoding="utf-8") as f:
        f.write(svg(cyc, f"pidlock acquire + release, JDK {info.get('jdk_feature')}, {info.get('date')}", subtitle))
    with open(peers_svg_path, "w", encoding="utf-8") as f:
        f.write(peers_svg(cyc, peers, startup, f"pidlock and its peers, JDK {info.get('jdk_feature')},"
                                               f" {info.get('date')}", subtitle))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
