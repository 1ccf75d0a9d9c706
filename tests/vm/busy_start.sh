#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop (exact) started while a 2-thread test_vmalloc runs: a busy
# baseline, aligned at the first quiet reading (baseline_pending until
# then), after which drift is 0 and every counter moves between two quiet
# moments as the kernel's debugfs counters do (the "late" part of
# tests/vm/stress.sh). On the 6.12 backport: on 7.2, fentry/fexit attached
# while other CPUs run the function crashed the kernel with the debug
# options and no kvshadow program at all (bench/tramp-race); 6.12 never
# did. KVER=7.2 runs it there.
export KVER=${KVER-6.12}
STRESS_PARTS=late exec "$(dirname "$0")/stress.sh"
