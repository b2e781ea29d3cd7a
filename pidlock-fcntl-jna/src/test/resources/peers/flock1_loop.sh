#!/bin/bash
# A careful flock(1) user in a loop, for pidlock's mixed exclusion torture (MixedPeersExclusionTortureTest).
#
# usage: flock1_loop.sh loop PIDFILE LEDGER ROUNDS
#
# Speaks the protocol of dev.pidlock.testkit.TortureRun: prints "READY ID", waits for a line on stdin, makes
# ROUNDS rounds, prints "DONE ID rounds=N stale=S busy=B" and exits 0 (anything else: "ERROR ...", exit 2).
# Each round: flock(1) takes an exclusive flock(2) lock on PIDFILE (half of the time blocking, half of the time
# with --nonblock and a back-off), and runs this script again in "section" mode, which holds the lock through the
# descriptor flock(1) passes on, and appends "enter ID ROUND" and "exit ID ROUND" to LEDGER around a hold of
# 0-2 ms, each line in one O_APPEND write.
#
# pidlock deletes the pidfile on release while still holding the lock. A locker that opened the file before the
# unlink and gets the lock after it holds a lock on an inode that no path names any more, while the next pidlock
# holder locks a new file: PRODUCT.md section 4, step 4. pidlock re-checks; a careful peer must too, so the
# section first checks that PIDFILE still names the locked inode (device and inode of the descriptor against
# the path), and when it does not, leaves without entering and the loop tries the round again ("stale").
set -u

if [ "$1" = "section" ]; then
    pidfile=$2 ledger=$3 id=$4 round=$5
    # flock(1) opened PIDFILE as the first free descriptor of a process started with 0, 1 and 2 only, and its
    # command inherits it.
    target=$(readlink /proc/$$/fd/3)
    if [ "$target" != "$pidfile" ] && [ "$target" != "$pidfile (deleted)" ]; then
        echo "ERROR descriptor 3 of the section is $target, not $pidfile"
        exit 2
    fi
    locked=$(stat -L -c %d:%i /proc/$$/fd/3) || exit 2
    named=$(stat -c %d:%i "$pidfile" 2>/dev/null) || exit 75
    [ "$locked" = "$named" ] || exit 75
    echo "enter $id $round" >> "$ledger"
    if (( RANDOM % 4 )); then
        sleep "0.00$(( RANDOM % 3 ))"
    fi
    echo "exit $id $round" >> "$ledger"
    exit 0
fi

[ "$1" = "loop" ] || { echo "ERROR usage: $0 loop PIDFILE LEDGER ROUNDS"; exit 2; }
pidfile=$2 ledger=$3 rounds=$4
umask 022
id="flock1-$$"
echo "READY $id"
read -r go || exit 0
r=0 stale=0 busy=0
while [ "$r" -lt "$rounds" ]; do
    if (( RANDOM % 2 )); then
        flock --exclusive --conflict-exit-code 76 "$pidfile" /bin/bash "$0" section "$pidfile" "$ledger" "$id" "$r"
    else
        flock --exclusive --nonblock --conflict-exit-code 76 "$pidfile" /bin/bash "$0" section "$pidfile" "$ledger" "$id" "$r"
    fi
    status=$?
    case $status in
        0) r=$(( r + 1 ))
           if (( RANDOM % 4 )); then sleep "0.00$(( RANDOM % 3 ))"; fi ;;
        75) stale=$(( stale + 1 )) ;;
        76) busy=$(( busy + 1 )); sleep 0.001 ;;
        *) echo "ERROR round $r: flock(1) or the section exited $status"; exit 2 ;;
    esac
done
echo "DONE $id rounds=$r stale=$stale busy=$busy"
