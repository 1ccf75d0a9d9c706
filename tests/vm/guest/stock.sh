#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/stock.sh, on the stock kernel (no kvshadow series,
# no debugfs counters): kvshadowtop picks stock mode by itself, and at
# quiescent moments its shadow_pages is what the kernel page tables hold
# (CONFIG_PTDUMP_DEBUGFS). Prints for the host to judge:
#   @@auto TEXT          the first batch frame of an automatic run
#   @@events yes|no      whether the kernel has the vmalloc:* events
#   @@moment LABEL PAGES NEW GONE   page tables now; pages mapped and
#                        unmapped since the previous moment (by address)
#   @@json LABEL {json}  the tool's line for that moment
#   @@peak LABEL {json}  from the areas_live moment on, the line of a second
#                        run (started at the purge moment) for that moment
#   @@prom LABEL SHADOW_BYTES VMALLOC_USED_BYTES VMAP_BYTES RATIO MEMINFO_KB
#          VMALLOCINFO_BYTES  its Prometheus file's gauges then (the
#                        overhead ratio too; "-" for one it has not),
#                        /proc/meminfo's VmallocUsed
#                        and the sizes in /proc/vmallocinfo summed (both
#                        stayed put too)
# With an argument, kvshadowtop runs in that mode (--mode MODE) for the
# moments; estimate mode at kptr_restrict=0, where /proc/vmallocinfo hides
# the addresses and its exact seed comes from the kernel's vmap area lists,
# read with BPF (put back after).
. /kvshadow/tests/lib.sh
[ ! -e "$VS" ] || fail "$VS exists: this is not the stock kernel"
[ -r "$PT" ] || fail "$PT missing: the test kernel needs CONFIG_PTDUMP_DEBUGFS"
mode=${1:-}
kptr=$(cat /proc/sys/kernel/kptr_restrict)
[ "$mode" != estimate ] || echo 0 >/proc/sys/kernel/kptr_restrict

kvshadowtop -b -n 1 -d 0.5 >/tmp/auto.out 2>&1 || { cat /tmp/auto.out; fail "kvshadowtop -b -n 1 failed"; }
while IFS= read -r l; do echo "@@auto $l"; done </tmp/auto.out
if [ -d $T/events/vmalloc ]; then echo "@@events yes"; else echo "@@events no"; fi

# The tools append (>>): a moment empties their files, so that the busybox
# read builtin, a byte a syscall, reads only the lines since (whole runs'
# files cost tens of seconds a moment in TCG).
: >/tmp/s.json
kvshadowtop ${mode:+--mode "$mode"} --json -d 0.5 --prom-file /tmp/s.prom >>/tmp/s.json 2>/tmp/s.err &
top=$!
wait_line /tmp/s.json /tmp/s.err

prev=""
# last_line: the tool's last line into $line, with builtins only (no fork).
last_line() {
	line=""
	while IFS= read -r _l; do line=$_l; done </tmp/s.json
}

# vmalloc_used: /proc/meminfo's VmallocUsed (kB) into $vmu, no fork.
vmalloc_used() {
	vmu=""
	while read -r _k _v _; do [ "$_k" != VmallocUsed: ] || vmu=$_v; done </proc/meminfo
}

# vmap_bytes: the sizes in /proc/vmallocinfo summed into $vmap, no fork.
vmap_bytes() {
	vmap=0
	while read -r _r _s _; do
		case $_s in '' | *[!0-9]*) ;; *) vmap=$((vmap + _s)) ;; esac
	done </proc/vmallocinfo
}

# The populate and release counts of a JSON line (totals and deltas).
counts() {
	echo "$1" | grep -o '"pages_\(populated\|released\)": *[0-9]*' | tr '\n' ' '
}

