#!/bin/sh
# Guest side of tests/vm/kvshadowtop_exact.sh (busybox sh): kvshadowtop in
# exact mode and, at the same time, forced into estimate mode, around a
# test_vmalloc run; prints each tool's last JSON line after quiescence.
set -u
. /kvshadow/tests/lib.sh
# Estimate mode at kptr_restrict=0, where /proc/vmallocinfo hides the area
# addresses: its exact seed comes from the kernel's vmap lists (7.2's vmap
# nodes), read with BPF. The tool never writes the setting; the old value
# back at the end.
kptr_old=$(cat /proc/sys/kernel/kptr_restrict)
echo 0 >/proc/sys/kernel/kptr_restrict
kvshadowtop --json -d 0.5 --mode exact >/tmp/exact.json 2>/tmp/exact.err &
exact=$!
# Each tool attached and seeded (its first line) before the next step.
wait_intervals /tmp/exact.json 1 || { cat /tmp/exact.err; fail "exact: no first line in 30 s"; }
kvshadowtop --json -d 0.5 --mode estimate >/tmp/estimate.json 2>/tmp/estimate.err &
estimate=$!
wait_intervals /tmp/estimate.json 1 || { cat /tmp/estimate.err; fail "estimate: no first line in 30 s"; }
# Its init returns -EAGAIN on purpose: the error is expected.
modprobe test_vmalloc run_test_mask=7 test_loop_count=300 nr_threads=2 2>/dev/null
# Quiescence: the lazy purges after the run end (counters still for a
# second, builtins only), then the last intervals see it: two more lines
# of each, the second taken after the quiet moment.
quiesce
intervals /tmp/exact.json
wait_intervals /tmp/exact.json $((intervals + 2)) || fail "exact: no two more lines in 30 s"
intervals /tmp/estimate.json
wait_intervals /tmp/estimate.json $((intervals + 2)) || fail "estimate: no two more lines in 30 s"
# Background jobs start with SIGINT ignored, and the tool leaves it so: TERM.
kill -TERM "$exact" "$estimate"
wait "$exact"; rc_exact=$?
wait "$estimate"; rc_estimate=$?
cat /tmp/exact.err /tmp/estimate.err
echo "RC exact=$rc_exact estimate=$rc_estimate"
echo "EXACT $(tail -n 1 /tmp/exact.json)"
echo "ESTIMATE $(tail -n 1 /tmp/estimate.json)"
while read -r line; do echo "ESTLINE $line"; done </tmp/estimate.json
echo "LINES exact=$(wc -l </tmp/exact.json) estimate=$(wc -l </tmp/estimate.json)"
echo "$kptr_old" >/proc/sys/kernel/kptr_restrict
