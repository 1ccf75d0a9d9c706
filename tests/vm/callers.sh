#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Callers and processes named right, against a workload whose answers we
# know: the workload module's functions make areas of known sizes in known
# processes, and the page tables just before them say which shadow pages
# each will map (tests/vm/guest/callers.sh). Checked in every mode that
# names callers, on the kernel it is meant for:
#   patched kernel: exact, exact --no-fentry (callers from stacks), exact
#                   with another tool's programs on the same functions
#                   (foreign), exact with a caller map of two rows (rows2:
#                   full, the bound bench/scale callers finds at 1024),
#                   estimate, estimate with foreign;
#   stock kernel:   stock, stock with foreign.
# Each workload function's row has exactly its calls and the shadow pages
# its areas mapped (estimate: the calls; its pages are a model's, which
# cannot know the shadow that areas purged before it started left mapped;
# where callers come from stacks, a row may be short by what the stack map
# could not take, bpf_get_stackid's -EEXIST for a bucket another stack
# holds, which top_dropped must then hold);
# the kernel thread's row in the process view likewise; with the map full,
# the functions left without a row are counted as dropped and shown as
# "other", and the rows and the dropped calls add up. And no mode writes
# kernel.kptr_restrict: 0, 1 and 2 are each left as they were; stock mode,
# which needs addresses, says so at 2, and estimate mode runs at 2 from a
# seed it labels approximate (at 0 it walks the kernel's vmap lists).
set -uo pipefail
# On the 6.12 kernels: on 7.2 the other tool's kprobe, registered and
# unregistered around kvshadowtop's trampolines on the same functions, is
# the kprobe-toggle crash of bench/tramp-race (a 7.2 bug: RIP 0x0 or an
# argument's value with no kvshadow program at all). KVER=7.2 runs it there.
# Stock mode on Debian 12's own 6.1, which has no vmalloc events: callers
# from stacks taken at alloc_vmap_area. STOCK_KVER=6.12 runs it there.
export KVER=${KVER-6.12}
STOCK_KVER=${STOCK_KVER-6.1}
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq clang bpftool
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"

# The other tool: its own BPF object, skeleton and static binary.
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I"$top/build/gen" \
	-c "$top/tests/vm/tools/foreign.bpf.c" -o "$work/foreign.bpf.o" &&
	bpftool gen skeleton "$work/foreign.bpf.o" name foreign_bpf >"$work/foreign.skel.h" &&
	gcc -static -O2 -Wall -Werror -I"$work" -o "$work/foreign" "$top/tests/vm/tools/foreign.c" \
		-lbpf -lelf -lz 2>"$work/foreign.log" ||
	{ cat "$work/foreign.log"; fail "cannot build tests/vm/tools/foreign"; }

