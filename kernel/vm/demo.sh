#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of `make demo` (busybox sh, run by /init on the console):
# a mixed background workload and kvshadowtop live for DEMO_SECONDS, the
# TUI when the host gave us a terminal, batch otherwise. q ends the TUI
# early. /kvshadow/demo.env (written by kernel/vm/run.sh) says which.
. /kvshadow/demo.env
WL=/sys/kernel/debug/kvshadow_workload
stop=/tmp/demo.stop

if [ "$DEMO_TTY" = 1 ]; then
	stty rows "$DEMO_ROWS" cols "$DEMO_COLS" 2>/dev/null
	export TERM="$DEMO_TERM"
else
	# Batch: the host streams the second serial port (plain newlines).
	stty -F /dev/ttyS1 -onlcr 2>/dev/null
	exec >/dev/ttyS1 2>&1
fi
if [ "$DEMO_TTY" = 1 ]; then
	echo "kvshadow demo on $(uname -r): a mixed workload, kvshadowtop for ${DEMO_SECONDS}s (q quits); terminal $(stty size | awk '{ print $2 "x" $1 }') $TERM"
else
	echo "kvshadow demo on $(uname -r): a mixed workload, kvshadowtop for ${DEMO_SECONDS}s"
fi

# One round of everything, paced so the numbers move without swamping the
# screen: forks (thread stacks are vmalloc'd with VMAP_STACK), module loads
# and unloads (module memory is vmalloc'd too), test_vmalloc at low
# intensity, and the workload module's named functions (vmalloc, vmap,
# aligned, the slow one now and then) with frees and purges.
workload() {
	i=0
	modprobe kvshadow_workload 2>/dev/null
	while [ ! -e $stop ]; do
		i=$((i + 1))
		for j in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 0.3 & done
		wait
		echo "alloc aligned n=$((i % 5 + 2))" >$WL/control
		echo "alloc vmalloc n=3 size=$(((i % 7 + 1) * 4096))" >$WL/control
		echo "alloc vmap n=2" >$WL/control
		echo "alloc vzalloc n=2 keep=0 thread=1" >$WL/control
		if [ $((i % 4)) = 0 ]; then
			# Its init returns -EAGAIN on purpose: it loads, runs, unloads.
			modprobe test_vmalloc run_test_mask=1 test_loop_count=50 \
				nr_threads=1 >/dev/null 2>&1
		fi
		if [ $((i % 6)) = 0 ]; then
			echo "alloc slow size=16M keep=0" >$WL/control
		fi
		if [ $((i % 3)) = 0 ]; then
			echo "free" >$WL/control
			echo "purge" >$WL/control
		fi
		sleep 1
	done
	echo "free" >$WL/control
	modprobe -r kvshadow_workload 2>/dev/null
}

rm -f $stop
workload </dev/null >/dev/null 2>&1 &
wl=$!

# kvshadowtop ends by itself after DEMO_SECONDS intervals of 1 s (q ends the
# TUI earlier); timeout is only the backstop.
if [ "$DEMO_TTY" = 1 ]; then
	timeout $((DEMO_SECONDS + 30)) kvshadowtop -d 1 -n "$DEMO_SECONDS"
else
	timeout $((DEMO_SECONDS + 30)) kvshadowtop -b -d 2 -n $(((DEMO_SECONDS + 1) / 2)) </dev/null
fi
rc=$?
touch $stop
wait $wl
[ "$DEMO_TTY" = 1 ] && stty sane 2>/dev/null
echo "demo: kvshadowtop exited with status $rc"
echo "demo: debugfs now: $(tr '\n' ' ' </sys/kernel/debug/kasan/vmalloc_shadow 2>/dev/null)"
