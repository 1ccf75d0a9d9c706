#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every producer's .prom file passes `promtool check metrics` with no lint
# finding, and holds the families of docs/interfaces.md §3 it should.
set -uo pipefail
# shellcheck source=tests/prom/lib.sh
. "$(dirname "$0")/lib.sh"

need promtool
prom_files "$work/out"

rc=0
for f in "$work"/out/*.prom; do
	out=$(promtool check metrics <"$f" 2>&1)
	st=$?
	if [ $st -ne 0 ] || [ -n "$out" ]; then
		echo "FAIL: promtool check metrics $(basename "$f") (exit $st):"
		echo "$out"
		rc=1
	else
		echo "ok: $(basename "$f"): promtool clean, $(grep -vc '^#' "$f") samples"
	fi
	# File-level rules promtool does not check.
	[ "$(tail -c1 "$f" | od -An -c | tr -d ' ')" = '\n' ] ||
		{ echo "FAIL: $f does not end in a newline"; rc=1; }
	grep -q '^kvshadow_info{mode="\(exact\|estimate\|debugfs\)",kernel="[^"]*"} 1$' "$f" ||
		{ echo "FAIL: $f has no kvshadow_info{mode,kernel} 1"; rc=1; }
	# No timestamps: a sample is "name[{labels}] value", nothing after.
	if grep -v '^#' "$f" | sed 's/{.*}//' | awk 'NF != 2 { bad = 1; print "  " $0 } END { exit !bad }'; then
		echo "FAIL: $f: samples with other than one value (timestamps?)"
		rc=1
	fi
	if grep -v '^#' "$f" | grep -o '{.*}' | grep -E -q '0x[0-9a-fA-F]{6,}|[0-9a-fA-F]{12,}'; then
		echo "FAIL: $f: something like a kernel address in a label"
		rc=1
	fi
done

# promgen fills everything: every family of interfaces.md §3 is there.
want="kvshadow_shadow_bytes gauge
kvshadow_shadow_peak_bytes gauge
kvshadow_shadow_populated_bytes_total counter
kvshadow_shadow_released_bytes_total counter
kvshadow_populate_calls_total counter
kvshadow_populate_failures_total counter
kvshadow_release_calls_total counter
kvshadow_vmalloc_used_bytes gauge
kvshadow_shadow_overhead_ratio gauge
kvshadow_populate_duration_seconds histogram
kvshadow_release_duration_seconds histogram
kvshadow_vmalloc_duration_seconds histogram
kvshadow_populated_bytes_by_caller_total counter
kvshadow_info gauge
kvshadow_purge_duration_seconds histogram
kvshadow_lazy_purge_bytes gauge
kvshadow_lazy_purge_max_bytes gauge
kvshadow_purge_stalls_total counter"
while read -r name type; do
	grep -qx "# TYPE $name $type" "$work/out/promgen.prom" ||
		{ echo "FAIL: interfaces.md §3 family $name ($type) not written"; rc=1; }
done <<<"$want"
grep -q '^kvshadow_populated_bytes_by_caller_total{caller="other"}' "$work/out/promgen.prom" ||
	{ echo "FAIL: no caller=\"other\" series"; rc=1; }
# Per node (interfaces.md §8): a gauge per node label, where the kernel counts it.
grep -qx '# TYPE kvshadow_node_shadow_bytes gauge' "$work/out/promgen.prom" &&
	grep -qx 'kvshadow_node_shadow_bytes{node="0"} 163840' "$work/out/promgen.prom" &&
	grep -qx 'kvshadow_node_shadow_bytes{node="1"} 94208' "$work/out/promgen.prom" ||
	{ echo "FAIL: no kvshadow_node_shadow_bytes{node} of promgen's nodes (40 and 23 pages)"; rc=1; }
! grep -q kvshadow_node_shadow_bytes "$work/out/promgen-estimate.prom" ||
	{ echo "FAIL: per-node shadow in estimate mode, where no kernel counts it"; rc=1; }
# Estimate mode seeded from sizes alone: the bound's two sides.
grep -q '^kvshadow_shadow_bound_bytes{bound="low"} ' "$work/out/promgen-estimate.prom" &&
	grep -q '^kvshadow_shadow_bound_bytes{bound="high"} ' "$work/out/promgen-estimate.prom" ||
	{ echo "FAIL: no kvshadow_shadow_bound_bytes{bound} for an approximate seed"; rc=1; }
if [ -f "$work/out/kvshadowtop-approx.prom" ]; then
	grep -q '^kvshadow_shadow_bound_bytes{bound="high"} ' "$work/out/kvshadowtop-approx.prom" ||
		{ echo "FAIL: kvshadowtop at kptr_restrict=0 writes no bound"; rc=1; }
	! grep -q kvshadow_shadow_bound_bytes "$work/out/kvshadowtop.prom" ||
		{ echo "FAIL: kvshadowtop at kptr_restrict=1 writes a bound (its seed is exact)"; rc=1; }
fi

# The debugfs reading fills what debugfs knows and nothing it does not.
if [ -f "$work/out/kvshadowstat.prom" ]; then
	f=$work/out/kvshadowstat.prom
	if ! grep -qx 'kvshadow_shadow_bytes 258048' "$f" ||
		! grep -q '^kvshadow_info{mode="debugfs"' "$f"; then
		echo "FAIL: kvshadowstat.prom: wrong numbers or mode"
		cat "$f"
		rc=1
	fi
	! grep -q 'duration_seconds\|by_caller' "$f" ||
		{ echo "FAIL: kvshadowstat.prom has families debugfs cannot know"; rc=1; }
fi
[ "$rc" = 0 ] && echo "PASS"
exit "$rc"
