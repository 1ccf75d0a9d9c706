#!/bin/sh
# Guest side of tests/vm/kvshadowtop_exact.sh (busybox sh): kvshadowtop in
# exact mode and, at the same time, forced into estimate mode, around a
# test_vmalloc run; prints each tool's last JSON line after quiescence.
set -u
mod=/lib/modules/$(uname -r)/test_vmalloc.ko
kvshadowtop --json -d 0.5 --mode exact >/tmp/exact.json 2>/tmp/exact.err &
exact=$!
sleep 2
kvshadowtop --json -d 0.5 --mode estimate >/tmp/estimate.json 2>/tmp/estimate.err &
estimate=$!
sleep 3
# Its init returns -EAGAIN on purpose: the error is expected.
insmod "$mod" run_test_mask=7 test_loop_count=5000 nr_threads=2 2>/dev/null
# Quiescence: let the last intervals see the end of the run.
sleep 3
kill -INT "$exact" "$estimate"
wait "$exact"; rc_exact=$?
wait "$estimate"; rc_estimate=$?
cat /tmp/exact.err /tmp/estimate.err
echo "RC exact=$rc_exact estimate=$rc_estimate"
echo "EXACT $(tail -n 1 /tmp/exact.json)"
echo "ESTIMATE $(tail -n 1 /tmp/estimate.json)"
echo "LINES exact=$(wc -l </tmp/exact.json) estimate=$(wc -l </tmp/estimate.json)"
