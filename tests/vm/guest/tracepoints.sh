#!/bin/sh
# Guest side: the kasan:* events have the contracted fields, and over a
# workload the sums of nr_populated / nr_released in the trace equal the
# debugfs deltas exactly.
. /kvshadow/tests/lib.sh

has_fields() {
	fmt=$T/events/kasan/$1/format
	[ -r "$fmt" ] || fail "$fmt missing"
	shift
	for f in "$@"; do
		grep -q "field:$f;" "$fmt" || fail "$fmt lacks 'field:$f;'"
	done
}
has_fields kasan_vmalloc_populate "unsigned long addr" "unsigned long size" \
	"unsigned long shadow_start" "unsigned long shadow_end" \
	"unsigned long nr_populated" "unsigned long nr_allocated" \
	"u64 duration_ns" "int ret"
has_fields kasan_vmalloc_release "unsigned long start" "unsigned long end" \
	"unsigned long free_region_start" "unsigned long free_region_end" \
	"unsigned long nr_released" "unsigned long flags" "u64 duration_ns"
grep -q 'PAGE_RANGE' "$T/events/kasan/kasan_vmalloc_release/format" ||
	fail "release print fmt does not decode flags"

echo 32768 >"$T/buffer_size_kb" || fail "cannot size the trace buffer"
echo >"$T/trace"
echo 1 >"$T/events/kasan/enable" || fail "cannot enable kasan events"

quiesce
snap b
echo KVSHADOW_BEGIN >"$T/trace_marker"
test_vmalloc run_test_mask=7 test_loop_count=300 nr_threads=2
quiesce
echo KVSHADOW_END >"$T/trace_marker"
snap a
echo 0 >"$T/events/kasan/enable"

for s in "$T"/per_cpu/cpu*/stats; do
	grep -q '^overrun: 0$' "$s" || fail "trace buffer overran ($s): sums would be short"
done

sums=$(awk '
	/KVSHADOW_BEGIN/ { on = 1; next }
	/KVSHADOW_END/ { on = 0 }
	!on { next }
	/kasan_vmalloc_populate:/ {
		pc++
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^nr_populated=/) { split($i, kv, "="); pp += kv[2] }
			if ($i ~ /^duration_ns=/) { split($i, kv, "="); if (kv[2] > 0) timed++ }
		}
	}
	/kasan_vmalloc_release:/ {
		rc++
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^nr_released=/) { split($i, kv, "="); rp += kv[2] }
			if ($i ~ /^duration_ns=/) { split($i, kv, "="); if (kv[2] > 0) rtimed++ }
		}
	}
	END { printf "%d %d %d %d %d %d\n", pc, pp, rc, rp, timed, rtimed }' "$T/trace")
set -- $sums
echo "trace: populate_calls=$1 nr_populated=$2 release_calls=$3 nr_released=$4 timed=$5+$6"
echo "debugfs deltas: populate_calls=$((a_populate_calls - b_populate_calls)) pages_populated=$((a_pages_populated - b_pages_populated)) release_calls=$((a_release_calls - b_release_calls)) pages_released=$((a_pages_released - b_pages_released))"

[ "$1" -gt 0 ] || fail "no populate events"
[ "$3" -gt 0 ] || fail "no release events"
[ "$4" -gt 0 ] || fail "no shadow page released: the workload did not purge"
[ "$1" -eq $((a_populate_calls - b_populate_calls)) ] || fail "populate events != populate_calls delta"
[ "$2" -eq $((a_pages_populated - b_pages_populated)) ] || fail "sum nr_populated != pages_populated delta"
[ "$3" -eq $((a_release_calls - b_release_calls)) ] || fail "release events != release_calls delta"
[ "$4" -eq $((a_pages_released - b_pages_released)) ] || fail "sum nr_released != pages_released delta"
# The events were enabled long before the marker: every call was timed,
# and a timed call reports at least 1 ns (0 means "not timed").
[ "$5" -eq "$1" ] || fail "$(($1 - $5)) populate events with duration_ns 0 while the event was enabled"
[ "$6" -eq "$3" ] || fail "$(($3 - $6)) release events with duration_ns 0 while the event was enabled"
[ "$a_shadow_pages" -eq $((a_pages_populated - a_pages_released)) ] || fail "invariant"
echo "tracepoints OK"
