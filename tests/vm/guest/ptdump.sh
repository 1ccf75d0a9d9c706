#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/ptdump.sh (busybox sh): debugfs shadow_pages equals
# the shadow pages in the kernel page tables exactly at quiescent moments
# (boot, after a 2-thread test_vmalloc stress, after a forced purge, with
# the workload module's areas live, after they were freed and purged), and
# the counters move by exactly what the workload module's reported areas
# predict (lib.sh: ptdump_areas; the module's header comment).
. /kvshadow/tests/lib.sh

[ -r "$PT" ] || fail "$PT missing: the test kernel needs CONFIG_PTDUMP_DEBUGFS"

ptdump_check "after boot"

test_vmalloc run_test_mask=7 test_loop_count=2000 nr_threads=2
ptdump_check "after a 2-thread test_vmalloc"

modprobe kvshadow_workload || fail "modprobe kvshadow_workload"
ptdump_check "workload module loaded"

# The ranges the helper derived from the dump's markers agree with the
# kernel's own constants (the module prints them).
while read -r k v; do eval "L_$k=$v"; done <"$WL/layout"
awk -v vs="$L_vmalloc_start" -v ve="$L_vmalloc_end" -v ms="$L_modules_vaddr" \
	-v me="$L_modules_end" -v off="$L_kasan_shadow_offset" '
	/^---\[ vmalloc\(\) Area \]---$/ { want = "vs" ; next }
	/^---\[ Modules \]---$/ { want = "ms"; next }
	/^---\[ End Modules \]---$/ { want = "me"; next }
	/^---\[ KASAN shadow end \]---$/ { want = "ke"; next }
	want != "" && /^0x/ { split($1, r, "-"); got[want] = r[1] + 0; want = "" }
	END {
		bad = 0
		if (got["vs"] != vs + 0) { print "vmalloc() Area marker != VMALLOC_START"; bad = 1 }
		if (got["ms"] != ms + 0) { print "Modules marker != MODULES_VADDR"; bad = 1 }
		if (got["me"] != me + 0) { print "End Modules marker != MODULES_END"; bad = 1 }
		if (got["ke"] - 2305843009213693952 != off + 0) { print "KASAN shadow end - 2^61 != KASAN_SHADOW_OFFSET"; bad = 1 }
		exit bad
	}' /tmp/ptdump.last || fail "the dump's markers disagree with the kernel's layout (above)"
vt=$(_pt_vtotal)
awk -v vs="$L_vmalloc_start" -v ve="$L_vmalloc_end" -v vt="$vt" 'BEGIN {
	exit !(vs + (vt + 1) * 1024 == ve + 1) }' ||
	fail "VMALLOC_START + (VmallocTotal + 1) KiB is not VMALLOC_END + 1"
echo "layout: the dump's markers and VmallocTotal give the kernel's VMALLOC_START/END, MODULES_VADDR/END and KASAN_SHADOW_OFFSET"

# A forced purge: vm_unmap_aliases() purges every lazily freed area before
# it returns. Make sure some are queued: 8 aligned areas freed right away
# (their shadow stays mapped until a purge; the kernel may purge them on
# its own first, which is fine: after "purge" none is left).
echo clear >"$WL/control"
echo "alloc aligned n=8 keep=0" >"$WL/control" || fail "alloc aligned keep=0"
workload_areas >/tmp/lazy || fail "workload_areas"
ptdump_save /tmp/lazy.dump
echo "freed, not yet purged: $(ptdump_areas /tmp/lazy.dump </tmp/lazy | awk '{ p += $4 } END { print p + 0 }') of their 8 shadow pages still mapped"
snap p0
echo purge >"$WL/control" || fail "purge"
snap p1
echo "forced purge: release_calls +$((p1_release_calls - p0_release_calls)), pages_released +$((p1_pages_released - p0_pages_released))"
ptdump_check "after a forced purge"
ptdump_areas /tmp/ptdump.last </tmp/lazy | awk '$6 != 0 { print "area " $1 ": " $6 " shadow pages wholly inside it still mapped after the purge"; bad = 1 } END { exit bad }' ||
	fail "the forced purge left freed areas' shadow mapped"

