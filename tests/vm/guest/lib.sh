# SPDX-License-Identifier: GPL-2.0
# Guest side (busybox sh): helpers shared by the scripts in this folder.
VS=/sys/kernel/debug/kasan/vmalloc_shadow
T=/sys/kernel/tracing
KEYS="shadow_pages shadow_pages_peak pages_populated pages_released pages_allocated populate_calls populate_failures release_calls"

fail() { echo "FAIL: $*"; exit 1; }

# snap PREFIX: read the debugfs counters into PREFIX_<key> variables with
# shell builtins only. A fork could vmalloc a thread stack and move the
# counters between the snapshot and a trace marker.
snap() {
	while read -r k v; do
		eval "$1_$k=$v"
	done <"$VS"
}

# quiesce: wait until the counters stop moving (lazy purges run from
# workqueues after the workload returns), at most ~20 s.
quiesce() {
	i=0
	while [ $i -lt 20 ]; do
		a=""; while read -r k v; do a="$a $v"; done <"$VS"
		sleep 1
		b=""; while read -r k v; do b="$b $v"; done <"$VS"
		[ "$a" = "$b" ] && return 0
		i=$((i + 1))
	done
	fail "counters never settled"
}

# test_vmalloc ARGS...: its init returns -EAGAIN on purpose, so insmod
# "fails" even when every test passed; the verdict is in the kernel log.
test_vmalloc() {
	insmod "/lib/modules/$(uname -r)/test_vmalloc.ko" "$@" 2>/dev/null
	dmesg | grep -q "Summary: .* failed: [1-9]" && fail "test_vmalloc reported failures"
	dmesg | grep -q "Summary: .* passed: " || fail "test_vmalloc printed no summary"
}
