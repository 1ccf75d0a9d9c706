#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/slow.sh (busybox sh): kvshadowtop --slow around
# workload-module calls whose sizes, callers and durations the module logs,
# with the kernel's own record of every call next to it: a kprobe event on
# __vmalloc_node_range_noprof (one line per call, nested ones included), a
# kretprobe event where its pages are mapped, and
# the kasan:kasan_vmalloc_populate events (duration_ns, nr_populated,
# nr_allocated). Prints everything in sections for the host to compare.
. /kvshadow/tests/lib.sh
WL=/sys/kernel/debug/kvshadow_workload

control() { echo "$1" >"$WL/control" || fail "workload: $1"; }

modprobe kvshadow_workload || fail "modprobe kvshadow_workload"
# shellcheck disable=SC2016 # $arg1 is the kprobe's fetch argument
echo 'p:kvs/vm __vmalloc_node_range_noprof size=$arg1:u64' >>"$T/kprobe_events" ||
	fail "kprobe event on __vmalloc_node_range_noprof"
# And where each call's mapping ends: the return of its
# __vmap_pages_range_noflush(), the last step inside it that an event can
# mark (tests/vm/slow.sh bounds the call's time from below with it).
echo 'r:kvs/mapped __vmap_pages_range_noflush' >>"$T/kprobe_events" ||
	fail "kretprobe event on __vmap_pages_range_noflush"
# Timestamps on ktime's clock, the one of fentry/fexit and duration_ns.
echo mono >"$T/trace_clock" || fail "trace_clock mono"
echo 65536 >"$T/buffer_size_kb"
# The kprobe stays on for all three runs: on Linux 7.2 a kprobe switched
# off and on again on a function that a BPF trampoline was attached to
# (and has left) crashes the kernel, with or without kvshadowtop
# (bench/tramp-race reproduces it). Enabling it allocates (an ftrace
# trampoline, vmalloc'd by this shell): here, outside every window.
echo 1 >"$T/events/kvs/vm/enable"
echo 1 >"$T/events/kvs/mapped/enable"
echo "SHELL $$"

# run TAG KVSHADOWTOP-ARGS...: the tool around one batch of workload calls.
run() {
	tag=$1
	shift
	control clear
	echo 1 >"$T/events/kasan/kasan_vmalloc_populate/enable"
	kvshadowtop "$@" -d 0.5 -r 50 >/tmp/$tag.out 2>/tmp/$tag.err &
	pid=$!
	# Counting starts at the baseline, after the BPF load: wait for a first report.
	i=0
	while [ ! -s /tmp/$tag.out ] && [ $i -lt 600 ]; do nap 0.1; i=$((i + 1)); done
	[ -s /tmp/$tag.out ] || { cat /tmp/$tag.err; fail "$tag: kvshadowtop wrote nothing"; }
	# From here to the end of the batch this shell forks nothing: every
	# vmalloc call it makes is one of the workload's.
	echo >"$T/trace"
	echo 1 >"$T/tracing_on"
	control "alloc slow"
	control "alloc vmalloc n=5 size=5000"
	control "alloc aligned n=3"
	control "alloc vzalloc n=2 size=40K"
	# Two more intervals: the records reach the output.
	intervals /tmp/$tag.out
	wait_intervals /tmp/$tag.out $((intervals + 2)) || fail "$tag: no two more intervals in 30 s"
	kill -TERM $pid
	wait $pid
	echo "RC $tag $?"
	# The window ends here: what the shell forks from now on (each fork
	# vmallocs a stack in the shell's name) stays out of the trace.
	echo 0 >"$T/tracing_on"
	echo 0 >"$T/events/kasan/kasan_vmalloc_populate/enable"
	control free
	control purge
	echo "==$tag.out=="; cat /tmp/$tag.out
	echo "==$tag.err=="; cat /tmp/$tag.err
	echo "==$tag.log=="; cat "$WL/log"
	echo "==$tag.trace=="; grep -v '^#' "$T/trace"
	echo "==$tag.end=="
}

run all --json --slow 0s
run none --json --slow 3600s
run batch -b --slow 5ms
echo 0 >"$T/events/kvs/vm/enable"
echo 0 >"$T/events/kvs/mapped/enable"
echo "-:kvs/vm" >>"$T/kprobe_events"
echo "-:kvs/mapped" >>"$T/kprobe_events"
echo local >"$T/trace_clock"
modprobe -r kvshadow_workload || fail "modprobe -r kvshadow_workload"
echo "slow OK"