# Areas live. ptdump_check left the quiescent dump in /tmp/ptdump.last:
# the page tables just before the allocations. Only builtins between the
# two snapshots, so the shell causes no counter move but the module's
# (which runs in its context). The kernel may still populate or release
# for another task meanwhile (a kworker's stack): the kasan events of the
# window say so, and then the areas go and the step runs again, up to 5
# times; the exact deltas below are judged on a quiet window only.
echo 0 >"$T/tracing_on"
echo 1 >"$T/events/kasan/enable" || fail "cannot enable the kasan events"
tries=0
while :; do
	cp /tmp/ptdump.last /tmp/pre
	echo clear >"$WL/control"
	echo >"$T/trace"
	echo 1 >"$T/tracing_on"
	snap b
	echo "alloc aligned n=16" >"$WL/control" &&
		echo "alloc slow" >"$WL/control" &&
		echo "alloc vmalloc n=4 size=5000" >"$WL/control" &&
		echo "alloc vmap n=3" >"$WL/control" &&
		echo "alloc vzalloc n=2 size=40000" >"$WL/control" || fail "alloc commands"
	snap a
	echo 0 >"$T/tracing_on"
	# Any line but this shell's populates: another task's events, lost
	# events, or a release (a purge the allocations ran into, which moves
	# shadow_pages by what the module did not make).
	others=$(awk -v pid=$$ '!/^#/ && !($1 ~ ("-" pid "$") && / kasan_vmalloc_populate: /)' "$T/trace" | head -n 3)
	[ -z "$others" ] && break
	tries=$((tries + 1))
	echo "not quiet (try $tries), the kernel meanwhile: $others"
	[ $tries -lt 5 ] || fail "another task populated or released shadow during each of 5 tries"
	echo free >"$WL/control" && echo purge >"$WL/control" || fail "free, purge before another try"
	ptdump_check "before another try"
done
echo 0 >"$T/events/kasan/enable"
echo 1 >"$T/tracing_on"
ptdump_check "workload areas live"
cp /tmp/ptdump.last /tmp/live

grep -q ' ret=-' "$WL/log" && { cat "$WL/log"; fail "an allocation failed"; }
workload_areas >/tmp/areas || fail "workload_areas"
nr=$(wc -l </tmp/areas)
# 26 areas and the slow one's page array (16383 pages: 128 KiB of pointers).
[ "$nr" = 27 ] || { cat /tmp/areas; fail "the module reported $nr areas (nested included), expected 27"; }
ptdump_areas /tmp/pre </tmp/areas >/tmp/expect
ptdump_areas /tmp/live </tmp/areas >/tmp/now
# shellcheck disable=SC2046 # three numbers
set -- $(awk '{ g += $2; w += $3; n += $5 } END { print g, w, n }' /tmp/expect)
exp_alloc=$1 exp_whole=$2 exp_new=$3
echo "workload: 27 areas touch $exp_alloc shadow pages, $exp_new of them not mapped before, $exp_whole wholly inside an area"
echo "debugfs deltas: populate_calls +$((a_populate_calls - b_populate_calls)) pages_allocated +$((a_pages_allocated - b_pages_allocated)) pages_populated +$((a_pages_populated - b_pages_populated)) shadow_pages +$((a_shadow_pages - b_shadow_pages))"
[ $((a_populate_calls - b_populate_calls)) = 27 ] ||
	fail "populate_calls moved by $((a_populate_calls - b_populate_calls)), the module made 27 areas"
