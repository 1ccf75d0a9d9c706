#!/bin/bash
# kasan:kasan_vmalloc_{populate,release} in the test kernel: tracefs format
# fields, and trace sums equal to debugfs deltas over a test_vmalloc run.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

vm_run -- 'sh /kvshadow/tests/tracepoints.sh' || fail "guest checks failed"
console_clean || fail "unexpected report on the console"
works_where "kernel: kasan events" "debugfs deltas over test_vmalloc"
