#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/record_diff.sh (busybox sh): kvshadowtop record
# (exact mode, --slow 0s) around three rounds of the workload module's
# 32 areas of 1 MiB (28 KiB short of it: 1020 KiB and the guard page, at
# 32 KiB alignment, so each owns exactly 32 shadow pages), freed and
# purged by this shell (vm_unmap_aliases). The kernel's own record of the
# same window next to it: the kasan_vmalloc_release and _populate events
# (every release's nr_released, flags and duration_ns, every populate's
# duration_ns) and the vmalloc events
# (every purge's end and npurged, every vmap area allocated and freed).
# 32 MiB stays below lazy_max_pages() (64 MiB with 2 CPUs), so no purge
# but the shell's runs in the window. The debugfs peak is reset (written
# 0) at a quiet moment before the rounds: from there both peaks are the
# rounds' high point. Prints everything, and the
# recording in base64, in sections for the host.
. /kvshadow/tests/lib.sh
WL=/sys/kernel/debug/kvshadow_workload

control() { echo "$1" >"$WL/control" || fail "workload: $1"; }

modprobe kvshadow_workload || fail "modprobe kvshadow_workload"
echo 16384 >"$T/buffer_size_kb"
control clear
echo "SHELL $$"
kvshadowtop record -o /tmp/run.rec --json --slow 0s -d 0.5 >/tmp/out 2>/tmp/err &
pid=$!
# The window starts at the first report: the tool counts from there on.
i=0
while [ ! -s /tmp/out ] && [ $i -lt 600 ]; do nap 0.1; i=$((i + 1)); done
[ -s /tmp/out ] || { cat /tmp/err; fail "kvshadowtop wrote nothing"; }
# A line whose snapshot is at a quiet moment before the rounds: the
# second after the count (the first may have been taken before it), with
# the counters the same before the count and after that line.
tries=0
while :; do
	quiesce
	counters c1
	intervals /tmp/out
	la=$((intervals + 2))
	wait_intervals /tmp/out $la || fail "no two more intervals in 30 s"
	counters c2
	[ "$c1" != "$c2" ] || break
	tries=$((tries + 1))
	[ $tries -lt 5 ] || fail "never quiet around an interval: $c1 / $c2"
done
echo "LA $la"
while read -r k v; do [ "$k" != shadow_pages ] || echo "BASE $v"; done <"$VS"
echo 0 >"$VS" || fail "resetting the debugfs peak"
echo >"$T/trace"
echo 1 >"$T/events/kasan/kasan_vmalloc_release/enable"
echo 1 >"$T/events/kasan/kasan_vmalloc_populate/enable"
echo 1 >"$T/events/vmalloc/purge_vmap_area_lazy/enable"
echo 1 >"$T/events/vmalloc/alloc_vmap_area/enable"
echo 1 >"$T/events/vmalloc/free_vmap_area_noflush/enable"
echo 1 >"$T/tracing_on"
for _ in 1 2 3; do
	control "alloc aligned n=32 size=1020K"
	control free
	control purge
done
# Two more intervals: the last purge's records reach the recording.
intervals /tmp/out
wait_intervals /tmp/out $((intervals + 2)) || fail "no two more intervals in 30 s"
# The window ends before the tool does: its exit frees its maps and BPF
# programs, and changing their pages' attributes purges (and releases).
echo 0 >"$T/tracing_on"
kill -TERM $pid
wait $pid
echo "RC $?"
echo 0 >"$T/events/kasan/kasan_vmalloc_release/enable"
echo 0 >"$T/events/kasan/kasan_vmalloc_populate/enable"
echo 0 >"$T/events/vmalloc/purge_vmap_area_lazy/enable"
echo 0 >"$T/events/vmalloc/alloc_vmap_area/enable"
echo 0 >"$T/events/vmalloc/free_vmap_area_noflush/enable"
echo "==out=="; cat /tmp/out
echo "==err=="; cat /tmp/err
echo "==log=="; cat "$WL/log"
echo "==trace=="; grep -v '^#' "$T/trace"
echo "==rec=="; base64 /tmp/run.rec
echo "==end=="
modprobe -r kvshadow_workload || fail "modprobe -r kvshadow_workload"
echo "record_diff OK"
