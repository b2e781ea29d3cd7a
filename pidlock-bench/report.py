#!/usr/bin/env python3
"""Turns one bench.sh run into pidlock-bench/results/<date>-jdk<N>.md and the SVG chart beside it.

Inputs (all written by bench.sh into its work directory):
  floor.txt     lines "FS RELEASE floor KIND ROUND NS" from src/main/c/cycle_floor.c (absent without gcc)
  *.json        JMH results (-rf json)
  jmh-*.log     JMH console output (the "scale: ..." lines that ScaleBenchmark prints)
  handover.txt  lines "hand-over BACKEND: rounds N, median X ms, p99 Y ms, max Z ms"
  machine.txt   KEY=VALUE lines: jdk, jdk_feature, java, mode, started, load_start, floor_note, ...

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
DEFAULT_BACKEND = "ofd+flock"
FLOOR_KIND = {"ofd+flock": "ofd+flock", "ofd": "ofd", "flock": "flock", "posix": "posix", "lockf": "lockf",
              "nio": "posix"}
FS_ORDER = ["shm", "disk"]
RELEASE_ORDER = ["delete", "keep"]
TARGET_RATIO = 1.3


def read_machine(work):
    info = {}
    with open(os.path.join(work, "machine.txt"), encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                info[k] = v
    return info


def read_floor(work):
    """{(kind, fs, release): median ns of the rounds after the first of each run}"""
    rounds = {}
    path = os.path.join(work, "floor.txt")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 6 or parts[2] != "floor":
                continue
            fs, release, _, kind, rnd, ns = parts
            if int(rnd) == 0:
                continue  # the first round of each run warms the caches up
            rounds.setdefault((kind, fs, release), []).append(float(ns))
    return {k: statistics.median(v) for k, v in rounds.items()}


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
    out = {}
    path = os.path.join(work, "handover.txt")
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"hand-over (\S+): rounds (\d+), median ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms",
                         line)
            if m:
                out[m.group(1)] = (int(m.group(2)), float(m.group(3)), float(m.group(4)), float(m.group(5)))
    return out


def order_key(params):
    b = params.get("backend", "")
    return (FS_ORDER.index(params["fs"]) if params.get("fs") in FS_ORDER else 9,
            RELEASE_ORDER.index(params["release"]) if params.get("release") in RELEASE_ORDER else 9,
            BACKENDS.index(b) if b in BACKENDS else 99, b)


def fmt(v, digits=2):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.{digits}f}"


def score_cell(r):
    score, err = num(r["primaryMetric"]["score"]), num(r["primaryMetric"]["scoreError"])
    return fmt(score) + (" ± " + fmt(err) if not math.isnan(err) else "")


def alloc(r):
    """bytes allocated per operation (JMH -prof gc), or None"""
    m = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
    return num(m["score"]) if m else None


def to_us(value, unit):
    return value * {"us/op": 1.0, "ns/op": 1e-3, "ms/op": 1e3, "s/op": 1e6}[unit]


def cycle_rows(results, floor):
    rows = []
    for r in sorted(by_benchmark(results, "CycleBenchmark"), key=lambda r: order_key(r["params"])):
        p = r["params"]
        us = to_us(num(r["primaryMetric"]["score"]), r["primaryMetric"]["scoreUnit"])
        f_ns = floor.get((FLOOR_KIND.get(p["backend"], p["backend"]), p["fs"], p["release"]))
        f_us = f_ns / 1000.0 if f_ns else None
        rows.append({"backend": p["backend"], "fs": p["fs"], "release": p["release"], "us": us,
                     "cell": score_cell(r), "floor": f_us, "ratio": us / f_us if f_us else None,
                     "alloc": alloc(r)})
    return rows


def markdown(work, info, results, floor):
    cyc = cycle_rows(results, floor)
    out = []
    w = out.append
    w(f"# pidlock benchmarks — {info.get('date')} — JDK {info.get('jdk_feature')}")
    w("")
    w(f"Written by `pidlock-bench/bench.sh` ({info.get('mode')} configuration, {info.get('elapsed', '?')} s in all)."
      " JMH scores are averages with the 99.9 % confidence half-width; few iterations make wide intervals.")
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
    w(f"| load average | {info.get('load_start')} at the start, {info.get('load_end')} at the end |")
    w(f"| C floor | {info.get('floor_note')} |")
    w("")

    w("## Acquire + release cycle (uncontended)")
    w("")
    w("`CycleBenchmark`: `acquire().close()` of one pidfile, again and again. *floor* is the same system calls"
      " done by `src/main/c/cycle_floor.c` (open no-follow, fstat, lock, lstat, read, truncate, write, unlink"
      " — none with keep —, close) in the same run; *ratio* is pidlock's time over the floor's. nio and posix"
      " take classic POSIX fcntl locks, so both are held against the `posix` floor. *alloc* is the heap"
      " allocated per cycle (JMH `-prof gc`), which does not depend on the machine's load.")
    w("")
    w("| backend | fs | release | µs/op ± error | floor µs | ratio | alloc B/op |")
    w("|---|---|---|---:|---:|---:|---:|")
    for r in cyc:
        name = f"**{r['backend']}** (default)" if r["backend"] == DEFAULT_BACKEND else r["backend"]
        w(f"| {name} | {r['fs']} | {r['release']} | {r['cell']} | {fmt(r['floor'])} | "
          f"{fmt(r['ratio']) + '×' if r['ratio'] else '–'} | {fmt(r['alloc'], 0)} |")
    w("")
    target = [r for r in cyc if r["backend"] == DEFAULT_BACKEND and r["fs"] == "shm" and r["release"] == "delete"]
    if target and target[0]["ratio"]:
        ratio = target[0]["ratio"]
        w(f"Target (PRODUCT.md §8): the default backend on tmpfs within {TARGET_RATIO}× of the floor —"
          f" measured {ratio:.2f}×: {'met' if ratio <= TARGET_RATIO else 'not met'} in this run.")
    elif target:
        w("Target (PRODUCT.md §8): no floor in this run, so no ratio.")
    w(f"Chart: [{info.get('svg_name')}]({info.get('svg_name')}).")
    w("")

    for simple, title, text in [
        ("TryAcquireHeldBenchmark", "tryAcquire of a pidfile another process holds (the fast \"no\")",
         "`TryAcquireHeldBenchmark`: a child JVM holds the pidfile with the same backend for the whole trial;"
         " each call opens, fails to lock, finds out who holds, closes, and returns `Optional.empty()`."),
        ("InspectHeldBenchmark", "inspect of a held pidfile (status cost)",
         "`InspectHeldBenchmark`: `inspect()` of a pidfile a child JVM holds: open read-only, probe the lock,"
         " read the pid, look up the process (start time, command, cpu, memory from /proc)."),
    ]:
        rows = sorted(by_benchmark(results, simple), key=lambda r: order_key(r["params"]))
        if not rows:
            continue
        w(f"## {title}")
        w("")
        w(text)
        w("")
        w("| backend | fs | µs/op ± error |")
        w("|---|---|---:|")
        for r in rows:
            w(f"| {r['params']['backend']} | {r['params']['fs']} | {score_cell(r)} |")
        w("")

    handover = read_handover(work)
    if handover:
        w("## Hand-over between two processes")
        w("")
        w("`HandOver`: this JVM holds, a child JVM waits in `acquire(30 s)`; the time from the holder starting"
          " `close()` to the waiter holding, on one monotonic clock (shm). Target (PRODUCT.md §8): median ≤ 1 ms,"
          " p99 ≤ 5 ms.")
        w("")
        w("| backend | rounds | median ms | p99 ms | max ms |")
        w("|---|---:|---:|---:|---:|")
        for b in sorted(handover, key=lambda b: BACKENDS.index(b) if b in BACKENDS else 99):
            n, med, p99, mx = handover[b]
            w(f"| {b} | {n} | {med:.3f} | {p99:.3f} | {mx:.3f} |")
        w("")

    scale = sorted(by_benchmark(results, "ScaleBenchmark"), key=lambda r: order_key(r["params"]))
    if scale:
        mem = read_scale_lines(work)
        plain = {(r["backend"], r["fs"]): r["us"] for r in cyc if r["release"] == "delete"}
        w("## Scale: the cycle while this JVM holds many other locks")
        w("")
        w("`ScaleBenchmark`: the same cycle on one more pidfile while the JVM holds *held* other pidlock locks"
          " (one directory, same backend). *without* is the plain cycle from the first table; *heap/lock* is the"
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
              f"{fmt(us / base) + '×' if base else '–'} | {fmt(alloc(r), 0)} | {fmt(heap, 0)} | {fmt(fds, 3)} |")
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
    return "\n".join(out) + "\n", cyc


def svg(cyc, title, subtitle=""):
    """One panel per file system (each with its own scale); per backend a bar per release action, each with
    its C floor drawn across it."""
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
    width = left + len(panels) * panel_w + (len(panels) - 1) * panel_gap + right
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
                if r["floor"]:
                    tip += f" (floor {r['floor']:.2f} µs, {r['ratio']:.2f}×)"
                s.append(f'<rect x="{x:.1f}" y="{y(r["us"]):.1f}" width="{bar_w - 3}" '
                         f'height="{head + plot_h - y(r["us"]):.1f}" fill="{colours.get(rel, "#888")}">'
                         f'<title>{escape(tip)}</title></rect>')
                if r["floor"]:
                    s.append(f'<line x1="{x - 2:.1f}" y1="{y(r["floor"]):.1f}" x2="{x + bar_w - 1:.1f}" '
                             f'y2="{y(r["floor"]):.1f}" stroke="black" stroke-width="2.5"/>')
            s.append(f'<text x="{x0 + len(releases) * bar_w / 2 - 1.5:.1f}" y="{head + plot_h + 16}" '
                     f'text-anchor="middle">{escape(b)}</text>')
        s.append(f'<line x1="{px}" y1="{head + plot_h}" x2="{px + panel_w}" y2="{head + plot_h}" stroke="black"/>')
    s.append(f'<text x="14" y="{head + plot_h / 2}" text-anchor="middle" '
             f'transform="rotate(-90 14 {head + plot_h / 2})">µs per acquire + release</text>')
    lx, ly = left, head + plot_h + 50
    for rel in releases:
        s.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{colours.get(rel, "#888")}"/>')
        s.append(f'<text x="{lx + 16}" y="{ly}">release: {rel}</text>')
        lx += 120
    s.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 16}" y2="{ly - 4}" stroke="black" stroke-width="2.5"/>')
    s.append(f'<text x="{lx + 20}" y="{ly}">C floor: the same system calls in the same run'
             f' (nio against posix)</text>')
    s.append("</svg>")
    return "\n".join(s) + "\n"


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
        print("usage: report.py WORK_DIR OUT.md OUT.svg", file=sys.stderr)
        return 64
    work, md_path, svg_path = argv[1:]
    info = read_machine(work)
    info["svg_name"] = os.path.basename(svg_path)
    results = read_jmh(work)
    if not results:
        print(f"report.py: no JMH results in {work}", file=sys.stderr)
        return 1
    floor = read_floor(work)
    text, cyc = markdown(work, info, results, floor)
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(text)
    with open(svg_path, "w", encoding="utf-8") as f:
        busy = info.get("busy") == "yes"
        f.write(svg(cyc, f"pidlock acquire + release, JDK {info.get('jdk_feature')}, {info.get('date')}",
                    f"provisional: the machine was busy (load {info.get('load_start', '?').split()[0]} on"
                    f" {info.get('cores')} cores)" if busy else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
