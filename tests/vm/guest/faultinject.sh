#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/faultinject.sh (busybox sh): KASAN's shadow
# population fails on purpose (fail_page_alloc), while kvshadowtop runs in
# exact mode with --json and --prom-file. Prints the facts between "@@"
# markers for the host to judge, and checks what can be checked here.
. /kvshadow/tests/lib.sh
F=/sys/kernel/debug/fail_page_alloc
[ -d $F ] || fail "$F missing: the test kernel needs FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS"

modprobe kvshadow_workload || fail "modprobe kvshadow_workload"
quiesce

# kvshadowtop from before the faults to after the purge; the Prometheus
# file it rewrites every interval is kept at every interval (real series
# for the alert test).
mkdir -p /tmp/prom
kvshadowtop --mode exact --json -d 0.5 --prom-file /tmp/k.prom >/tmp/top.json 2>/tmp/top.err &
top=$!
(
	i=0 last=""
	while [ ! -e /tmp/prom.stop ]; do
		if [ -e /tmp/k.prom ]; then
			# Each interval renames a new file over it: a new inode.
			cur=$(stat -c %i /tmp/k.prom 2>/dev/null)
			if [ "$cur" != "$last" ] && cp /tmp/k.prom "/tmp/prom/$(printf %04d $i)"; then
				i=$((i + 1)); last=$cur
			fi
		fi
		nap 0.2
	done
) &
keeper=$!
i=0
until [ -s /tmp/top.json ] && [ -s /tmp/k.prom ]; do
	nap 0.2; i=$((i + 1))
	[ $i -lt 100 ] || { cat /tmp/top.err; fail "kvshadowtop wrote nothing in 20 s"; }
done
nap 2

# Every page allocation of a task marked make_it_fail fails: order 0 too,
# sleeping ones too (GFP_KERNEL), each with its stack on the console. The
# module marks itself around each allocation call only (fail=1), so the
# first page the call needs fails: usually the one kasan_populate_vmalloc
# takes for its page array, sometimes a new slab for vmalloc's own
# structures before it (the host counts the populate ones from the stacks).
echo Y >"$F/task-filter"
echo 0 >"$F/min-order"
echo N >"$F/ignore-gfp-wait"
echo 0 >"$F/space"
echo 1 >"$F/interval"
echo -1 >"$F/times"
echo 2 >"$F/verbose"
echo 100 >"$F/probability"
echo clear >"$WL/control"
snap b
echo "alloc aligned n=20 fail=1" >"$WL/control" || fail "alloc fail=1"
echo "alloc vmalloc n=10 size=20000 fail=1" >"$WL/control" || fail "alloc vmalloc fail=1"
snap m
echo 0 >"$F/probability"
# Shadow comes back: the same allocations succeed once the faults stop.
echo "alloc aligned n=5" >"$WL/control" || fail "alloc after the faults"
snap a
workload_areas >/tmp/areas || fail "workload_areas"
nap 2
echo free >"$WL/control" && echo purge >"$WL/control" || fail "free, purge"
# The page tables right after the purge, before any fork: the freed
# addresses are the lowest free ones, and the next thread stack lands there.
ptdump_save /tmp/purged.dump
# The keeper forks (stat, cp), and a fork may vmalloc a thread stack: the
# counters settle only once it stops. The file of the last interval, after
# the purge, is kept by hand.
touch /tmp/prom.stop
wait $keeper
quiesce
nap 2
snap z
cp /tmp/k.prom /tmp/prom/9999 || fail "keeping the last Prometheus file"
# A background job starts with SIGINT ignored, and the tool keeps it so: TERM.
kill -TERM $top
wait $top
rc=$?

failed=$(grep -c 'op=alloc .* ret=-12 ' "$WL/log")
okay=$(grep -c 'op=alloc .* ret=0 ' "$WL/log")
echo "module: $failed allocations failed, $okay succeeded"
echo "debugfs while faulting: populate_calls +$((m_populate_calls - b_populate_calls)) populate_failures +$((m_populate_failures - b_populate_failures)) pages_populated +$((m_pages_populated - b_pages_populated))"
# With the populate fast path an area whose shadow is already mapped takes
# no page for it, and may then need no page at all before it is made: how
# many of the 30 fail depends on the shadow already there (18 to 29 seen).
# What counts is judged below: each failure in populate, from the stacks.
[ "$failed" -ge 5 ] || { cat "$WL/log"; fail "only $failed of the 30 fail=1 allocations failed"; }
[ "$okay" = $((35 - failed)) ] || fail "$okay allocations succeeded, expected the 5 after the faults and $((30 - failed)) before"
[ $((m_populate_failures - b_populate_failures)) -gt 0 ] || fail "populate_failures did not move"
[ $((m_populate_failures - b_populate_failures)) -le 30 ] ||
	fail "populate_failures moved by $((m_populate_failures - b_populate_failures)), only 30 allocations failed"
# Allocations that failed before populate are no populate call at all;
# kvshadowtop and the file keeper run meanwhile (their own vmallocs count).
[ $((m_populate_calls - b_populate_calls)) -ge $((m_populate_failures - b_populate_failures)) ] ||
	fail "populate_calls moved by $((m_populate_calls - b_populate_calls)), less than the failures"
[ "$a_populate_failures" = "$m_populate_failures" ] || fail "populate_failures moved after the faults stopped"
[ "$z_shadow_pages" -eq $((z_pages_populated - z_pages_released)) ] ||
	fail "invariant: shadow_pages $z_shadow_pages != $z_pages_populated - $z_pages_released"

ptdump_check "after the faults, the frees and a purge"
ptdump_areas /tmp/purged.dump </tmp/areas | awk '$4 != 0 { print "area " $1 ": shadow still mapped"; bad = 1 } END { exit bad }' ||
	fail "the purge left shadow of the freed areas mapped"
echo "shadow back after the purge: the 5 areas' shadow pages were mapped and are unmapped now (shadow_pages $b_shadow_pages before the faults, $z_shadow_pages after the purge, kvshadowtop running both times)"

echo "@@failures $((m_populate_failures - b_populate_failures))"
echo "@@rc $rc"
echo "@@debugfs"; cat "$VS"
echo "@@json"; tail -n 1 /tmp/top.json
echo "@@err"; cat /tmp/top.err
echo "@@prom"
for f in /tmp/prom/*; do
	echo "@@file $f"
	cat "$f"
done
echo "@@end"
