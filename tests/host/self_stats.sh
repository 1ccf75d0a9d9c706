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

[ "$(id -u)" = 0 ] || skip "needs root (BPF)"
[ -x "$tool" ] || fail "$tool not built"
[ -x "$load" ] || fail "$load not built (make bench-bins)"
command -v jq >/dev/null || skip "jq not installed"
command -v bpftool >/dev/null || skip "bpftool not installed"
command -v promtool >/dev/null || skip "promtool not installed"
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"

work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; kptr_restrict_restore' EXIT
trap 'exit 143' TERM INT
kptr_restrict_for_test 1 || fail "cannot set kernel.kptr_restrict for the test"
sysctl_before=$(cat /proc/sys/kernel/bpf_stats_enabled)

# run NAME ARGS...: the tool around 3 x 100 map creates; its output in $work/NAME.*
run() {
	local name=$1
	shift
	# A background job starts with SIGINT ignored, which the tool keeps: restore it.
	env --default-signal=INT "$tool" --json -d 0.5 --mode estimate --prom-file "$work/$name.prom" "$@" \
		>"$work/$name.json" 2>"$work/$name.err" &
	pid=$!
	for _ in $(seq 100); do [ -s "$work/$name.json" ] && break; sleep 0.1; done
	[ -s "$work/$name.json" ] || { cat "$work/$name.err"; fail "$name: no first line"; }
	for _ in 1 2 3; do "$load" -n 100 || fail "vmload failed"; sleep 0.3; done
	sleep 1.2
	[ "$(cat /proc/sys/kernel/bpf_stats_enabled)" = "$sysctl_before" ] ||
		fail "$name: kernel.bpf_stats_enabled changed while the tool ran"
	# The kernel's own counters of our programs, while they are loaded.
	bpftool -j prog show >"$work/$name.progs"
	sleep 0.6
	kill -INT "$pid"
	wait "$pid" || { cat "$work/$name.err"; fail "$name: exit status $? after SIGINT"; }
	pid=
	jq -e . "$work/$name.json" >/dev/null || fail "$name: a line is not JSON"
}

run self --self-stats
last=$(tail -n 1 "$work/self.json")
echo "self: $(echo "$last" | jq -c .self)"
echo "$last" | jq -e '.self.cpu_percent >= 0 and .self.rss_bytes > 0' >/dev/null ||
	fail "self: no CPU or RSS"
prog=$(echo "$last" | jq -r '.self.programs[] | select(.program | startswith("kvs_alloc_va")) | .program')
[ -n "$prog" ] || fail "self: no alloc_vmap_area program"
runs=$(echo "$last" | jq ".self.programs[] | select(.program == \"$prog\") | .runs")
allocs=$(echo "$last" | jq .vmap_area_allocs)
kruns=$(jq "[.[] | select(.name == \"$prog\")] | map(.run_cnt // 0) | max" "$work/self.progs")
echo "$prog: tool $runs runs, tool allocs $allocs, kernel run_cnt $kruns (read before the last line)"
[ "$runs" -ge 300 ] || fail "self: $runs runs of $prog for 300 map creates"
[ "$runs" -ge "$allocs" ] || fail "self: $runs runs, fewer than the $allocs allocations it counted"
# The kernel's count was read before the tool's last line and counts since
# load (the tool: since enable, just before its baseline): at most the
# tool's own startup traffic apart.
[ "$kruns" -le "$runs" ] || [ "$((kruns - runs))" -le 50 ] ||
	fail "self: the kernel counted $kruns runs, the tool $runs"
[ "$runs" -le "$((kruns + 100))" ] || fail "self: the tool counted $runs runs, the kernel $kruns"
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