# Populate allocates only for the shadow pages it finds unmapped (the
# stock kernel allocated all $exp_alloc the areas touch); the areas are made
# one after the other, so no populate races another for a page.
[ $((a_pages_allocated - b_pages_allocated)) = "$exp_new" ] ||
	fail "pages_allocated moved by $((a_pages_allocated - b_pages_allocated)), $exp_new of the $exp_alloc shadow pages the areas touch were missing"
[ $((a_pages_populated - b_pages_populated)) = "$exp_new" ] ||
	fail "pages_populated moved by $((a_pages_populated - b_pages_populated)), the page tables before say $exp_new were missing"
[ $((a_shadow_pages - b_shadow_pages)) = "$exp_new" ] ||
	fail "shadow_pages moved by $((a_shadow_pages - b_shadow_pages)), expected $exp_new"
[ "$a_populate_failures" = "$b_populate_failures" ] || fail "populate_failures moved"
awk '$4 != $2 { print "area " $1 ": " $4 " of its " $2 " shadow pages mapped"; bad = 1 } END { exit bad }' /tmp/now ||
	fail "a live area is not wholly backed by shadow in the page tables"
# Aligned areas (the first 16 and the slow one) own their shadow pages.
awk 'NR <= 17 && ($2 != $3 || $5 + $4 != $2) { print "area " $1 ": G " $2 " W " $3; bad = 1 } END { exit bad }' /tmp/expect ||
	fail "an aligned area does not cover its shadow pages exactly"

# Free them and purge: the shadow wholly inside each area goes away. The
# same purge also takes whatever else the kernel freed lazily meanwhile, so
# what it released is judged by the page tables before and after it.
echo purge >"$WL/control" || fail "purge"
ptdump_check "before the free"
cp /tmp/ptdump.last /tmp/c.dump
snap c
echo free >"$WL/control" && echo purge >"$WL/control" || fail "free, purge"
ptdump_check "workload freed and purged"
snap d
ptdump_areas /tmp/ptdump.last </tmp/areas >/tmp/after
gone=$(ptdump_gone /tmp/c.dump /tmp/ptdump.last) || fail "ptdump_gone"
echo "release: release_calls +$((d_release_calls - c_release_calls)) pages_released +$((d_pages_released - c_pages_released)); page tables: $gone shadow pages gone (the workload's areas wholly cover $exp_whole)"
# Each page released is gone from the page tables, unless the kernel
# mapped it again inside the window (the purge may start a kworker, whose
# new stack's shadow can land on a page just released): at most as many
# as pages_populated moved.
rel=$((d_pages_released - c_pages_released)) pop=$((d_pages_populated - c_pages_populated))
[ "$rel" -ge "$gone" ] && [ $((rel - gone)) -le "$pop" ] ||
	fail "pages_released moved by $rel, the page tables lost $gone shadow pages (pages_populated +$pop)"
# At least, not exactly: the purge also releases the shadow of whatever
# else the kernel freed lazily meanwhile (see above); pages_released is
# checked exactly against the page tables just before.
[ "$gone" -ge "$exp_whole" ] ||
	fail "only $gone shadow pages went, the freed areas wholly cover $exp_whole"
# The purge calls kasan_release_vmalloc once per purged area (the
# workload's 27), then once per vmap node over the node's whole range to
# flush the TLB (kasan_release_vmalloc_node); other lazily freed areas
# purged with them add more: above 27, by how much the kernel decides.
[ $((d_release_calls - c_release_calls)) -gt 27 ] ||
	fail "release_calls moved by $((d_release_calls - c_release_calls)): one per purged area (27) and one per vmap node expected"
awk 'NR <= 17 && $4 != 0 { print "area " $1 ": " $4 " shadow pages still mapped"; bad = 1 } END { exit bad }' /tmp/after ||
	fail "shadow of a freed and purged aligned area is still mapped"
awk '{ left += $4 } END { print "after the purge " left " shadow pages of the freed areas are still mapped (shared with neighbours)" }' /tmp/after
echo "ptdump OK"
