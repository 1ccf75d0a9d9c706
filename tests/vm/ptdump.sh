#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The truth the other tests lean on: debugfs shadow_pages equals the pages
# mapped in the KASAN shadow of the vmalloc and module areas, counted from
# the kernel page tables (/sys/kernel/debug/page_tables/kernel), exactly, at
# quiescent moments: after boot, after a 2-thread test_vmalloc, after a
# forced purge, with the workload module's areas live and after they were
# freed and purged; and the counters move by exactly what the module's
# reported areas and the page tables predict, in a window the kasan events
# show quiet (no other task's populate, no release; else again, up to 5
# times) (tests/vm/guest/ptdump.sh).
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

vm_run -- 'sh /kvshadow/tests/ptdump.sh' >"$work/out"
rc=$?
cat "$work/out"
[ "$rc" = 0 ] || fail "guest checks failed (exit $rc)"
grep -q '^ptdump OK$' "$work/out" || fail "the guest script did not finish"
console_clean || fail "unexpected report on the console"
works_where "kernel: debugfs shadow_pages" "the kernel page tables (ptdump), exact"
echo PASS
