#!/usr/bin/env bash
# Runs pidlock's benchmarks and its peers, and writes pidlock-bench/results/<YYYY-MM-DD>-jdk<N>.md, .svg (the
# cycle per backend against the C floors) and -peers.svg (pidlock against the floors, libbsd and Python pid;
# the command's start-up). One report per JDK: run it once per JDK.
#
#   pidlock-bench/bench.sh [--quick | --full] [--build] [--note TEXT] [--out DIR]
#
# --quick (default, about ten minutes) uses 4 × 0.4 s warm-up, 5 × 0.4 s measured, one fork; --full uses the
# benchmarks' own, longer settings. --build runs
# "mvn -B -ntp package -pl pidlock-bench,pidlock-cli -am -DskipTests" first; otherwise target/benchmarks.jar
# must exist. --out writes the report into DIR instead of pidlock-bench/results. --note adds a line to it.
# JAVA_HOME selects the JDK (else java on the PATH). JMH_ARGS is appended to the JMH command lines of the
# cycle, held and scale benchmarks, for example JMH_ARGS='-p backend=ofd+flock,nio'. PIDLOCK_IMAGE is the jlink
# image whose start-up is measured (default pidlock-cli/target/pidlock; build it with the report's JDK).
# Peers, in the same run, each row saying why when it is absent: the C floors (gcc); libbsd pidfile(3)
# (gcc -lbsd; libbsd-dev is installed with apt-get when missing and this runs as root); Python pid 3.0.4 (pip
# into a throw-away venv; without the package registry, a re-implementation of its system calls, labelled as
# such); java Hello and flock(1) for the start-up. Needs bash, python3 and Linux.
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
OUT=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) MODE=quick ;;
        --full) MODE=full ;;
        --build) BUILD=yes ;;
        --note) [ $# -ge 2 ] || die "--note needs a text"; NOTE=$2; shift ;;
        --out) [ $# -ge 2 ] || die "--out needs a directory"; OUT=$2; shift ;;
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
    (cd "$ROOT" && mvn -B -ntp package -pl pidlock-bench,pidlock-cli -am -DskipTests) || die "the build failed"
fi
[ -f "$JAR" ] || die "missing $JAR: run 'mvn -B -ntp package -pl pidlock-bench,pidlock-cli -am -DskipTests' in $ROOT first (or bench.sh --build)"
IMAGE=${PIDLOCK_IMAGE:-$ROOT/pidlock-cli/target/pidlock}

# ScaleBenchmark holds 10 000 pidfiles open in one JVM
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10500 ]; then
    ulimit -n 10500 2>/dev/null || die "ScaleBenchmark keeps 10 000 pidfiles open: raise ulimit -n to 10500 or more"
fi

if [ "$MODE" = quick ]; then
    JMH_RUN=(-f 1 -wi 4 -w 400ms -i 5 -r 400ms)
    SCALE_ONLY=(-p backend=ofd+flock)
    SELECTION_FORKS=(-f 5)
    FLOOR_ROUND_MS=100; FLOOR_ROUNDS=6
    HANDOVER_ROUNDS=300
    WAIT_SECONDS=4
    STARTUP_RUNS=20
else
    JMH_RUN=()
    SCALE_ONLY=()
    SELECTION_FORKS=()
    FLOOR_ROUND_MS=250; FLOOR_ROUNDS=10
    HANDOVER_ROUNDS=2000
    WAIT_SECONDS=10
    STARTUP_RUNS=50
fi
# shellcheck disable=SC2206
EXTRA=(${JMH_ARGS:-})
JVM_FLAGS=(-Djava.util.logging.config.file=/dev/null --enable-native-access=ALL-UNNAMED)

DATE=$(date +%F)
RESULTS=${OUT:-$HERE/results}
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

DISK_DIR="$HERE/target"    # the project's disk, where the JMH benchmarks put their disk pidfiles too
fs_dir() {
    if [ "$1" = shm ]; then echo /dev/shm; else echo "$DISK_DIR"; fi
}

