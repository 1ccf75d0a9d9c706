#!/bin/bash
# KUnit in the test kernel: our kasan_vmalloc_stats suite and the vmalloc
# cases of the kasan suite must pass, with no unexpected report, on the
# patched 7.2 debug kernel (lockdep, DEBUG_VM, two NUMA nodes) booted as
# syzbot boots it, page_owner on.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

vm_run --debug --page-owner --kunit 'kasan*.vmalloc*' -- 'true' || fail "guest run failed"
ktap=$(tr -d '\r' <"$console" | grep -E '^ *(KTAP|#|ok|not ok) ')
echo "$ktap"
echo "$ktap" | grep -q '^ *not ok ' && fail "a KUnit case failed"
echo "$ktap" | grep -qE '^ok [0-9]+ kasan_vmalloc_stats$' || fail "suite kasan_vmalloc_stats did not pass"
echo "$ktap" | grep -qE '^ok [0-9]+ kasan$' || fail "suite kasan (vmalloc cases) did not pass"
for c in vmalloc_populate_counts vmalloc_release_counts vmalloc_peak \
	vmalloc_populate_fast_path vmalloc_populate_mapped_tail \
	vmalloc_populate_recount vmalloc_populate_race vmalloc_events vmalloc_oob; do
	echo "$ktap" | grep -qE "^ +ok [0-9]+ $c\$" || fail "case $c did not pass"
done
console_clean || fail "unexpected report on the console"
works_where "kernel: KUnit (kasan_vmalloc_stats, kasan vmalloc cases)" "their own expectations"
