#!/bin/bash
# /sys/kernel/debug/kasan/vmalloc_shadow in the test kernel: keys, order,
# invariant, peak reset, refused writes; no report on the console.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

vm_run -- 'sh /kvshadow/tests/debugfs.sh' || fail "guest checks failed"
console_clean || fail "unexpected report on the console"
