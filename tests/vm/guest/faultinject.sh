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
# Four intervals of series before the faults, for the alert test's history.
wait_intervals /tmp/top.json 5 || fail "kvshadowtop: no five lines in 30 s"

# Every page allocation made inside kasan_populate_vmalloc() by a task
# marked make_it_fail fails: order 0 too, sleeping ones too (GFP_KERNEL),
# each with its stack on the console. The module marks itself around each
# allocation call only (fail=1). The stack filter keeps vmalloc's own slab
# allocations before populate out: a failed new slab there would fail every
# later call before populate too, and test nothing.
# kallsyms lists fixed-width hex: compared as strings (awk's doubles would
# round a text address).
# 6.12's kasan_populate_vmalloc() is the function; 7.2's is an inline
# wrapper around __kasan_populate_vmalloc().
range=$(awk '$3 == "kasan_populate_vmalloc" { s = $1 } $3 == "__kasan_populate_vmalloc" { s2 = $1 }
	{ a[NR] = $1 }
	END {
		if (s == "") s = s2
		if (s == "") exit 1
		for (i in a) if (a[i] > s && (e == "" || a[i] < e)) e = a[i]
		if (e == "") exit 1
		print s, e
	}' /proc/kallsyms) || fail "kasan_populate_vmalloc not in /proc/kallsyms"
# shellcheck disable=SC2086 # two addresses
set -- $range
echo "0x$1" >"$F/require-start" && echo "0x$2" >"$F/require-end" ||
	fail "the stack filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)"
echo 32 >"$F/stacktrace-depth"
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
# The keeper forks (stat, cp), and a fork may vmalloc a thread stack into
# the addresses the purge frees: it stops first. The file of the
# last interval is kept by hand.
touch /tmp/prom.stop
wait $keeper
nap 2
echo free >"$WL/control" && echo purge >"$WL/control" || fail "free, purge"
# The page tables right after the purge, before any fork: the freed
# addresses are the lowest free ones, and the next thread stack lands there.
ptdump_save /tmp/purged.dump
quiesce
# The line after the next: its snapshot follows the quiet moment, and the
# Prometheus file of the interval before it is in place (the keeper copies
# it by hand below).
intervals /tmp/top.json
wait_intervals /tmp/top.json $((intervals + 3)) || fail "kvshadowtop: no three more lines in 30 s"
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
# no page for it and succeeds: how many of the 30 fail depends on the shadow
# already there. Every one that fails, fails in populate (the host checks
# each injected failure's stack on the console).
[ "$failed" -ge 5 ] || { cat "$WL/log"; fail "only $failed of the 30 fail=1 allocations failed"; }
[ "$okay" = $((35 - failed)) ] || fail "$okay allocations succeeded, expected the 5 after the faults and $((30 - failed)) before"
[ $((m_populate_failures - b_populate_failures)) = "$failed" ] ||
	fail "populate_failures moved by $((m_populate_failures - b_populate_failures)), $failed allocations failed in populate"
# kvshadowtop and the file keeper run meanwhile (their own vmallocs count).
[ $((m_populate_calls - b_populate_calls)) -ge 30 ] ||
	fail "populate_calls moved by $((m_populate_calls - b_populate_calls)), the module made 30 populate calls"
[ "$a_populate_failures" = "$m_populate_failures" ] || fail "populate_failures moved after the faults stopped"
[ "$z_shadow_pages" -eq $((z_pages_populated - z_pages_released)) ] ||
	fail "invariant: shadow_pages $z_shadow_pages != $z_pages_populated - $z_pages_released"

ptdump_check "after the faults, the frees and a purge"
# The purge releases the shadow pages wholly inside each freed area (all
# of an aligned area's); a page an unaligned area (vmalloc size=20000)
# shares with a neighbour stays mapped.
ptdump_areas /tmp/purged.dump </tmp/areas >/tmp/purged || fail "ptdump_areas"
awk '$6 != 0 { print "area " $1 ": " $6 " of the " $3 " shadow pages wholly inside it still mapped"; bad = 1 } END { exit bad }' /tmp/purged ||
	fail "the purge left shadow of the freed areas mapped"
whole=$(awk '{ w += $3 } END { print w + 0 }' /tmp/purged)
# The 5 aligned areas made after the faults own 5 shadow pages at least.
[ "$whole" -ge 5 ] || { cat /tmp/areas /tmp/purged; fail "the freed areas wholly cover only $whole shadow pages: the purge check saw too little"; }
echo "shadow back after the purge: the $whole shadow pages wholly inside the $(wc -l </tmp/areas) freed areas are unmapped (shadow_pages $b_shadow_pages before the faults, $z_shadow_pages after the purge, kvshadowtop running both times)"

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
