#!/bin/bash
# The Prometheus file from exact mode in the test kernel passes promtool
# with no lint findings, says mode="exact", and agrees with debugfs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { echo "SKIP: promtool missing (apt-get install prometheus)"; exit 77; }

out=$work/guest.out
vm_run -- 'insmod /lib/modules/$(uname -r)/test_vmalloc.ko run_test_mask=1 test_loop_count=300 2>/dev/null
kvshadowtop -b -n 3 -d 0.5 --prom-file /tmp/k.prom >/dev/null || exit 1
echo ==PROM==; cat /tmp/k.prom; echo ==DEBUGFS==; cat /sys/kernel/debug/kasan/vmalloc_shadow' >"$out" ||
	fail "guest run failed"
sed -n '/^==PROM==$/,/^==DEBUGFS==$/p' "$out" | sed '1d;$d' >"$work/k.prom"
[ -s "$work/k.prom" ] || fail "no Prometheus file came out of the guest"
lint=$(promtool check metrics <"$work/k.prom" 2>&1) || fail "promtool: $lint"
[ -z "$lint" ] || fail "promtool lint findings: $lint"
grep -q '^kvshadow_info{mode="exact",' "$work/k.prom" || fail "kvshadow_info does not say mode=exact"
for fam in kvshadow_shadow_bytes kvshadow_shadow_peak_bytes kvshadow_shadow_populated_bytes_total \
	kvshadow_shadow_released_bytes_total kvshadow_populate_calls_total kvshadow_populate_failures_total \
	kvshadow_release_calls_total kvshadow_vmalloc_used_bytes kvshadow_shadow_overhead_ratio \
	kvshadow_populate_duration_seconds kvshadow_release_duration_seconds \
	kvshadow_populated_bytes_by_caller_total; do
	grep -q "^# TYPE $fam " "$work/k.prom" || fail "family $fam missing in exact mode"
done
grep -Eq '0x[0-9a-f]{8,}|ffff[0-9a-f]{12}' "$work/k.prom" && fail "a kernel address in the file"
shadow=$(awk '/^kvshadow_shadow_bytes /{ print $2 }' "$work/k.prom")
dfs=$(awk '$1 == "shadow_pages" { print $2 * 4096 }' "$out")
echo "kvshadow_shadow_bytes $shadow, debugfs shadow_pages*4096 $dfs"
[ -n "$shadow" ] && [ "$shadow" -gt 0 ] || fail "kvshadow_shadow_bytes missing or 0"
console_clean || fail "unexpected report on the console"