# judge OUT: every expectation of every config in OUT.
judge() {
	local out=$1 cfg fn calls pages row got_calls got_pages json bad=0 mode fns
	local -A miss_fns=() miss_calls=() miss_pages=() short_calls=() short_pages=()
	while read -r cfg fn calls pages; do
		json=$(sed -n "s/^@@caller $cfg //p" "$out")
		[ -n "$json" ] || { echo "FAIL: $cfg: no --by caller line"; bad=1; continue; }
		row=$(echo "$json" | jq -c --arg fn "$fn" \
			'[.top[] | select(.caller == $fn or (.caller | startswith($fn + " [")))] | first // empty')
		if [ -z "$row" ] && [[ $cfg == *:rows2* ]]; then
			echo "$cfg: $fn: no row, the caller map is full: its $calls calls, $pages pages are dropped"
			miss_fns[$cfg]=$((${miss_fns[$cfg]:-0} + 1))
			miss_calls[$cfg]=$((${miss_calls[$cfg]:-0} + calls))
			miss_pages[$cfg]=$((${miss_pages[$cfg]:-0} + pages))
			continue
		fi
		if [ -z "$row" ]; then
			echo "FAIL: $cfg: no caller row for $fn (rows: $(echo "$json" | jq -c '[.top[].caller]'))"
			bad=1
			continue
		fi
		got_calls=$(echo "$row" | jq .populate_calls)
		got_pages=$(echo "$row" | jq .pages_populated)
		echo "$cfg: $fn: $got_calls calls, $got_pages pages (workload: $calls calls, $pages pages)"
		# Callers from stacks (--no-fentry, and 6.1's stock mode):
		# bpf_get_stackid fails (-EEXIST) for a new stack whose bucket
		# another stack holds, since the map does not replace (ids stay
		# stable); those calls are counted in top_dropped, not named. A
		# row short by calls the tool says it dropped is that (summed
		# per configuration below).
		if [ "$got_calls" -lt "$calls" ] && [ "$got_pages" -le "$pages" ] &&
			{ [[ $cfg == *:nofentry* ]] ||
				echo "$json" | jq -e '(.method // "") | test("stacks")' >/dev/null; }; then
			echo "$cfg: $fn: short by $((calls - got_calls)) calls, $((pages - got_pages)) pages: must be in top_dropped (a stack the stack map could not take)"
			short_calls[$cfg]=$((${short_calls[$cfg]:-0} + calls - got_calls))
			short_pages[$cfg]=$((${short_pages[$cfg]:-0} + pages - got_pages))
			continue
		fi
		[ "$got_calls" = "$calls" ] || {
			echo "FAIL: $cfg: $fn has $got_calls populate calls, made $calls"
			echo "  $cfg: $(echo "$json" | jq -c '{populate_calls, top_dropped, caller_walk, rows: [.top[] | {caller, populate_calls, pages_populated}]}')"
			bad=1
		}
		mode=${cfg%%:*}
		# Estimate mode's pages are a model's: it cannot know shadow that
		# areas purged before it started left mapped (its total is judged
		# against debugfs in kvshadowtop_exact.sh); its calls are exact.
		if [ "$mode" != estimate ] && [ "$got_pages" != "$pages" ]; then
			echo "FAIL: $cfg: $fn has $got_pages pages populated, the page tables say $pages"
			bad=1
		fi
	done < <(sed -n 's/^@@expect //p' "$out")
	for cfg in "${!short_calls[@]}"; do
		json=$(sed -n "s/^@@caller $cfg //p" "$out")
		echo "$cfg: $(echo "$json" | jq -c '{top_dropped, caller_walk}')"
		echo "$json" | jq -e --argjson c "${short_calls[$cfg]}" --argjson p "${short_pages[$cfg]}" \
			'.top_dropped.populate_calls >= $c and .top_dropped.pages_populated >= $p' >/dev/null ||
			{ echo "FAIL: $cfg: rows short by ${short_calls[$cfg]} calls, ${short_pages[$cfg]} pages, more than top_dropped"; bad=1; }
	done
	# A full caller map (two rows, five functions): the functions without
	# a row are in the dropped counts and the "other" row, and the rows
	# and the dropped calls add up to every populate call counted.
	for cfg in $(sed -n 's/^@@caller \([^ ]*:rows2[^ ]*\) .*/\1/p' "$out"); do
		json=$(sed -n "s/^@@caller $cfg //p" "$out")
		fns=$(sed -n "s/^@@expect $cfg //p" "$out" | wc -l)
		echo "$cfg: $(echo "$json" | jq -c '{populate_calls, pages_populated, top_dropped, rows: [.top[] | {caller, populate_calls, pages_populated}]}')"
		[ "${miss_fns[$cfg]:-0}" -ge $((fns - 2)) ] && [ "${miss_fns[$cfg]:-0}" -gt 0 ] ||
			{ echo "FAIL: $cfg: ${miss_fns[$cfg]:-0} of $fns functions without a row in a map of two"; bad=1; }
		echo "$json" | jq -e --argjson c "${miss_calls[$cfg]:-0}" --argjson p "${miss_pages[$cfg]:-0}" '
			([.top[] | select(.caller != "other")] | length) <= 2
			and .top_dropped.populate_calls >= $c and .top_dropped.pages_populated >= $p
			and [.top[] | select(.caller == "other")][0].populate_calls >= .top_dropped.populate_calls
			and ([.top[] | select(.caller != "other") | .populate_calls] | add) + .top_dropped.populate_calls == .populate_calls' \
			>/dev/null || { echo "FAIL: $cfg: a full caller map: more than two rows, or the functions without one not dropped (${miss_calls[$cfg]:-0} calls, ${miss_pages[$cfg]:-0} pages), or rows and dropped calls do not add up"; bad=1; }
	done
	while read -r cfg comm calls pages; do
		json=$(sed -n "s/^@@process $cfg //p" "$out")
		row=$(echo "$json" | jq -c --arg c "$comm" '[.top[] | select(.process | startswith($c + "["))] | first // empty')
		[ -n "$row" ] || { echo "FAIL: $cfg: no process row for $comm"; bad=1; continue; }
		got_calls=$(echo "$row" | jq .populate_calls)
		got_pages=$(echo "$row" | jq .pages_populated)
		echo "$cfg: process $(echo "$row" | jq -r .process): $got_calls calls, $got_pages pages (workload: $calls, $pages)"
		if [ "$comm" = kvshadow_wl ]; then
			# The module's kernel thread makes nothing but the workload's areas.
			[ "$got_calls" = "$calls" ] || { echo "FAIL: $cfg: $comm has $got_calls calls, made $calls"; bad=1; }
			[ "${cfg%%:*}" = estimate ] || [ "$got_pages" = "$pages" ] ||
				{ echo "FAIL: $cfg: $comm has $got_pages pages, the page tables say $pages"; bad=1; }
		else
			# The shell also forks: at least the workload's calls.
			[ "$got_calls" -ge "$calls" ] || { echo "FAIL: $cfg: $comm has $got_calls calls, made $calls"; bad=1; }
		fi
	done < <(sed -n 's/^@@proc //p' "$out")
	# kptr_restrict: never changed; a mode that needs addresses says so.
	while read -r mode before rc after approx; do
		[ "$before" = "$after" ] || { echo "FAIL: $mode: kptr_restrict $before became $after"; bad=1; }
		want=0
		case $mode:$before in stock:2) want=1 ;; esac
		[ "$rc" = "$want" ] || { echo "FAIL: $mode with kptr_restrict $before: exit $rc, want $want"; bad=1; }
		# Estimate mode without the addresses seeds from sizes, and says so:
		# at 2, which hides kallsyms too; at 0 the kernel's vmap lists (BPF)
		# give them.
		want=0
		case $mode:$before in estimate:2) want=1 ;; esac
		[ "$approx" = "$want" ] || { echo "FAIL: $mode with kptr_restrict $before: $approx lines say approximate, want $want"; bad=1; }
	done < <(sed -n 's/^@@kptr //p' "$out")
	[ "$(grep -c '^@@kptr ' "$out")" -gt 0 ] || { echo "FAIL: no kptr_restrict checks ran"; bad=1; }
	return $bad
}