# moment LABEL: settle, keep the page tables, let two intervals pass, and
# print both views. The kernel maps and unmaps shadow on its own now and
# then (a kworker's stack): a moment counts only if it stayed quiet from
# the dump to the line, in the page tables and in the tool's counts, so
# that the tool's last page-table walk saw what the dump holds.
moment() {
	tries=0
	while :; do
		: >/tmp/s.json
		ptdump_settle "/tmp/m.$1"
		quiet_before=$_sv
		# No fork until the line is taken: a fork may map a stack's shadow.
		last_line
		before=$line
		vmalloc_used
		vmu_before=$vmu
		vmap_bytes
		vmap_before=$vmap
		: >/tmp/s.json
		[ -z "${peak:-}" ] || : >/tmp/peak.json
		wait_intervals /tmp/s.json 2 || fail "$1: no two more lines in 30 s"
		if [ -n "${peak:-}" ]; then
			wait_intervals /tmp/peak.json 2 || fail "$1: no two more peak lines in 30 s"
			peak_line=""
			while IFS= read -r _l; do peak_line=$_l; done </tmp/peak.json
		fi
		last_line
		vmalloc_used
		vmap_bytes
		prom_shadow="" prom_used="" prom_vmap="" prom_ratio=""
		while read -r _n _v; do
			case $_n in
			kvshadow_shadow_bytes) prom_shadow=$_v ;;
			kvshadow_vmalloc_used_bytes) prom_used=$_v ;;
			kvshadow_vmap_bytes) prom_vmap=$_v ;;
			kvshadow_shadow_overhead_ratio) prom_ratio=$_v ;;
			esac
		done </tmp/s.prom
		_pt_shadow_var "$PT"
		[ "$vmu" = "$vmu_before" ] && [ "$vmap" = "$vmap_before" ] &&
			[ "$_sv" = "$quiet_before" ] &&
			[ "$(counts "$before")" = "$(counts "$line")" ] && break
		tries=$((tries + 1))
		[ $tries -lt 5 ] || fail "$1: never quiet for two intervals in 5 tries"
	done
	echo "@@json $1 $line"
	[ -z "${peak:-}" ] || echo "@@peak $1 $peak_line"
	echo "@@prom $1 ${prom_shadow:--} ${prom_used:--} ${prom_vmap:--} ${prom_ratio:--} $vmu $vmap"
	pages=$(ptdump_shadow_pages "/tmp/m.$1") || fail "$1: ptdump_shadow_pages"
	new=0 gone=0
	if [ -n "$prev" ]; then
		new=$(ptdump_gone "/tmp/m.$1" "/tmp/m.$prev") || fail "$1: ptdump_gone"
		gone=$(ptdump_gone "/tmp/m.$prev" "/tmp/m.$1") || fail "$1: ptdump_gone"
	fi
	echo "@@moment $1 $pages $new $gone"
	prev=$1
}

modprobe kvshadow_workload || fail "modprobe kvshadow_workload"
moment start
modprobe test_vmalloc run_test_mask=7 test_loop_count=300 nr_threads=2 2>/dev/null
moment test_vmalloc
# Purge what test_vmalloc freed lazily, so that nothing else churns below.
echo purge >"$WL/control" || fail "purge"
moment purge
# A second run from this quiet moment on: at the areas_live moment its
# shadow_pages_peak is what the page tables hold there, the workload's
# high point so far: shadow only falls at a purge, and none runs between
# this moment (nothing is left lazily freed) and the workload's own after
# it. (Later, before that purge, the test's forks map new stacks.)
: >/tmp/peak.json
kvshadowtop ${mode:+--mode "$mode"} --json -d 0.5 >>/tmp/peak.json 2>/tmp/peak.err &
peak=$!
wait_line /tmp/peak.json /tmp/peak.err
echo "alloc aligned n=16 size=128K" >"$WL/control" &&
	echo "alloc vmalloc n=8 size=40K" >"$WL/control" &&
	echo "alloc slow size=2M" >"$WL/control" || fail "alloc commands"
moment areas_live
echo free >"$WL/control" && echo purge >"$WL/control" || fail "free, purge"
moment purged
kill -TERM $top $peak
wait $top || { cat /tmp/s.err; fail "kvshadowtop failed"; }
wait $peak || { cat /tmp/peak.err; fail "the second kvshadowtop failed"; }
cat /tmp/s.err /tmp/peak.err
echo "$kptr" >/proc/sys/kernel/kptr_restrict
echo "@@end"
