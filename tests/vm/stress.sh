#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stress: kvshadowtop (exact, --json) restarted several times, each run
# around a 2-thread test_vmalloc, while the kasan events are switched on and
# off in tracefs every 100 ms (tests/vm/guest/stress.sh). For every run its
# totals equal the debugfs deltas over the run at quiescence (the JSON's
# debugfs minus debugfs_baseline, read by the tool itself), drift_pages is
# 0, and no BPF program, map or link outlives it: counted from the kernel's
# own ID tables (BPF_*_GET_NEXT_ID, what bpftool walks) by bpfobjs, a
# static helper built here, since the guest has no bpftool. That sees
# objects whoever holds them (a leaked reference, a pin, another process),
# where /proc/*/fdinfo would only see open file descriptors. Then stock,
# estimate and debugfs mode once each. It boots the 7.2 debug kernel with
# page_owner=on: every mode of the tool under syzbot's options.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"
gcc -static -O2 -Wall -Werror -o "$work/bpfobjs" "$top/tests/vm/tools/bpfobjs.c" ||
	fail "cannot build tests/vm/tools/bpfobjs.c"

out=$work/out
# One host thread runs both vCPUs (QEMU's single-threaded TCG). With one
# thread per vCPU a stock 7.2 guest oopses on text_poke_bp's int3 at a
# function entry that an fentry is attached to while other vCPUs call it,
# with no kvshadow code at all: bench/tramp-race, 3 of 3 boots; 0 of 3
# with one thread (emulation of cross-modifying code, as far as we can
# tell: no KVM here to try). The debug kernel with page_owner=on: the
# tool's exact mode under lockdep, DEBUG_VM and slow releases.
# STRESS_PARTS (tests/vm/busy_start.sh): the parts of the guest script.
# The start under load boots no debug kernel: on 7.2 with the debug
# options, fentry/fexit attached while other CPUs run the function crashed
# the kernel with no kvshadow program at all (bench/tramp-race).
parts=${STRESS_PARTS:-runs modes}
boot=(--debug --page-owner)
case " $parts " in *" late "*) boot=() ;; esac
VM_ACCEL=${VM_ACCEL:-tcg-single} vm_run "${boot[@]}" --add "$work/bpfobjs" -- "PARTS='$parts' sh /kvshadow/tests/stress.sh" >"$out"
rc=$?
grep -v '^{' "$out"
[ "$rc" = 0 ] || fail "guest checks failed (exit $rc)"
grep -q '^@@end$' "$out" || fail "the guest script did not finish"

toggles=$(sed -n 's/^@@toggles //p' "$out")
echo "kasan events switched on and off $toggles times"
# A floor that says the toggling overlapped the runs: a round is two naps
# of 0.1 s, so 20 rounds are 4 s, less than the runs take.
[ "${toggles:-0}" -ge 20 ] || fail "the events were toggled only ${toggles:-0} times"

