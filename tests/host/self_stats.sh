#!/bin/bash
# kvshadowtop --self-stats on this host (estimate mode): the tool's own BPF
# cost per program matches the kernel's counters for the same programs
# (bpftool prog show: run_cnt, run_time_ns), covers the workload it watched
# (3 x 100 map creates, each at least one alloc_vmap_area run), reaches JSON
# and Prometheus (promtool-clean), and never touches the
# kernel.bpf_stats_enabled sysctl; without the option there is no cost and
# no "self".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=${KVSHADOWTOP:-$top/build/bin/kvshadowtop}
load=$top/build/bench/vmload
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# shellcheck source=tests/sysctl.sh
. "$top/tests/sysctl.sh"
# shellcheck source=tests/common.sh
. "$top/tests/common.sh"

[ "$(id -u)" = 0 ] || skip "needs root (BPF)"
[ -x "$tool" ] || fail "$tool not built"
[ -x "$load" ] || fail "$load not built (make bench-bins)"
need jq bpftool promtool
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"

work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; kptr_restrict_restore' EXIT
trap 'exit 143' TERM INT
kptr_restrict_for_test 1 || fail "cannot set kernel.kptr_restrict for the test"
sysctl_before=$(cat /proc/sys/kernel/bpf_stats_enabled)

# run NAME ARGS...: the tool around 3 x 100 map creates; its output in $work/NAME.*
# rss_check: the tool's rss_bytes against the kernel's count of its
# resident pages (/proc/PID/statm), read between two of its lines, bracketed
# as the BPF counts are below. Resident memory moves only while the tool
# works (it allocates and frees between snapshot and print): when the lines
# around the read report the same rss_bytes, it held still across the read
# and the kernel's count must equal it, to the page. Otherwise it moved:
# another try.
rss_check() {
	local try k rss a b page
	page=$(getconf PAGESIZE)
	for try in 1 2 3 4 5; do
		k=$(wc -l <"$work/self.json")
		rss=$(($(cut -d' ' -f2 "/proc/$pid/statm") * page))
		wait_until 10 lines_at_least $((k + 2)) "$work/self.json" || fail "self: no two lines after reading statm"
		a=$(sed -n "${k}p" "$work/self.json" | jq .self.rss_bytes)
		b=$(sed -n "$((k + 2))p" "$work/self.json" | jq .self.rss_bytes)
		echo "rss try $try: the tool $a then $b, /proc/$pid/statm between them $rss"
		if [ "$a" = "$b" ]; then
			[ "$a" = "$rss" ] || fail "self: rss_bytes $a, the kernel counts $rss resident bytes"
			return 0
		fi
	done
	fail "self: rss_bytes moved around every one of 5 reads"
}

run() {
	local name=$1
	shift
	# A background job starts with SIGINT ignored, which the tool keeps: restore it.
	env --default-signal=INT "$tool" --json -d 0.5 --mode estimate --prom-file "$work/$name.prom" "$@" \
		>"$work/$name.json" 2>"$work/$name.err" &
	pid=$!
	wait_until 10 lines_at_least 1 "$work/$name.json"
	[ -s "$work/$name.json" ] || { cat "$work/$name.err"; fail "$name: no first line"; }
	# The workload's pacing: three bursts of 100, apart, over several intervals.
	for _ in 1 2 3; do "$load" -n 100 || fail "vmload failed"; sleep 0.3; done
	# Two interval lines after the last burst: the one it ended in, and a
	# whole one after it, which has every run counted.
	n=$(wc -l <"$work/$name.json")
	wait_until 10 lines_at_least $((n + 2)) "$work/$name.json" || fail "$name: no two lines after the workload in 10 s"
	[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = "$sysctl_before" ] ||
		fail "$name: kernel.bpf_stats_enabled changed while the tool ran"
	# The kernel's own counters of our programs, while they are loaded,
	# bracketed by two of the tool's lines: line $name.before was printed
	# before the read, so its snapshot came before it; after the read,
	# with m lines printed, line m+2's snapshot follows line m+1's print,
	# so it comes after the read (the loop is: snapshot, print, sleep).
	wc -l <"$work/$name.json" >"$work/$name.before"
	bpftool -j prog show >"$work/$name.progs"
	# Ours among them: another kvshadowtop (another test, another
	# worktree's) loads programs of the same names.
	grep -h '^prog_id:' /proc/"$pid"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un >"$work/$name.ids"
	m=$(wc -l <"$work/$name.json")
	echo $((m + 2)) >"$work/$name.after"
	wait_until 10 lines_at_least $((m + 2)) "$work/$name.json" || fail "$name: no two lines after bpftool in 10 s"
	[ "$name" != self ] || rss_check
	kill -INT "$pid"
	wait "$pid" || { cat "$work/$name.err"; fail "$name: exit status $? after SIGINT"; }
	pid=
	jq -e . "$work/$name.json" >/dev/null || fail "$name: a line is not JSON"
}