# --- the peers: C floors, libbsd pidfile(3), Python pid ------------------------------------------------------
FLOOR_BIN=""
BSD_BIN=""
if command -v gcc >/dev/null; then
    FLOOR_BIN="$WORK/cycle_floor"
    gcc -O2 -Wall -o "$FLOOR_BIN" "$HERE/src/main/c/cycle_floor.c" || die "gcc could not build src/main/c/cycle_floor.c"
    FLOOR_NOTE="src/main/c/cycle_floor.c, gcc -O2 ($(gcc -dumpfullversion)); $FLOOR_ROUNDS rounds of about $FLOOR_ROUND_MS ms per case, before and after the JMH cycle run; the median of the rounds after the first"
    # libbsd: its header comes with libbsd-dev; install it when it is missing and we may
    if [ ! -f /usr/include/bsd/libutil.h ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        say "installing libbsd-dev (for the libbsd pidfile(3) peer)"
        { timeout 300 apt-get install -y --no-install-recommends libbsd-dev \
            || { timeout 300 apt-get update && timeout 300 apt-get install -y --no-install-recommends libbsd-dev; }; } \
            >"$WORK/apt-libbsd.log" 2>&1 || true
    fi
    if [ ! -f /usr/include/bsd/libutil.h ]; then
        if [ "$(id -u)" != 0 ]; then
            BSD_NOTE="absent: libbsd-dev is not installed and bench.sh is not root (apt-get install libbsd-dev)"
        elif ! command -v apt-get >/dev/null; then
            BSD_NOTE="absent: libbsd-dev is not installed and there is no apt-get here"
        else
            BSD_NOTE="absent: apt-get install libbsd-dev failed ($(tail -1 "$WORK/apt-libbsd.log" 2>/dev/null | tr -d '\r'))"
        fi
    elif gcc -O2 -Wall -o "$WORK/pidfile_bsd" "$HERE/src/main/c/pidfile_bsd.c" -lbsd 2>"$WORK/gcc-libbsd.log"; then
        BSD_BIN="$WORK/pidfile_bsd"
        BSD_NOTE="src/main/c/pidfile_bsd.c (pidfile_open, pidfile_write, pidfile_remove), gcc -O2 -lbsd, libbsd $(dpkg-query -W -f='${Version}' libbsd0 2>/dev/null || echo '?')"
    else
        BSD_NOTE="absent: src/main/c/pidfile_bsd.c did not build ($(head -1 "$WORK/gcc-libbsd.log"))"
    fi
else
    FLOOR_NOTE="no gcc on this machine: no floor, no ratio"
    BSD_NOTE="absent: no gcc on this machine"
    say "no gcc: no C floor and no libbsd (the report will have no floor and no ratio)"
fi
[ -n "$BSD_BIN" ] || say "libbsd pidfile(3) $BSD_NOTE"

# Python pid 3.0.4 from the package registry in a throw-away venv; without it, our re-implementation of its calls
PY_MODE=reimpl
PY_BIN=python3
PY_VENV="$WORK/python-pid-venv"
if python3 -m venv "$PY_VENV" >"$WORK/pip-pid.log" 2>&1 \
    && timeout 180 "$PY_VENV/bin/python" -m pip install --disable-pip-version-check --no-input --timeout 10 \
        --retries 1 pid==3.0.4 >>"$WORK/pip-pid.log" 2>&1 \
    && "$PY_VENV/bin/python" -c 'import pid' 2>>"$WORK/pip-pid.log"; then
    PY_MODE=package
    PY_BIN="$PY_VENV/bin/python"
    PY_NOTE="the pid 3.0.4 package (pip, in a throw-away venv), $("$PY_BIN" -V 2>&1); a loop over pid.PidFile (atexit and SIGTERM handlers off)"
else
    PY_NOTE="NOT the pid package: pip install pid==3.0.4 failed ($(grep -m1 -E '^ERROR' "$WORK/pip-pid.log" || tail -1 "$WORK/pip-pid.log")); a re-implementation of pid 3.0.4's system calls (src/main/python/pid_cycle.py reimpl: stat and access the directory, open a+, flock, read + kill(pid, 0), fchmod, truncate, write, flush; close, stat, remove), $(python3 -V 2>&1)"
    say "Python pid: pip install failed, using the re-implementation of its system calls (labelled in the report)"
fi

# Runs "$@" with @N@ and @R@ replaced: once to calibrate (200 cycles), then ROUNDS rounds of about ROUND_MS;
# each line it prints goes to peers.txt behind the prefix $1. Fails (its errors in peers.err) when the program does.
measure() {
    local prefix=$1 ns n
    shift
    ns=$(substitute 200 1 "$@" 2>>"$WORK/peers.err" | awk '{print $4}') || return 1
    [ -n "$ns" ] || return 1
    n=$(awk -v ns="$ns" -v ms="$FLOOR_ROUND_MS" 'BEGIN { n = int(ms * 1e6 / ns); print (n < 100) ? 100 : n }')
    substitute "$n" "$FLOOR_ROUNDS" "$@" 2>>"$WORK/peers.err" | sed "s/^/$prefix /" >>"$WORK/peers.txt"
}
substitute() {
    local n=$1 r=$2 a args=()
    shift 2
    for a in "$@"; do
        case "$a" in @N@) args+=("$n") ;; @R@) args+=("$r") ;; *) args+=("$a") ;; esac
    done
    "${args[@]}"
}
PEER_DIRS=()
for fs in shm disk; do
    d=$(mktemp -d "$(fs_dir "$fs")/pidlock-peers-XXXXXX")
    SCRATCH+=("$d")
    PEER_DIRS+=("$d")
