#!/usr/bin/env bash
# Runs pidlock's benchmarks and writes pidlock-bench/results/<YYYY-MM-DD>-jdk<N>.md and .svg.
#
#   pidlock-bench/bench.sh [--quick | --full] [--build] [--note TEXT]
#
# --quick (default) takes a few minutes (4 × 0.4 s warm-up, 5 × 0.4 s measured, one fork; the held benchmarks
# on shm only); --full uses the benchmarks' own, longer settings and every parameter. --build runs
# "mvn -B -ntp package -pl pidlock-bench -am -DskipTests" first; otherwise target/benchmarks.jar must exist.
# JAVA_HOME selects the JDK (else java on the PATH). JMH_ARGS is appended to the JMH command lines of the
# cycle, held and scale benchmarks, for example JMH_ARGS='-p backend=ofd+flock,nio'. The C floor is built
# with gcc when there is one; without gcc the report has no floor and no ratio. Needs bash, python3
# (standard library only) and Linux.
set -euo pipefail

die() {
    echo "bench.sh: $*" >&2
    exit 2
}

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
MODE=quick
BUILD=no
NOTE=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MODE=quick ;;
        --full) MODE=full ;;
        --build) BUILD=yes ;;
        --note) [ $# -ge 2 ] || die "--note needs a text"; NOTE=$2; shift ;;
        -h|--help) sed -n '2,/^set -e/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) die "unknown option $1 (try --help)" ;;
    esac
    shift
done

if [ -n "${JAVA_HOME:-}" ]; then
    JAVA="$JAVA_HOME/bin/java"
    [ -x "$JAVA" ] || die "no JDK: JAVA_HOME=$JAVA_HOME has no executable bin/java"
else
    JAVA=$(command -v java || true)
    [ -n "$JAVA" ] || die "no JDK: set JAVA_HOME or put java on the PATH"
fi
command -v python3 >/dev/null || die "python3 is required to write the report"
JDK_FEATURE=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
[ -n "$JDK_FEATURE" ] || die "no JDK: $JAVA -version failed"

JAR="$HERE/target/benchmarks.jar"
if [ "$BUILD" = yes ]; then
    (cd "$ROOT" && mvn -B -ntp package -pl pidlock-bench -am -DskipTests) || die "the build failed"
fi
[ -f "$JAR" ] || die "missing $JAR: run 'mvn -B -ntp package -pl pidlock-bench -am -DskipTests' in $ROOT first (or bench.sh --build)"

# ScaleBenchmark holds 10 000 pidfiles open in one JVM
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10500 ]; then
    ulimit -n 10500 2>/dev/null || die "ScaleBenchmark keeps 10 000 pidfiles open: raise ulimit -n to 10500 or more"
fi

if [ "$MODE" = quick ]; then
    JMH_RUN=(-f 1 -wi 4 -w 400ms -i 5 -r 400ms)
    HELD_ONLY=(-p fs=shm)
    SELECTION_FORKS=(-f 5)
    FLOOR_ROUND_MS=100; FLOOR_ROUNDS=6
    HANDOVER_ROUNDS=300
else
    JMH_RUN=()
    HELD_ONLY=()
    SELECTION_FORKS=()
    FLOOR_ROUND_MS=250; FLOOR_ROUNDS=10
    HANDOVER_ROUNDS=2000
fi
# shellcheck disable=SC2206
EXTRA=(${JMH_ARGS:-})
JVM_FLAGS=(-Djava.util.logging.config.file=/dev/null --enable-native-access=ALL-UNNAMED)

