#!/bin/bash
# The Prometheus file from exact mode in the test kernel passes promtool
# with no lint findings, says mode="exact", has every family, no address,
# and its numbers, counted by BPF from the tracepoints, equal the kernel's
# own debugfs counters read in the same interval (after the workload
# quiesced): the gauges equal the file, the counters its change since the
# tool's baseline; and the callers add up to the populated bytes.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need promtool jq

out=$work/guest.out
# shellcheck disable=SC2016 # expanded in the guest
vm_run -- '. /kvshadow/tests/lib.sh
kvshadowtop --json -d 0.5 --prom-file /tmp/k.prom >/tmp/k.json 2>/tmp/k.err &
pid=$!
# Counting starts at the baseline, after the BPF load: wait for a first line.
wait_intervals /tmp/k.json 1 || fail "kvshadowtop: no first line in 30 s"
modprobe test_vmalloc run_test_mask=1 test_loop_count=300 2>/dev/null
quiesce
# Two more lines: the second one (and its Prometheus file, written first)
# is from after the quiet moment.
intervals /tmp/k.json
wait_intervals /tmp/k.json $((intervals + 2)) || fail "kvshadowtop: no two more lines in 30 s"
# All live vmap areas as the kernel lists them, summed by shell builtins,
# and no fork until the next line of the tool (busybox sleep is a process: a
# fork may vmalloc a stack and change the sum): nap.
sum=0; while read -r range size rest; do sum=$((sum + size)); done </proc/vmallocinfo
echo "VMAPSUM $sum"
intervals /tmp/k.json
wait_intervals /tmp/k.json $((intervals + 2)) || fail "kvshadowtop: no line after the sum in 30 s"
kill -TERM $pid; wait $pid || exit 1
cat /tmp/k.err
echo ==PROM==; cat /tmp/k.prom; echo ==JSON==; tail -n 1 /tmp/k.json' >"$out" ||
	{ cat "$out"; fail "guest run failed"; }
sed -n '/^==PROM==$/,/^==JSON==$/p' "$out" | sed '1d;$d' >"$work/k.prom"
json=$(sed -n '/^==JSON==$/{n;p}' "$out")
[ -s "$work/k.prom" ] || fail "no Prometheus file came out of the guest"
echo "$json" | jq -e . >/dev/null || fail "no JSON line came out of the guest"
lint=$(promtool check metrics <"$work/k.prom" 2>&1) || fail "promtool: $lint"
[ -z "$lint" ] || fail "promtool lint findings: $lint"
grep -q '^kvshadow_info{mode="exact",' "$work/k.prom" || fail "kvshadow_info does not say mode=exact"
for fam in kvshadow_shadow_bytes kvshadow_shadow_peak_bytes kvshadow_shadow_populated_bytes_total \
	kvshadow_shadow_released_bytes_total kvshadow_populate_calls_total kvshadow_populate_failures_total \
	kvshadow_release_calls_total kvshadow_vmalloc_used_bytes kvshadow_shadow_overhead_ratio \
	kvshadow_populate_duration_seconds kvshadow_release_duration_seconds \
	kvshadow_populated_bytes_by_caller_total kvshadow_debugfs_drift_bytes; do
	grep -q "^# TYPE $fam " "$work/k.prom" || fail "family $fam missing in exact mode"
done
grep -Eq '0x[0-9a-f]{8,}|ffff[0-9a-f]{12}' "$work/k.prom" && fail "a kernel address in the file"

# metric NAME: its value in the file (one sample, no labels).
metric() { awk -v n="$1" '$1 == n { print $2 }' "$work/k.prom"; }
# kernel KEY: the kernel's debugfs file as the tool read it in the last interval.
kernel() { echo "$json" | jq ".debugfs.$1"; }
page=4096

check() {
	local name=$1 want=$2 got
	got=$(metric "$name")
	echo "$name $got (kernel: $want)"
	[ "$got" = "$want" ] || fail "$name is $got, the kernel's counters say $want"
}
delta() { echo "$json" | jq ".debugfs.$1 - .debugfs_baseline.$1"; }
check kvshadow_shadow_bytes $(($(kernel shadow_pages) * page))
check kvshadow_shadow_populated_bytes_total $(($(delta pages_populated) * page))
check kvshadow_shadow_released_bytes_total $(($(delta pages_released) * page))
check kvshadow_populate_calls_total "$(delta populate_calls)"
check kvshadow_populate_failures_total "$(delta populate_failures)"
check kvshadow_release_calls_total "$(delta release_calls)"
check kvshadow_debugfs_drift_bytes 0
# A floor that says the workload was seen (the counters are exact above):
# each of test_vmalloc's 300 fixed-size vmallocs per worker calls
# kasan_populate_vmalloc once, and the kernel's own vmallocs (the tool's maps, forks) add more.
[ "$(delta populate_calls)" -ge 300 ] || fail "test_vmalloc's populate calls were not counted"
peak=$(metric kvshadow_shadow_peak_bytes)
# The peak is the highest shadow_pages since the last reset: never below.
[ "$peak" -ge "$(metric kvshadow_shadow_bytes)" ] || fail "peak $peak below shadow"
# The callers, named and "other", add up to the populated bytes.
callers=$(awk '/^kvshadow_populated_bytes_by_caller_total\{/ { s += $NF } END { print s }' "$work/k.prom")
check_sum=$(metric kvshadow_shadow_populated_bytes_total)
grep '^kvshadow_populated_bytes_by_caller_total{' "$work/k.prom"
echo "callers sum $callers, populated $check_sum"
[ "$callers" = "$check_sum" ] || fail "the callers add up to $callers, populated is $check_sum"
# vmap_bytes: /proc/vmallocinfo at the tool's baseline, moved by every
# allocation and every purged area since; at quiescence the kernel's list now.
vmapsum=$(sed -n 's/^VMAPSUM //p' "$out")
got=$(echo "$json" | jq .vmap_bytes)
echo "vmap_bytes $got, /proc/vmallocinfo sums to $vmapsum"
[ "$got" = "$vmapsum" ] || fail "vmap_bytes $got, the kernel's areas sum to $vmapsum"
console_clean || fail "unexpected report on the console"
works_where "exact, Prometheus file" "debugfs read in the same interval; promtool"
echo PASS