done
run_peers() {
    say "peers ($1): C floors${BSD_BIN:+, libbsd}, Python pid ($PY_MODE)"
    local i fs dir kind release write
    for i in 0 1; do
        if [ "$i" = 0 ]; then fs=shm; else fs=disk; fi
        dir=${PEER_DIRS[$i]}
        if [ -n "$FLOOR_BIN" ]; then
            for kind in ofd+flock ofd flock posix lockf; do
                for release in delete keep; do
                    for write in truncate in-place; do
                        local extra=()
                        [ "$release" = keep ] && extra+=(keep)
                        [ "$write" = in-place ] && extra+=(in-place)
                        measure "$fs $release $write" "$FLOOR_BIN" "$kind" "$dir/floor.pid" @N@ @R@ \
                            "${extra[@]+"${extra[@]}"}" \
                            || die "the C floor failed: $(tail -1 "$WORK/peers.err" 2>/dev/null)"
                    done
                done
            done
        fi
        if [ -n "$BSD_BIN" ] && ! measure "$fs delete own" "$BSD_BIN" "$dir/libbsd.pid" @N@ @R@; then
            BSD_NOTE+="; FAILED on $fs: $(tail -1 "$WORK/peers.err" 2>/dev/null)"
            say "libbsd pidfile(3) failed on $fs (log: $WORK/peers.err)"
        fi
        if ! measure "$fs delete own" "$PY_BIN" -B "$HERE/src/main/python/pid_cycle.py" "$PY_MODE" "$dir" @N@ @R@; then
            PY_NOTE+="; FAILED on $fs: $(tail -1 "$WORK/peers.err" 2>/dev/null)"
            say "Python pid failed on $fs (log: $WORK/peers.err)"
        fi
    done
}

jmh() {
    local name=$1
    shift
    say "JMH $name"
    child "$JAVA" -jar "$JAR" "$@" -foe true -rf json -rff "$WORK/$name.json" >"$WORK/jmh-$name.log" 2>&1 \
        || { grep -m1 -E "Exception|Error" "$WORK/jmh-$name.log" >&2; die "JMH $name failed (log: $WORK/jmh-$name.log)"; }
}

# --- the command's start-up: pidlock run against java Hello and flock(1), interleaved --------------------------
STARTUP_NOTE=""
startup() {
    local javac spec="$WORK/startup.spec" dir image_version java_version
    dir=$(mktemp -d /dev/shm/pidlock-startup-XXXXXX)
    SCRATCH+=("$dir")
    : >"$spec"
    javac="$(dirname "$(readlink -f "$JAVA")")/javac"
    java_version=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
    if [ -x "$javac" ]; then
        mkdir -p "$WORK/hello"
        printf '%s\n' 'public class Hello {' '    public static void main(String[] args) {' \
            '        System.out.println("Hello");' '    }' '}' >"$WORK/hello/Hello.java"
        "$javac" --release 17 -d "$WORK/hello" "$WORK/hello/Hello.java" || die "javac could not compile Hello.java"
        printf 'java Hello\t%s\t-cp\t%s\tHello\n' "$JAVA" "$WORK/hello" >>"$spec"
    else
        STARTUP_NOTE+="no javac next to $JAVA: no java Hello, no ratio. "
    fi
    if [ -x "$IMAGE/bin/pidlock" ]; then
        printf 'pidlock run\t%s\trun\t--name\tx\t--dir\t%s\t--\ttrue\n' "$IMAGE/bin/pidlock" "$dir" >>"$spec"
        image_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$IMAGE/release" 2>/dev/null)
        STARTUP_NOTE+="image $IMAGE (its runtime: JDK ${image_version:-?}). "
        # "the same JDK": when the image runs on another JDK than this report's, java Hello on the image's own
        # java too, and the ratio is taken against that one
        if [ "${image_version%%[.+]*}" != "$JDK_FEATURE" ] && [ -x "$IMAGE/bin/java" ] && [ -x "$javac" ]; then
            printf 'java Hello (image java)\t%s\t-cp\t%s\tHello\n' "$IMAGE/bin/java" "$WORK/hello" >>"$spec"
            STARTUP_NOTE+="The image runs on JDK $image_version, not this report's JDK $java_version: pidlock run is held against java Hello on the image's own bin/java; build the image with this JDK (JAVA_HOME=... mvn -B -ntp package -pl pidlock-cli -am -DskipTests) for this report's figure. "
        fi
    else
        STARTUP_NOTE+="no pidlock image at $IMAGE (build it: mvn -B -ntp package -pl pidlock-cli -am -DskipTests, or set PIDLOCK_IMAGE): no pidlock run row. "
        say "no pidlock image at $IMAGE: the start-up table has no pidlock run row"
    fi
    if command -v flock >/dev/null; then
        printf 'flock(1)\t%s\t%s\ttrue\n' "$(command -v flock)" "$dir/flock.lock" >>"$spec"
    else
        STARTUP_NOTE+="no flock(1) on this machine. "
    fi
    say "start-up: $STARTUP_RUNS interleaved runs of each command"
    python3 -B "$HERE/src/main/python/startup.py" "$spec" "$STARTUP_RUNS" 3 >"$WORK/startup.txt"
}