keys="populate_calls pages_populated pages_allocated populate_failures release_calls pages_released"
sed -n '/^@@late.json$/,/^@@late.end$/p' "$out" | sed '1d;$d' >"$work/late.json"
runs=0
while read -r run; do
	line=$(sed -n "/^@@run $run /p" "$out")
	json=$(sed -n "/^@@run $run /{n;p}" "$out")
	echo "$json" | jq -e . >/dev/null || fail "run $run: no JSON line"
	summary=$(echo "$json" | jq -c '{populate_calls, pages_populated, release_calls, pages_released, drift_pages}')
	bad=""
	for k in $keys; do
		got=$(echo "$json" | jq ".$k")
		want=$(echo "$json" | jq ".debugfs.$k - .debugfs_baseline.$k")
		[ "$got" = "$want" ] || bad="$bad $k=$got(debugfs delta $want)"
	done
	drift=$(echo "$json" | jq .drift_pages)
	if [ "$run" = late ]; then
		# Started under load: its debugfs_baseline is the file at its
		# start instant only as BPF's count since says (aligned at the
		# first quiet reading); the kernel's own deltas between two
		# quiet readings after the start are the truth.
		echo "run late (started under load): $summary"
		q=$(sed -n 's/^@@quiet //p' "$out")
		first=$(sed -n "${q}p" "$work/late.json")
		echo "$first" | jq -e '.debugfs != null and .baseline_pending == false' >/dev/null ||
			fail "run late: not aligned at the quiet moment: $(echo "$first" | jq -c '{baseline_pending, drift_pages}')"
		for k in $keys; do
			got=$(jq -n --argjson a "$first" --argjson b "$json" "\$b.$k - \$a.$k")
			want=$(jq -n --argjson a "$first" --argjson b "$json" "\$b.debugfs.$k - \$a.debugfs.$k")
			[ "$got" = "$want" ] || bad="$bad $k=$got(debugfs $want)"
		done
		[ -z "$bad" ] || fail "run late: between its quiet moments the totals moved unlike debugfs:$bad"
		[ "$drift" = 0 ] || fail "run late: drift_pages $drift after a quiet moment"
		[ "$(echo "$json" | jq .populate_calls)" -gt "$(echo "$first" | jq .populate_calls)" ] ||
			fail "run late: the second load's populates not seen"
		continue
	fi
	runs=$((runs + 1))
	echo "run $run: $summary"
	case $line in *" rc=0 "*) ;; *) fail "run $run: kvshadowtop did not exit 0 ($line)" ;; esac
	[ "$(echo "$json" | jq -r .mode)" = exact ] || fail "run $run: not exact mode"
	[ -z "$bad" ] || fail "run $run: totals differ from the debugfs deltas over the run:$bad"
	[ "$drift" = 0 ] || fail "run $run: drift_pages $drift"
	# A floor that says test_vmalloc was seen (the totals are exact against
	# debugfs above): run_test_mask=9 is two tests of 1000 vmallocs per
	# thread, 2 threads, 4000 populate calls; why 3000 and not 4000 is
	# not written down (issue 20, item 5: listed).
	[ "$(echo "$json" | jq .populate_calls)" -ge 3000 ] || fail "run $run: test_vmalloc's populate calls not seen"
done < <(sed -n 's/^@@run \([^ ]*\) .*/\1/p' "$out")
case " $parts " in *" runs "*) [ "$runs" -ge 3 ] || fail "only $runs runs" ;; esac
case " $parts " in *" late "*) grep -q '^@@run late ' "$out" || fail "no run started under load" ;; esac

# The other modes, once each at quiescence: they run, say which mode they
# are, and stock mode's shadow_pages is its own page-table walk's (drift 0).
for m in $(case " $parts " in *" modes "*) echo stock estimate debugfs ;; esac); do
	line=$(sed -n "/^@@mode $m /p" "$out")
	json=$(sed -n "/^@@mode $m /{n;p}" "$out")
	case $line in *" rc=0") ;; *) fail "--mode $m: kvshadowtop did not exit 0 (${line:-no run})" ;; esac
	[ "$(echo "$json" | jq -r .mode)" = "$m" ] || fail "--mode $m: the JSON says mode $(echo "$json" | jq -r .mode)"
	echo "--mode $m: $(echo "$json" | jq -c '{shadow_pages, drift_pages}')"
	[ "$m" != stock ] || [ "$(echo "$json" | jq .drift_pages)" = 0 ] ||
		fail "--mode stock: drift_pages $(echo "$json" | jq .drift_pages) against its page-table walk"
done
console_clean || fail "unexpected report on the console"
case " $parts " in
*" runs "*) works_where exact "debugfs deltas over restarts around the load" ;;
esac
case " $parts " in
*" late "*) works_where exact "debugfs deltas between two quiet moments after a start under load" ;;
esac
case " $parts " in
*" modes "*) works_where "stock, estimate, debugfs" "a clean console under lockdep, DEBUG_VM, page_owner (stock: drift 0)" ;;
esac
echo PASS
