#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stock mode on the stock kernel (the same config without the kvshadow
# series, CONFIG_PTDUMP_DEBUGFS on): kvshadowtop chooses it by itself and
# says so; at quiescent moments (start, after a 2-thread test_vmalloc, after
# a purge, with the workload module's areas live, after they were freed
# and purged) its
# shadow_pages equals the present shadow PTEs in the kernel page tables,
# as does its own page-table view (pagetable_pages, drift 0); between the
# moments its counters move exactly as the page tables did (the net
# change), and each direction by at least the pages mapped and unmapped
# there, address by address
# (tests/vm/guest/stock.sh). A second run started at the purge moment has
# as its shadow_pages_peak the page tables at the workload's high point. Its Prometheus file at the same moments:
# kvshadow_shadow_bytes is the page tables' shadow in bytes, and
# kvshadow_vmalloc_used_bytes /proc/meminfo's VmallocUsed,
# kvshadow_vmap_bytes (estimate mode; stock mode has none) /proc/vmallocinfo's
# sizes summed, and both ratios those truths' quotients. The same in the patched kernel, where debugfs
# is a second truth, is tests/vm/callers.sh and kvshadowtop_exact.sh's.
# On Linux 7.2 and on Debian 12's 6.1, which has no vmalloc events: there
# the mode line names the other method (STOCK_KVERS="7.2 6.12 6.1" runs
# the checks on all three).
# Estimate mode, forced on the stock 6.1 kernel (ESTIMATE_KVERS), the same
# way: its model of what KASAN_VMALLOC maps, fed from fentry there (no
# vmalloc events), against what the kernel mapped, exactly, at every
# moment (at kptr_restrict=0, where /proc/vmallocinfo hides the addresses,
# its exact seed comes from the kernel's vmap area lists, read with BPF). Its known blind spot,
# shadow left mapped by areas purged before it started, cannot arise on
# 6.1, which releases a purged area's edge pages with the free space
# around them.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"
# check KVER MODE: boot the stock KVER kernel, run kvshadowtop in MODE
# ("" automatic: stock) through the moments, judge against the page tables.
check() {
	local kver=$1 mode=$2 out label pages new gone json sp pt drift pop rel k prev_pop="" prev_rel=""
	echo "== Linux $kver stock, ${mode:-automatic} mode"
	"$top/kernel/build.sh" --kver "$kver" --stock >"$work/build.log" 2>&1 ||
		{ tail -20 "$work/build.log"; fail "make kernel KVER=$kver STOCK=1 failed"; }

	out=$work/$kver-$mode.out
	# Estimate mode: one host thread for both vCPUs (as tests/vm/stress.sh).
	# With a thread each, on a loaded 2-core host, 6.1's purge waited in
	# flush_tlb_kernel_range() for the other vCPU (a report with that stack
	# on the console), test_vmalloc ran 100x slower and the guest timed out.
	VM_ACCEL=${VM_ACCEL:-${mode:+tcg-single}} \
		vm_run --kver "$kver" --stock -- "sh /kvshadow/tests/stock.sh $mode" >"$out"
	rc=$?
	grep -v '^@@json ' "$out"
	[ "$rc" = 0 ] || fail "guest checks failed (exit $rc)"
	grep -q '^@@end$' "$out" || fail "the guest script did not finish"

	grep -q '^@@auto .*stock kernel: from page tables + fentry' "$out" ||
		fail "an automatic run does not say it is in stock mode"
	# The method follows from what the kernel has (tracefs in the guest).
	case $(sed -n 's/^@@events //p' "$out") in
	yes) if grep -q '^@@auto .*no vmalloc events' "$out"; then fail "the mode line says no vmalloc events on a kernel that has them"; fi ;;
	no) grep -q '^@@auto .*callers from stacks (no vmalloc events)' "$out" ||
		fail "on a kernel without vmalloc events the mode line does not name the method" ;;
	*) fail "the guest did not say whether the kernel has vmalloc events" ;;
	esac
	# 6.1's x86 trampolines take six arguments; its vmalloc has nine
	# (mm/vmalloc.c): no vmalloc latency there, and the line says why.
	[ "$kver" != 6.1 ] || grep -q '^@@auto .*vmalloc *latency n/a: .*its trampolines take 6 arguments, __vmalloc_node_range has 9' "$out" ||
		fail "6.1: the vmalloc latency line does not say why it is n/a"

	while read -r label pages new gone; do
		json=$(sed -n "s/^@@json $label //p" "$out")
		echo "$json" | jq -e . >/dev/null || fail "$label: no JSON line"
		sp=$(echo "$json" | jq .shadow_pages)
		pt=$(echo "$json" | jq .pagetable_pages)
		drift=$(echo "$json" | jq .drift_pages)
		pop=$(echo "$json" | jq .pages_populated)
		rel=$(echo "$json" | jq .pages_released)
		echo "$label: page tables $pages; kvshadowtop shadow_pages $sp pagetable_pages $pt drift $drift; pages_populated $pop pages_released $rel"
		[ "$(echo "$json" | jq -r .mode)" = "${mode:-stock}" ] || fail "$label: mode is not ${mode:-stock}"
		if [ -z "$mode" ]; then
			[ "$pt" = "$pages" ] || fail "$label: pagetable_pages $pt, the page tables hold $pages"
			[ "$drift" = 0 ] || fail "$label: drift_pages $drift"
			for k in pages_allocated populate_failures release_calls; do
				[ "$(echo "$json" | jq ".$k")" = null ] || fail "$label: $k is not null in stock mode"
			done
		else
			# The model is exact only over every event: none lost, no re-seed.
			echo "$label: events_lost $(echo "$json" | jq .events_lost), estimate_reseeds $(echo "$json" | jq .estimate_reseeds), ring $(echo "$json" | jq .ring_buffer_bytes) bytes"
			[ "$(echo "$json" | jq .events_lost)" = 0 ] || fail "$label: estimate events lost"
			[ "$(echo "$json" | jq .estimate_reseeds)" = 0 ] || fail "$label: the estimate re-seeded"
			[ "$(echo "$json" | jq -r .estimate_seed)" = exact ] || fail "$label: the seed is not exact (the vmap list walk)"
		fi
		if [ -n "$mode" ] && [ "$(sed -n 's/^@@events //p' "$out")" = no ]; then
			echo "$json" | jq -r .method | grep -q '(no vmalloc events)' ||
				fail "$label: the estimate's method does not say it has no vmalloc events"
		fi
		[ "$sp" = "$pages" ] || fail "$label: shadow_pages $sp, the page tables hold $pages"
		# The Prometheus file of the same quiet moment: bytes of the page
		# tables' shadow pages (4 KiB), /proc/meminfo's VmallocUsed, the
		# sizes of /proc/vmallocinfo summed, and the first over the second
		# (1e-9: the file's decimal digits); JSON's ratio over vmap bytes.
		read -r pshadow pused pvmap pratio kb vmap < <(sed -n "s/^@@prom $label //p" "$out")
		echo "$label: Prometheus shadow $pshadow vmalloc_used $pused vmap $pvmap ratio $pratio; /proc/meminfo VmallocUsed $kb kB, /proc/vmallocinfo $vmap bytes"
		[ "$pshadow" = $((pages * 4096)) ] || fail "$label: kvshadow_shadow_bytes $pshadow, the page tables hold $((pages * 4096)) bytes"
		[ "$pused" = $((kb * 1024)) ] || fail "$label: kvshadow_vmalloc_used_bytes $pused, /proc/meminfo says $((kb * 1024))"
		# Stock mode has no vmap bytes (exact mode moves a baseline read by
		# its events, estimate mode has its model's areas): null, no family.
		if [ -z "$mode" ]; then
			[ "$pvmap" = - ] || fail "$label: kvshadow_vmap_bytes $pvmap in stock mode"
			[ "$(echo "$json" | jq .overhead_ratio_vmap)" = null ] || fail "$label: overhead_ratio_vmap is not null in stock mode"
		else
			[ "$pvmap" = "$vmap" ] || fail "$label: kvshadow_vmap_bytes $pvmap, /proc/vmallocinfo says $vmap"
			echo "$json" | jq -e --argjson s $((pages * 4096)) --argjson v "$vmap" '(.overhead_ratio_vmap - $s / $v | fabs) <= 1e-9 * ($s / $v)' >/dev/null ||
				fail "$label: overhead_ratio_vmap $(echo "$json" | jq .overhead_ratio_vmap), the page tables over /proc/vmallocinfo give $((pages * 4096)) / $vmap"
		fi
		awk -v r="$pratio" -v s=$((pages * 4096)) -v u=$((kb * 1024)) 'BEGIN { d = r - s / u; exit !(d < 1e-9 * r && -d < 1e-9 * r) }' ||
			fail "$label: kvshadow_shadow_overhead_ratio $pratio, the page tables over /proc/meminfo give $((pages * 4096)) / $((kb * 1024))"
		if [ -n "$prev_pop" ]; then
			dpop=$((pop - prev_pop)) drel=$((rel - prev_rel))
			echo "$label: since the last moment +$dpop populated, +$drel released; page tables: $new mapped, $gone unmapped"
			[ $((dpop - drel)) = $((new - gone)) ] ||
				fail "$label: net change $((dpop - drel)), the page tables moved by $((new - gone))"
			# Each direction at least what the page tables show; more where a
			# page was mapped and unmapped in between (the test's own forks
			# map and free thread stacks).
			[ "$dpop" -ge "$new" ] || fail "$label: pages_populated +$dpop, the page tables mapped $new"
			[ "$drel" -ge "$gone" ] || fail "$label: pages_released +$drel, the page tables unmapped $gone"
		fi
		prev_pop=$pop prev_rel=$rel
	done < <(sed -n 's/^@@moment //p' "$out")
	[ "$(grep -c '^@@moment ' "$out")" = 5 ] || fail "not every moment was reached"
	# The peak of the run started at the purge moment, at the areas_live
	# moment: the page tables there (the high point so far), exactly; the
	# workload's areas raised it above the end.
	local peak high end
	peak=$(sed -n 's/^@@peak areas_live //p' "$out" | jq .shadow_pages_peak)
	high=$(sed -n 's/^@@moment areas_live \([0-9]*\) .*/\1/p' "$out")
	end=$(sed -n 's/^@@moment purged \([0-9]*\) .*/\1/p' "$out")
	echo "peak since the purge moment: $peak; the page tables at areas_live $high, at the end $end"
	[ "$peak" = "$high" ] && [ "$high" -gt "$end" ] ||
		fail "shadow_pages_peak $peak, the page tables held $high at the workload's high point (then $end)"
	console_clean || fail "unexpected report on the console"
	if [ -z "$mode" ]; then
		works_where stock "the kernel page tables (ptdump) at quiet moments: shadow_pages exact"
		works_where "stock, Prometheus file" "the page tables, /proc/meminfo and /proc/vmallocinfo at the same quiet moments"
	else
		works_where "$mode (forced, seed from the vmap lists by BPF)" "the kernel page tables (ptdump) at quiet moments: shadow_pages exact"
		works_where "$mode (forced), Prometheus file" "the page tables, /proc/meminfo and /proc/vmallocinfo at the same quiet moments"
	fi
}

for kver in ${STOCK_KVERS:-7.2 6.1}; do
	check "$kver" ""
done
for kver in ${ESTIMATE_KVERS:-6.1}; do
	check "$kver" estimate
done
echo PASS
