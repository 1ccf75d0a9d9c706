#!/bin/bash
# The tool's own kernel memory on this host (estimate mode), read from the
# kernel and not from the tool (bench/mapmem: memlock of each map fd in
# /proc/PID/fdinfo): at most 2 MiB over all its maps after a workload, and
# at most 2.75 MiB with every hash map filled to max_entries (bench/mapfill),
# the worst its BPF_F_NO_PREALLOC hashes can grow to: full, they add
# ~0.55 MiB (2.53 MiB measured here) to a 1 MiB ring, the size a TCG
# guest's test_vmalloc needs (bpf/vmap.bpf.c). And
# a full attribution map shows as full: with a stack map of one stack
# (KVSHADOW_STACKS=1) the callers whose stack did not fit are counted in
# JSON "top_dropped", make up the "other" row, and the batch view says so,
# instead of being named "unknown". A lost event is counted: a ring of
# one page (KVSHADOW_RING_BYTES=4096) at vmload's full speed loses events,
# reports them (events_lost), grows and re-seeds. A full list of
# processes likewise (KVSHADOW_ROWS=4). Not timed: the bound is on bytes.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tool=${KVSHADOWTOP:-$top/build/bin/kvshadowtop}
load=$top/build/bench/vmload
fill=$top/build/bench/mapfill
mapmem=$top/bench/mapmem
bound=$((2 << 20))
bound_full=$((11 << 18))
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (BPF)"
[ -x "$tool" ] || fail "$tool not built"
[ -x "$load" ] && [ -x "$fill" ] || fail "$load or $fill not built (make bench-bins)"
for c in jq bpftool; do command -v $c >/dev/null || skip "$c not installed"; done
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"

work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 143' TERM INT

# start NAME ARGS...: the tool in the background (env: its settings), its
# JSON lines in $work/NAME.json; returns once the first line is out.
start() {
	local name=$1
	shift
	# A background job starts with SIGINT ignored, which the tool keeps: restore it.
	env --default-signal=INT "$tool" --mode estimate -d 0.5 "$@" \
		>"$work/$name.out" 2>"$work/$name.err" </dev/null &
	pid=$!
	for _ in $(seq 100); do [ -s "$work/$name.out" ] && break; sleep 0.1; done
	[ -s "$work/$name.out" ] || { cat "$work/$name.err"; fail "$name: no first line"; }
}

stop() {
	kill -INT "$pid"
	wait "$pid" || { cat "$work/$1.err"; fail "$1: exit status $? after SIGINT"; }
	pid=
}

# total NAME: the sum of the tool's map memory now (bytes), each map in $work/NAME.maps.
total() {
	"$mapmem" "$pid" >"$work/$1.maps" || fail "$1: bench/mapmem failed"
	[ -s "$work/$1.maps" ] || fail "$1: the tool holds no BPF map"
	awk '{ s += $5 } END { print s }' "$work/$1.maps"
}

# Bounded after a workload, and bounded with every hash full.
start run --json
"$load" -n 300 || fail "vmload failed"
"$load" -n 2000 -s 65536 || fail "vmload failed"
sleep 1
used=$(total run)
echo "map memory after the workload: $used bytes (bound $bound)"
[ "$used" -le "$bound" ] || { cat "$work/run.maps"; fail "map memory $used > $bound"; }
"$fill" $(awk '{ print $1 }' "$work/run.maps") >"$work/fill" || fail "bench/mapfill failed"
[ -s "$work/fill" ] || fail "bench/mapfill found no hash map"
full=$(total full)
echo "map memory with every hash full: $full bytes ($(wc -l <"$work/fill") hashes filled, bound $bound_full)"
[ "$full" -le "$bound_full" ] || { cat "$work/full.maps"; fail "full map memory $full > $bound_full"; }
# The rows the tool never made do not stop it.
sleep 1.2
kill -0 "$pid" 2>/dev/null || { cat "$work/run.err"; fail "the tool died with its maps full"; }
stop run
jq -e . "$work/run.out" >/dev/null || fail "a line is not JSON"
# Whether anything was dropped here depends on the stacks this host makes; that it is a count does not.
tail -n 1 "$work/run.out" | jq -e '(.top_dropped.pages_populated | type) == "number" and
	(.top_dropped.populate_calls | type) == "number"' >/dev/null || fail "no top_dropped counts"