# One host thread runs both vCPUs (QEMU's single-threaded TCG), as in
# tests/vm/stress.sh: each of the two dozen tool starts and stops here
# attaches trampolines to alloc_vmap_area while the other vCPU may run it,
# and with a thread per vCPU that oopses on text_poke_bp's int3 with no
# kvshadow code too (bench/tramp-race).
export VM_ACCEL=${VM_ACCEL:-tcg-single}
failed=0
for kernel in patched stock; do
	out=$work/$kernel.out
	if [ $kernel = patched ]; then
		vm_run --add "$work/foreign" -- \
			'sh /kvshadow/tests/callers.sh exact exact:nofentry exact:foreign exact:rows2 estimate estimate:foreign' >"$out"
	else
		vm_run --kver "$STOCK_KVER" --stock --add "$work/foreign" -- 'sh /kvshadow/tests/callers.sh stock stock:foreign' >"$out"
	fi
	rc=$?
	grep -v '^@@' "$out"
	[ "$rc" = 0 ] || { echo "FAIL: $kernel kernel: guest checks failed (exit $rc)"; failed=1; continue; }
	grep -q '^@@end$' "$out" || { echo "FAIL: $kernel kernel: the guest script did not finish"; failed=1; continue; }
	judge "$out" || { failed=1; continue; }
	console_clean || { echo "FAIL: $kernel kernel: unexpected report on the console"; failed=1; continue; }
	if [ $kernel = patched ]; then
		works_where "exact, estimate: callers" "the workload module's calls and areas"
	else
		works_where "stock: callers" "the workload module's calls and areas"
	fi
done
[ "$failed" = 0 ] || fail "callers or processes named wrong (above)"
echo PASS
