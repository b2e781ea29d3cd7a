#!/usr/bin/env bash
# Prints the path of an etcd server binary for pidlock-etcd's tests, fetching it when there is none:
#   1. $PIDLOCK_ETCD_BINARY, when it names an executable;
#   2. `etcd` on the PATH;
#   3. DIR/usr/bin/etcd, DIR = $1 or ~/.cache/pidlock/etcd-3.4 (fetched earlier);
#   4. otherwise Debian's etcd-server package, downloaded (not installed: no service is set up) with
#      `apt-get download` and unpacked with `dpkg -x` into DIR.
# Exit 1 with one line on stderr when none can be had.
set -euo pipefail
dir="${1:-${HOME:-/tmp}/.cache/pidlock/etcd-3.4}"
if [ -n "${PIDLOCK_ETCD_BINARY:-}" ] && [ -x "$PIDLOCK_ETCD_BINARY" ]; then
  echo "$PIDLOCK_ETCD_BINARY"; exit 0
fi
if command -v etcd >/dev/null 2>&1; then
  command -v etcd; exit 0
fi
if [ -x "$dir/usr/bin/etcd" ]; then
  echo "$dir/usr/bin/etcd"; exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
  echo "fetch-etcd: no etcd binary, and no apt-get/dpkg to fetch Debian's etcd-server: set PIDLOCK_ETCD_BINARY" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && apt-get download etcd-server >/dev/null 2>"$work/apt.err"); then
  # the package lists may be missing on a fresh machine
  if [ "$(id -u)" = 0 ]; then
    apt-get update >/dev/null 2>&1 || true
  fi
  (cd "$work" && apt-get download etcd-server >/dev/null 2>"$work/apt.err") || {
    echo "fetch-etcd: apt-get download etcd-server failed: $(grep -v '^W:' "$work/apt.err" | tail -n 1)" >&2
    exit 1
  }
fi
mkdir -p "$dir"
dpkg -x "$work"/etcd-server_*.deb "$dir"
if [ ! -x "$dir/usr/bin/etcd" ]; then
  echo "fetch-etcd: the etcd-server package has no usr/bin/etcd" >&2
  exit 1
fi
echo "$dir/usr/bin/etcd"
