#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/stress.sh (busybox sh): kvshadowtop (exact mode,
# --json) started and stopped several times, each run around a 2-thread
# test_vmalloc, while the kasan events are switched on and off in tracefs
# every 100 ms. Prints each run's last JSON line (taken at quiescence) and
# checks that no BPF program, map or link outlives a run (bpfobjs: the
# kernel's own ID tables).
. /kvshadow/tests/lib.sh
RUNS=${RUNS:-3}
# PARTS: runs (restarts around the load), late (a start under load), modes.
PARTS=${PARTS:-runs late modes}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
command -v bpfobjs >/dev/null || fail "bpfobjs missing (the host test adds it)"
[ -d "$T/events/kasan" ] || fail "no kasan events: not the patched kernel"

base=$(bpfobjs) || fail "bpfobjs"
echo "BPF objects before: $base"

# The toggler: no fork in its loop (nap), so it does not vmalloc stacks.
rm -f /tmp/toggle.stop
(
	n=0
	while [ ! -e /tmp/toggle.stop ]; do
		echo 1 >"$T/events/kasan/enable"
		nap 0.1
		echo 0 >"$T/events/kasan/enable"
		nap 0.1
		n=$((n + 1))
	done
	echo "$n" >/tmp/toggles
) &
tog=$!

# left_behind LABEL: wait (up to 5 s: links and programs are freed after an
# RCU grace period) until the kernel holds what it held before the runs.
left_behind() {
	i=0
	while now=$(bpfobjs) && [ "$now" != "$base" ]; do
		i=$((i + 1))
		if [ $i -ge 50 ]; then
			bpfobjs -v
			fail "$1 left BPF objects behind: $now (before the runs: $base)"
		fi
		nap 0.1
	done
}

# start_top N: kvshadowtop in the background, until its first line.
start_top() {
	kvshadowtop --mode exact --json -d 0.5 >"/tmp/run$1.json" 2>"/tmp/run$1.err" &
	top=$!
	i=0
	until [ -s "/tmp/run$1.json" ]; do
		nap 0.1; i=$((i + 1))
		[ $i -lt 300 ] || { cat "/tmp/run$1.err"; fail "run $1: kvshadowtop wrote nothing in 30 s"; }
	done
}

# stop_top N: at quiescence, two more intervals, then SIGTERM.
stop_top() {
	quiesce
	intervals "/tmp/run$1.json"
	wait_intervals "/tmp/run$1.json" $((intervals + 2)) || fail "run $1: no two more lines in 30 s"
	# A background job starts with SIGINT ignored, and the tool keeps it so: TERM.
	kill -TERM "$top"
	wait "$top"
	rc=$?
	echo "@@run $1 rc=$rc lines=$(wc -l <"/tmp/run$1.json")"
	tail -n 1 "/tmp/run$1.json"
	if [ "$1" = late ]; then
		echo "@@late.json"
		cat /tmp/runlate.json
		echo "@@late.end"
	fi
	cat "/tmp/run$1.err"
	left_behind "run $1"
	echo "run $1: no BPF object left behind ($now)"
}

r=1
part runs || r=$((RUNS + 1))
while [ $r -le "$RUNS" ]; do
	quiesce
	start_top $r
	modprobe test_vmalloc run_test_mask=9 test_loop_count=1000 nr_threads=2 2>/dev/null
	stop_top $r
	r=$((r + 1))
done

# One more, started in the middle of the load (a busy baseline), then a
# quiet moment (@@quiet: the number of JSON lines by then), a second load
# and the end: between the two quiet moments its totals must move as the
# kernel's counters did.
if part late; then
	modprobe test_vmalloc run_test_mask=9 test_loop_count=2000 nr_threads=2 2>/dev/null &
	load=$!
	nap 1	# the workload's pacing: the tool starts a second into the load
	start_top late
	wait $load
	quiesce
	intervals /tmp/runlate.json
	wait_intervals /tmp/runlate.json $((intervals + 2)) || fail "run late: no two more lines in 30 s"
	echo "@@quiet $(wc -l <"/tmp/runlate.json")"
	modprobe test_vmalloc run_test_mask=9 test_loop_count=300 nr_threads=2 2>/dev/null
	stop_top late
fi

touch /tmp/toggle.stop
wait $tog
echo "@@toggles $(cat /tmp/toggles)"

# Each other mode once, at quiescence, so that the debug kernel runs every
# path of the tool (stock's page-table walk, estimate's seed and model).
for m in $(part modes && echo stock estimate debugfs); do
	quiesce
	kvshadowtop --mode $m --json -n 3 -d 0.5 >"/tmp/mode-$m.json" 2>"/tmp/mode-$m.err"
	echo "@@mode $m rc=$?"
	tail -n 1 "/tmp/mode-$m.json"
	cat "/tmp/mode-$m.err"
done
dmesg | grep -q "Summary: .* failed: [1-9]" && fail "test_vmalloc reported failures"
echo "@@end"