DATE=$(date +%F)
RESULTS="$HERE/results"
WORK="$HERE/target/bench-run"
MD="$RESULTS/$DATE-jdk$JDK_FEATURE.md"
SVG="$RESULTS/$DATE-jdk$JDK_FEATURE.svg"
rm -rf "$WORK"
mkdir -p "$WORK" "$RESULTS"
SCRATCH=()
CHILD=""
cleanup() {
    if [ -n "$CHILD" ]; then kill "$CHILD" 2>/dev/null || true; fi
    for d in "${SCRATCH[@]+"${SCRATCH[@]}"}"; do rm -rf "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
# runs a JVM in the background and waits, so that an interrupted bench.sh ends it at once
child() {
    "$@" &
    CHILD=$!
    local status=0
    wait "$CHILD" || status=$?
    CHILD=""
    return "$status"
}
START=$(date +%s)
cores=$(nproc)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
fs_type() {
    # the mount that holds $1: type and mount point
    df --output=fstype,target "$1" 2>/dev/null | tail -1 | awk '{print $1 " (" $2 ")"}'
}

say() {
    echo "bench.sh: $(date +%T) $*"
}

# --- the C floor -------------------------------------------------------------------------------------------
FLOOR_BIN=""
if command -v gcc >/dev/null; then
    FLOOR_BIN="$WORK/cycle_floor"
    gcc -O2 -Wall -o "$FLOOR_BIN" "$HERE/src/main/c/cycle_floor.c" || die "gcc could not build src/main/c/cycle_floor.c"
    FLOOR_NOTE="src/main/c/cycle_floor.c, gcc -O2 ($(gcc -dumpfullversion)); $FLOOR_ROUNDS rounds of about $FLOOR_ROUND_MS ms per case, before and after the JMH cycle run; the median of the rounds after the first"
else
    FLOOR_NOTE="no gcc on this machine: no floor, no ratio"
    say "no gcc: skipping the C floor (the report will have no floor and no ratio)"
fi
if [ -n "$FLOOR_BIN" ]; then
    FLOOR_SHM=$(mktemp -d /dev/shm/pidlock-floor-XXXXXX)
    SCRATCH+=("$FLOOR_SHM")
    FLOOR_DISK=$(mktemp -d "$HERE/target/pidlock-floor-XXXXXX")
    SCRATCH+=("$FLOOR_DISK")
fi
run_floor() {
    [ -n "$FLOOR_BIN" ] || return 0
    say "C floor ($1)"
    local fs dir kind release
    for fs in shm disk; do
        if [ "$fs" = shm ]; then dir=$FLOOR_SHM; else dir=$FLOOR_DISK; fi
        for kind in ofd+flock ofd flock posix lockf; do
            for release in delete keep; do
                local keep=() ns n
                [ "$release" = keep ] && keep=(keep)
                # calibrate: as many cycles as make one round last about FLOOR_ROUND_MS
                ns=$("$FLOOR_BIN" "$kind" "$dir/floor.pid" 200 1 "${keep[@]+"${keep[@]}"}" | awk '{print $4}')
                n=$(awk -v ns="$ns" -v ms="$FLOOR_ROUND_MS" 'BEGIN { n = int(ms * 1e6 / ns); print (n < 100) ? 100 : n }')
                "$FLOOR_BIN" "$kind" "$dir/floor.pid" "$n" "$FLOOR_ROUNDS" "${keep[@]+"${keep[@]}"}" \
                    | sed "s/^/$fs $release /" >>"$WORK/floor.txt"
            done
        done
    done
}

jmh() {
    local name=$1
    shift
    say "JMH $name"
    child "$JAVA" -jar "$JAR" "$@" -foe true -rf json -rff "$WORK/$name.json" >"$WORK/jmh-$name.log" 2>&1 \
        || { grep -m1 -E "Exception|Error" "$WORK/jmh-$name.log" >&2; die "JMH $name failed (log: $WORK/jmh-$name.log)"; }
}

# --- the run -------------------------------------------------------------------------------------------------
say "$MODE run with $JAVA (JDK $JDK_FEATURE), writing $MD"
run_floor before
jmh cycle 'CycleBenchmark' -prof gc "${JMH_RUN[@]+"${JMH_RUN[@]}"}" "${EXTRA[@]+"${EXTRA[@]}"}"
run_floor after
jmh held 'TryAcquireHeldBenchmark|InspectHeldBenchmark' "${JMH_RUN[@]+"${JMH_RUN[@]}"}" \
    "${HELD_ONLY[@]+"${HELD_ONLY[@]}"}" "${EXTRA[@]+"${EXTRA[@]}"}"
jmh scale 'ScaleBenchmark' -prof gc "${JMH_RUN[@]+"${JMH_RUN[@]}"}" "${EXTRA[@]+"${EXTRA[@]}"}"
jmh selection 'SelectionBenchmark' "${SELECTION_FORKS[@]+"${SELECTION_FORKS[@]}"}"
for backend in ofd+flock ofd flock posix lockf nio; do
    say "hand-over $backend"
    child "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.pidlock.bench.HandOver "$backend" "$HANDOVER_ROUNDS" /dev/shm \
        >>"$WORK/handover.txt" 2>>"$WORK/handover.err" \
        || { grep -m1 -E "Exception|Error" "$WORK/handover.err" >&2; die "the hand-over harness failed for $backend (log: $WORK/handover.err)"; }
done

# --- the report ------------------------------------------------------------------------------------------------
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
busy=$(awk -v l="${load_start%% *}" -v c="$cores" 'BEGIN { print (l > c / 2) ? "yes" : "no" }')
{
    echo "date=$DATE"
    echo "mode=$MODE"
    echo "jdk_feature=$JDK_FEATURE"
    echo "jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.name = //p') $("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')"
    echo "java=$JAVA"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
    echo "cores=$cores"
    echo "kernel=$(uname -sr)"
    echo "fs_shm=$(fs_type /dev/shm)"
    echo "fs_disk=$(fs_type "$HERE/target")"
    echo "load_start=$load_start"
    echo "load_end=$load_end"
    echo "busy=$busy"
    echo "floor_note=$FLOOR_NOTE"
    echo "elapsed=$(($(date +%s) - START))"
    echo "note=$NOTE"
} >"$WORK/machine.txt"
python3 -B "$HERE/report.py" "$WORK" "$MD" "$SVG" || die "report.py failed"
say "done in $(($(date +%s) - START)) s: $MD and $SVG"
