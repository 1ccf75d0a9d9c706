#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The workload module (tests/vm/workload/) does what it reports: its log
# and areas agree with /proc/vmallocinfo (start, end, caller) and with the
# kasan:kasan_vmalloc_populate events and their stacks (one populate per
# area at its start over its size, the reporting function on the stack, the
# process it names, nr_allocated = nr_populated, at most the shadow pages
# the addresses touch);
# refused commands are EINVAL; unloading frees everything
# (tests/vm/guest/workload.sh).
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

vm_run -- 'sh /kvshadow/tests/workload.sh' >"$work/out"
rc=$?
cat "$work/out"
[ "$rc" = 0 ] || fail "guest checks failed (exit $rc)"
grep -q '^workload OK$' "$work/out" || fail "the guest script did not finish"
console_clean || fail "unexpected report on the console"
echo PASS