# A full stack map: one stack fits, the other paths' callers are dropped and counted.
KVSHADOW_STACKS=1 start stacks --json
"$load" -n 300 || fail "vmload failed"
sleep 1.2
stop stacks
last=$(tail -n 1 "$work/stacks.out")
echo "one-stack map: $(echo "$last" | jq -c '{top_dropped, other: [.top[] | select(.caller == "other")]}')"
echo "$last" | jq -e '.top_dropped.populate_calls > 0 and .top_dropped.pages_populated > 0' \
	>/dev/null || fail "a full stack map dropped nothing"
echo "$last" | jq -e '[.top[] | select(.caller == "other")][0].pages_populated >=
	.top_dropped.pages_populated' >/dev/null || fail "the dropped pages are not in the other row"
echo "$last" | jq -e '[.top[] | select(.caller == "unknown")] | length == 0' >/dev/null ||
	fail "callers without a stack shown as unknown, not as dropped"
KVSHADOW_STACKS=1 start stacks_text -b
"$load" -n 100 || fail "vmload failed"
sleep 1.2
stop stacks_text
grep -q 'other holds [0-9]* pages of [0-9]* calls the caller map could not take' \
	"$work/stacks_text.out" || { tail -n 20 "$work/stacks_text.out"; fail "the batch view does not say the map was full"; }

# A full list of processes (estimate mode keeps its rows in userspace,
# bounded as the BPF maps of the other modes are: KVSHADOW_ROWS=4 here):
# ten processes that each make three areas; four rows, the others' calls
# counted as dropped and shown as "other", none lost: the rows and the
# dropped calls add up to the calls.
KVSHADOW_ROWS=4 start rows --json --by process
for _ in $(seq 10); do "$load" -n 3 || fail "vmload failed"; done
sleep 1.2
stop rows
last=$(tail -n 1 "$work/rows.out")
echo "four process rows: $(echo "$last" | jq -c '{populate_calls, top_dropped, rows: [.top[] | {process, populate_calls}]}')"
echo "$last" | jq -e '([.top[] | select(.process != "other")] | length) == 4
	and .top_dropped.populate_calls >= 18
	and ([.top[] | select(.process != "other") | .populate_calls] | add) + .top_dropped.populate_calls == .populate_calls
	and [.top[] | select(.process == "other")][0].populate_calls >= .top_dropped.populate_calls' \
	>/dev/null || fail "a full process list: not four rows and the rest dropped, adding up"
KVSHADOW_ROWS=0 timeout 30 "$tool" --mode estimate -n 1 --json >/dev/null 2>"$work/bad.err" </dev/null
rc=$?
[ "$rc" = 1 ] && grep -q 'KVSHADOW_ROWS must be a count' "$work/bad.err" ||
	{ cat "$work/bad.err"; fail "KVSHADOW_ROWS=0: exit $rc"; }

# A ring too small for the rate: the lost events are counted, the ring grows, the estimate re-seeds.
KVSHADOW_RING_BYTES=4096 start ring --json
"$load" -n 3000 -s 65536 || fail "vmload failed"
sleep 1.2
stop ring
last=$(tail -n 1 "$work/ring.out")
echo "one-page ring: $(echo "$last" | jq -c '{events_lost, ring_buffer_bytes, estimate_reseeds}')"
echo "$last" | jq -e '.events_lost > 0 and .ring_buffer_bytes > 4096 and .estimate_reseeds > 0' \
	>/dev/null || fail "a one-page ring lost nothing, or did not grow and re-seed"

# KVSHADOW_STACKS is checked.
KVSHADOW_STACKS=0 timeout 30 "$tool" --mode estimate -n 1 --json >/dev/null 2>"$work/bad.err" </dev/null
rc=$?
[ "$rc" = 1 ] && grep -q 'KVSHADOW_STACKS must be a count' "$work/bad.err" ||
	{ cat "$work/bad.err"; fail "KVSHADOW_STACKS=0: exit $rc"; }
echo "ok: map memory $used bytes, $full with every hash full (<= $bound, $bound_full); a full stack map is shown"
