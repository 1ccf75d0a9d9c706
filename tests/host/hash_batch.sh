#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The batch reader of exact and stock mode's caller and process rows
# (tools/kvshadowtop/sources/hash_batch.c) against real BPF hash maps made
# here: every entry once with its value, a full map of 1024 callers too
# (tests/host/hash_batch.c, cmocka, built with ASan/UBSan).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/tests/host/hash_batch
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (BPF maps)"
[ -x "$bin" ] || fail "$bin not built (make test-bins)"
"$bin" || fail "tests/host/hash_batch.c failed"
echo PASS