# Other holders of BPF run-time statistics (the sysctl, or another
# BPF_ENABLE_STATS fd) make the kernel count before the tool's own enable,
# which its baseline takes out: the bracket below assumes none.
others=$(for f in /proc/[0-9]*/fd/*; do
	[ "$(readlink "$f" 2>/dev/null)" = anon_inode:bpf-stats ] && echo "${f%/fd/*}"
done | sort -u | sed 's|/proc/||' | tr '\n' ' ')
[ "$sysctl_before" = 0 ] || fail "kernel.bpf_stats_enabled is $sysctl_before: the kernel counts outside the tool's window"
[ -z "$others" ] || fail "other processes hold BPF run-time statistics on (pids: $others): stop them"

run self --self-stats
last=$(tail -n 1 "$work/self.json")
echo "self: $(echo "$last" | jq -c .self)"
# rss_bytes is checked against /proc in run (rss_check); CPU time has no
# truth here finer than the kernel's ticks (10 ms against ~2 ms a run).
echo "$last" | jq -e '.self.cpu_percent >= 0' >/dev/null || fail "self: no CPU share"
prog=$(echo "$last" | jq -r '.self.programs[] | select(.program | startswith("kvs_alloc_va")) | .program')
[ -n "$prog" ] || fail "self: no alloc_vmap_area program"
runs=$(echo "$last" | jq ".self.programs[] | select(.program == \"$prog\") | .runs")
allocs=$(echo "$last" | jq .vmap_area_allocs)
kruns=$(jq --slurpfile ids <(jq -s . "$work/self.ids") \
	"[.[] | select(.name == \"$prog\" and (.id as \$i | \$ids[0] | index(\$i)))] | map(.run_cnt // 0) | max" \
	"$work/self.progs")
[ "$kruns" != null ] || fail "self: no program $prog held by the tool in bpftool's list"
# runs_at LINE: the tool's count of $prog runs in that line of its output.
runs_at() { sed -n "$1p" "$work/self.json" | jq ".self.programs[] | select(.program == \"$prog\") | .runs"; }
lo=$(runs_at "$(cat "$work/self.before")")
hi=$(runs_at "$(cat "$work/self.after")")
echo "$prog: tool $runs runs, tool allocs $allocs, kernel run_cnt $kruns, read between the tool's $lo and $hi"
# At least, not exactly: each map create is one alloc_vmap_area, and the
# rest of the host vmallocs meanwhile (forks' thread stacks, other tools).
[ "$runs" -ge 300 ] || fail "self: $runs runs of $prog for 300 map creates"
# The program runs on every alloc_vmap_area since the tool's enable, and
# the allocations are counted since its baseline, which comes after.
[ "$runs" -ge "$allocs" ] || fail "self: $runs runs, fewer than the $allocs allocations it counted"
# The kernel counts from the tool's enable on (nobody else enables, see
# above), and the tool subtracts the count at its enable: so at the read
# the kernel's count lies between the tool's at the snapshots just before
# and just after it. Exactly: whatever other processes allocate meanwhile.
{ [ "$lo" -le "$kruns" ] && [ "$kruns" -le "$hi" ]; } ||
	fail "self: the kernel counted $kruns runs, outside the tool's $lo..$hi around the read"
echo "$last" | jq -e '.self.programs[] | select(.runs > 0) | (.ns_per_run - .run_ns / .runs | fabs) < 0.01' |
	grep -qv true && fail "self: ns_per_run is not run_ns / runs"
lint=$(promtool check metrics <"$work/self.prom" 2>&1) || fail "promtool: $lint"
[ -z "$lint" ] || fail "promtool lint findings: $lint"
grep -q "^kvshadow_bpf_runs_total{program=\"$prog\"} [1-9]" "$work/self.prom" ||
	fail "self: no kvshadow_bpf_runs_total for $prog"
grep -q "^kvshadow_bpf_run_seconds_total{program=\"$prog\"} " "$work/self.prom" ||
	fail "self: no kvshadow_bpf_run_seconds_total for $prog"

run plain
[ "$(tail -n 1 "$work/plain.json" | jq .self)" = null ] || fail "plain: self is not null"
grep -q '^kvshadow_bpf_run' "$work/plain.prom" && fail "plain: own-cost families without --self-stats"
[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = "$sysctl_before" ] ||
	fail "kernel.bpf_stats_enabled changed"
echo PASS