# --- the run -------------------------------------------------------------------------------------------------
say "$MODE run with $JAVA (JDK $JDK_FEATURE), writing $MD"
run_peers before
jmh cycle 'CycleBenchmark' -prof gc "${JMH_RUN[@]+"${JMH_RUN[@]}"}" "${EXTRA[@]+"${EXTRA[@]}"}"
run_peers after
jmh held 'TryAcquireHeldBenchmark|InspectHeldBenchmark' "${JMH_RUN[@]+"${JMH_RUN[@]}"}" "${EXTRA[@]+"${EXTRA[@]}"}"
jmh scale 'ScaleBenchmark' -prof gc "${JMH_RUN[@]+"${JMH_RUN[@]}"}" "${SCALE_ONLY[@]+"${SCALE_ONLY[@]}"}" \
    "${EXTRA[@]+"${EXTRA[@]}"}"
jmh selection 'SelectionBenchmark' "${SELECTION_FORKS[@]+"${SELECTION_FORKS[@]}"}"
for fs in shm disk; do
    for backend in ofd+flock ofd flock posix lockf nio; do
        say "hand-over $backend ($fs)"
        child "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.pidlock.bench.HandOver "$backend" "$HANDOVER_ROUNDS" \
            "$(fs_dir "$fs")" >"$WORK/handover.one" 2>>"$WORK/handover.err" \
            || { grep -m1 -E "Exception|Error" "$WORK/handover.err" >&2; die "the hand-over harness failed for $backend on $fs (log: $WORK/handover.err)"; }
        sed "s/^/$fs /" "$WORK/handover.one" >>"$WORK/handover.txt"
    done
done
for fs in shm disk; do
    for backend in ofd+flock ofd flock posix lockf nio; do
        say "waiter CPU $backend ($fs)"
        child "$JAVA" "${JVM_FLAGS[@]}" -cp "$JAR" dev.pidlock.bench.WaitCost "$backend" "$WAIT_SECONDS" \
            "$(fs_dir "$fs")" >"$WORK/waitcost.one" 2>>"$WORK/waitcost.err" \
            || { grep -m1 -E "Exception|Error" "$WORK/waitcost.err" >&2; die "the waiter CPU harness failed for $backend on $fs (log: $WORK/waitcost.err)"; }
        sed "s/^/$fs /" "$WORK/waitcost.one" >>"$WORK/waitcost.txt"
    done
done
startup

# --- the report ------------------------------------------------------------------------------------------------
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
busy=$(awk -v a="${load_start%% *}" -v b="${load_end%% *}" -v c="$cores" 'BEGIN { print (a > c / 2 || b > c / 2) ? "yes" : "no" }')
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
    echo "bsd_note=$BSD_NOTE"
    echo "py_note=$PY_NOTE"
    echo "startup_note=$STARTUP_NOTE"
    echo "elapsed=$(($(date +%s) - START))"
    echo "note=$NOTE"
} >"$WORK/machine.txt"
python3 -B "$HERE/report.py" "$WORK" "$MD" "$SVG" || die "report.py failed"
say "done in $(($(date +%s) - START)) s: $MD, $SVG and ${SVG%.svg}-peers.svg"
