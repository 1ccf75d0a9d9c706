#!/bin/bash
# kvshadowtop --mode estimate on this (non-KASAN) host: while BPF array maps
# of 4 MiB are created and closed (each one a vmalloc), the vmap counters
# cover the workload, every JSON line has every contracted key, no BPF link
# survives the tool (normal exit and SIGINT), bad options exit 2.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$bin/kvshadowtop
[ "$(id -u)" = 0 ] || skip "needs root (BPF)"
need jq bpftool
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || skip "cannot mount bpffs"

pin=/sys/fs/bpf/kvshadowtop_test_$$
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -f "$pin"; host_cleanup' EXIT
kptr_restrict_for_test 1 || fail "cannot set kernel.kptr_restrict for the test"

# Links whose program is one of ours (kvs_*): links show only prog ids.
# links_json: those links, as bpftool describes them.
links_json() {
	local ids
	ids=$(bpftool -j prog show | jq -c '[.[] | select(.name // "" | startswith("kvs_")) | .id]')
	bpftool -j link show | jq -c --argjson ids "$ids" '[.[] | select(.prog_id as $p | $ids | index($p))]'
}
# The test counts only the links its own kvshadowtop holds, so another
# one at work (another test, another worktree) is named and left alone.
# A kvs_* link nobody holds was left behind (pinned, or leaked by a tool):
# fail and say so, never skip.
all=$(links_json | jq -r '.[].id')
if [ -n "$all" ]; then
	# shellcheck disable=SC2086 # the ids, one word each
	echo "kvs_* BPF links already attached, held by $(link_owners $all)"
	held=$(grep -h '^link_id:' /proc/[0-9]*/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u)
	orphans=$(comm -23 <(echo "$all" | sort -u) <(echo "$held"))
	[ -z "$orphans" ] || fail "kvs_* BPF links ${orphans//$'\n'/ } held by no process: left behind (pinned?)"
fi

# Usage errors: exit 2 before touching BPF.
for bad in "--mode fast" "-d 0" "-d x" "-n -1" "--by thing" "-s nope" "--bogus" "-r" "extra"; do
	# shellcheck disable=SC2086
	"$tool" $bad >/dev/null 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "'kvshadowtop $bad' exited $rc, want 2"
done
"$tool" -h | grep -q -- '--mode' || fail "-h does not describe --mode"

N=12
# No -n: a fixed number of lines is a fixed window, which 12 bpftool runs
# on a loaded host can outlast. The tool runs until two lines after the
# workload (the second one's snapshot follows the last map), then SIGTERM.
"$tool" -b --json -d 0.5 --mode estimate >"$work/out.json" 2>"$work/err" &
pid=$!
# The first line comes after the baseline, so the workload starts after it.
wait_until 10 lines_at_least 1 "$work/out.json" || fail "no first JSON line within 10 s"
# Its own links, by the fds it holds: another kvshadowtop may come and go.
ours=$(held_links $pid)
[ -n "$ours" ] || fail "kvshadowtop holds no BPF link while running"
for _ in $(seq $N); do
	bpftool map create "$pin" type array key 4 value 4096 entries 1024 name kvstest ||
		fail "bpftool map create"
	rm -f "$pin"
done
lines=$(($(wc -l <"$work/out.json") + 2))
wait_until 10 lines_at_least $lines "$work/out.json" || fail "no two lines after the workload within 10 s"
kill -TERM $pid
wait $pid
rc=$?
pid=
cat "$work/err"
san_clean "$work/err"
[ $rc = 0 ] || fail "kvshadowtop exited $rc after SIGTERM"
[ "$(wc -l <"$work/out.json")" -ge $lines ] || fail "want $lines JSON lines or more, got $(wc -l <"$work/out.json")"

keys='["ts","interval_s","mode","shadow_pages","shadow_pages_peak","populate_calls","pages_populated",
"release_calls","pages_released","populate_failures","vmap_area_allocs","vmap_area_alloc_bytes",
"vmap_area_frees","vmap_purges","debugfs","drift_pages","top"]'
n=0
while read -r line; do
	n=$((n + 1))
	echo "$line" | jq -e . >/dev/null || fail "line $n is not JSON: $line"
	missing=$(echo "$line" | jq -r --argjson k "$keys" '$k - keys | join(",")')
	[ -z "$missing" ] || fail "line $n lacks: $missing"
	[ "$(echo "$line" | jq -r .mode)" = estimate ] || fail "line $n: mode is not estimate"
	echo "$line" | jq -e '(.top | type) == "array" and (.shadow_pages | type) == "number"' >/dev/null ||
		fail "line $n: wrong types"
done <"$work/out.json"

last=$(tail -n 1 "$work/out.json")
echo "last: $(echo "$last" | jq -c '{shadow_pages, populate_calls, pages_populated, vmap_area_allocs, vmap_area_alloc_bytes, vmap_area_frees, vmap_purges, events_lost, unknown_frees}')"
allocs=$(echo "$last" | jq .vmap_area_allocs)
bytes=$(echo "$last" | jq .vmap_area_alloc_bytes)
# Each map: 4 MiB of values plus the map struct, in one vmalloc. At least,
# not exactly: these counters are the whole host's, and its other vmallocs
# (thread stacks of every fork, other tools' maps) land in the same
# intervals; the workload's own share is checked exactly by process in
# host/estimate_seed.
[ "$allocs" -ge $N ] || fail "vmap_area_allocs $allocs < $N maps"
[ "$bytes" -ge $((N * 4 * 1024 * 1024)) ] || fail "vmap_area_alloc_bytes $bytes < $N x 4 MiB"
[ "$(echo "$last" | jq .populate_calls)" -ge $N ] || fail "estimate saw fewer populate calls than maps"
[ "$(echo "$last" | jq .events_lost)" = 0 ] || fail "ring buffer lost events"
# shellcheck disable=SC2086 # the ids, one word each
left=$(surviving_links $ours)
[ -z "$left" ] || fail "kvshadowtop's links ${left//$'\n'/ } left after exit"

# The stack walk names the same callers as a full unwind: with
# KVSHADOW_VERIFY_WALK=1 every walked caller is unwound too and compared.
# Like the first run: until two lines after the workload, then SIGTERM.
KVSHADOW_VERIFY_WALK=1 "$tool" -b --json -d 0.5 --mode estimate >"$work/verify.json" 2>"$work/verify.err" &
pid=$!
wait_until 10 lines_at_least 1 "$work/verify.json" || fail "verify: no first JSON line within 10 s"
for _ in $(seq $N); do
	bpftool map create "$pin" type array key 4 value 4096 entries 1024 name kvstest ||
		fail "bpftool map create"
	rm -f "$pin"
done
lines=$(($(wc -l <"$work/verify.json") + 2))
wait_until 10 lines_at_least $lines "$work/verify.json" || fail "verify: no two lines after the workload within 10 s"
kill -TERM $pid
wait $pid || { cat "$work/verify.err"; fail "kvshadowtop with KVSHADOW_VERIFY_WALK=1 failed"; }
pid=
san_clean "$work/verify.err"
walk=$(tail -n 1 "$work/verify.json" | jq -c .caller_walk)
echo "caller walk, every walked caller also unwound: $walk"
echo "$walk" | jq -e '.walked > 0 and .verified > 0 and .mismatches == 0' >/dev/null ||
	fail "the stack walk and the full unwind disagree, or nothing was walked: $walk"

# SIGINT: clean exit, status 0, links gone. (A script's background job
# starts with SIGINT ignored, and the tool leaves an ignored signal ignored,
# as the shell asks: give it the default back.)
env --default-signal=INT "$tool" -b --json -d 0.2 --mode estimate >"$work/int.json" 2>&1 &
pid=$!
# Its first interval printed (attached): SIGINT comes to a tool at work.
wait_until 10 lines_at_least 1 "$work/int.json" || fail "no first interval in 10 s"
ours=$(held_links $pid)
[ -n "$ours" ] || fail "no kvshadowtop links while running"
kill -INT $pid
wait $pid
rc=$?
pid=
# And one started with SIGINT ignored keeps it: SIGTERM still ends it cleanly.
"$tool" -b --json -d 0.2 --mode estimate >"$work/ign.json" 2>&1 &
pid=$!
wait_until 10 lines_at_least 1 "$work/ign.json" || fail "SIGINT ignored: no first interval in 10 s"
kill -INT $pid
outlived_signal $pid "$work/ign.json" || fail "an ignored SIGINT stopped kvshadowtop"
kill -TERM $pid
wait $pid
rc2=$?
pid=
[ $rc2 = 0 ] || fail "exit $rc2 after SIGTERM"
[ $rc = 0 ] || fail "exit $rc after SIGINT"
# shellcheck disable=SC2086 # the ids, one word each
left=$(surviving_links $ours)
[ -z "$left" ] || fail "kvshadowtop's links ${left//$'\n'/ } left after SIGINT"
san_clean "$work/int.json" "$work/ign.json"
works_where estimate "the workload's own vmap areas (BPF array maps): the vmap counters"
echo "PASS"
