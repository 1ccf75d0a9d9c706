#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The purge side of kvshadowtop (issue 21, item 4) on this host, against
# the kernel's own vmalloc events read through a tracefs instance of our
# own (CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns), while
# tests/host/vmalloc_as frees more than the kernel's lazy limit (so that
# the kernel purges during the run):
#  - every interval's backlog (the recording's state: pages, limit, when)
#    is the nr_lazy / nr_lazy_max of the free_vmap_area_noflush event
#    tracefs recorded at that instant, and no later free came before the
#    reading; the limit is also lazy_max_pages() computed from the online
#    CPUs and the page size;
#  - the backlog is marked stale exactly when a purge_vmap_area_lazy event
#    came between that free and the reading; the interval object's
#    purge.lazy_pages/lazy_bytes are null then, the numbers otherwise;
#  - estimate mode's model of the lazily freed areas (once it knows them
#    all) holds as many bytes as the kernel's backlog at the same reading;
#  - fentry is refused here: purge cost and stalls are null (never 0), and
#    the Prometheus file has kvshadow_lazy_purge_bytes (the tracefs value
#    in bytes) but no purge histogram or stall counter;
#  - report and diff carry the keys (purge.* in diff's key list), the
#    summary the highest backlog of the run.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

helper=$top/build/tests/host/vmalloc_as
[ -x "$helper" ] || fail "$helper not built (make test-bins)"
[ "$(id -u)" = 0 ] || skip "needs root (BPF, tracefs)"
command -v jq >/dev/null || skip "jq not installed (make deps)"
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
tracefs=/sys/kernel/tracing
mountpoint -q "$tracefs" || mount -t tracefs none "$tracefs" || skip "cannot mount tracefs"
[ -d "$tracefs/events/vmalloc/free_vmap_area_noflush" ] || skip "no vmalloc:* tracepoints"

# An instance of our own: the global buffer and other users stay as they are.
inst=$tracefs/instances/kvshadow_purge_$$
mkdir "$inst" || fail "cannot make a tracefs instance"
trap 'rmdir "$inst" 2>/dev/null; host_cleanup' EXIT
echo mono >"$inst/trace_clock" || fail "no mono trace clock"
echo 4096 >"$inst/buffer_size_kb" || fail "cannot size the trace buffer"
for ev in free_vmap_area_noflush purge_vmap_area_lazy; do
	echo 1 >"$inst/events/vmalloc/$ev/enable" || fail "cannot enable vmalloc:$ev"
done

page=$(getconf PAGESIZE)
# 100 maps of 1 MiB: more than the lazy limit of up to 2 CPUs (64 MiB), so
# the kernel purges while the tool runs.
N=100
rec=$work/purge.rec
"$bin/kvshadowtop" record -o "$rec" -d 0.5 -n 12 --prom-file "$work/live.prom" \
	>"$work/live.txt" 2>"$work/err" </dev/null &
pid=$!
host_pids+=("$pid")
started "$work/live.txt" "$pid" || { cat "$work/err"; fail "record printed nothing"; }
"$helper" purgetest "$N" || fail "vmalloc_as failed"
# Again: estimate mode's model knows every area waiting only after a purge
# took the areas freed before it started (with kptr_restrict 0 it does not
# know their places).
sleep 1
"$helper" purgetest "$N" || fail "vmalloc_as failed"
wait_gone "$pid" 30000 || fail "record did not end after 12 intervals"
rc=0
wait "$pid" || rc=$?
for ev in free_vmap_area_noflush purge_vmap_area_lazy; do
	echo 0 >"$inst/events/vmalloc/$ev/enable"
done
san_clean "$work/err"
[ "$rc" = 0 ] || { cat "$work/err"; fail "record: exit $rc"; }
grep -q 'lazy backlog' "$work/live.txt" || fail "the text view has no lazy backlog line"

# tracefs: "<kind> <ts> <nr_lazy> <nr_lazy_max>" (purges: "purge <ts> 0 0").
sed -n 's/.* \([0-9]*\.[0-9]*\): free_vmap_area_noflush: .*nr_lazy=\([0-9]*\) nr_lazy_max=\([0-9]*\).*/free \1 \2 \3/p;
	s/.* \([0-9]*\.[0-9]*\): purge_vmap_area_lazy: .*/purge \1 0 0/p' "$inst/trace" >"$work/events"
[ "$(grep -c '^free' "$work/events")" -ge "$N" ] || fail "tracefs saw fewer frees than the workload made"
grep -q '^purge' "$work/events" || fail "no purge during the run: the workload did not pass the lazy limit"
# "# entries-in-buffer/entries-written: X/Y": fewer in the buffer than written is a loss.
sed -n 's/^# entries-in-buffer\/entries-written: \([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$inst/trace" |
	{ read -r kept written; [ "$kept" = "$written" ]; } || fail "the trace buffer lost events"

# The recording's states: "<mono> <have> <pages> <max> <lazy mono> <stale>
# <start mono> <model knows> <model's lazy bytes>".
zcat -f "$rec" | jq -r 'select(.event == "state") | [.mono, (.purge.lazy != null),
	(.purge.lazy.pages // 0), (.purge.lazy.max_pages // 0), (.purge.lazy.mono // 0),
	(.purge.lazy.stale // false), .start_mono, (.purge.waiting != null),
	(.purge.waiting.bytes // 0)] | @tsv' >"$work/states"
[ "$(wc -l <"$work/states")" = 12 ] || fail "want 12 states, got $(wc -l <"$work/states")"

# lazy_max_pages() of mm/vmalloc.c: fls(num_online_cpus()) * 32 MiB of pages.
online=$(getconf _NPROCESSORS_ONLN)
fls=0
while [ $((1 << fls)) -le "$online" ]; do fls=$((fls + 1)); done
want_max=$((fls * 32 * 1024 * 1024 / page))

# Per state: the tracefs free at the reported instant (its timestamp is
# taken before our BPF program runs on the same event, and printed in
# microseconds rounded to the nearest: ns2usecs() adds 500 ns, so it may
# read up to 0.5 us after our nanoseconds);
# no tracefs free between it and the reading; stale iff a purge between.
# Slack: the reading's mono is taken before the BPF maps are read (in
# estimate mode after draining the ring, up to 0.5 s later), so an event
# less than 1 ms before it may or may not be in; and two CPUs freeing in
# the same microsecond may store their reports in the other order than
# tracefs records them. A purge that made it stale came before the map
# read, at most the drain budget (0.5 s) after the reading's mono.
awk -v want_max="$want_max" -v page="$page" '
	NR == FNR { kind[NR] = $1; ts[NR] = $2; lazy[NR] = $3; lmax[NR] = $4; n = NR; next }
	{
		mono = $1; have = $2; pages = $3; max = $4; at = $5; stale = $6; start = $7
		known = $8; model = $9
		if (have != "true") {
			for (i = 1; i <= n; i++)
				if (kind[i] == "free" && ts[i] > start && ts[i] < mono - 0.001) {
					printf "state %d: no backlog, but tracefs has a free at %s\n", FNR, ts[i]
					bad++
					break
				}
			next
		}
		m = 0
		for (i = 1; i <= n; i++)
			if (kind[i] == "free" && ts[i] <= at + 0.0000005 && ts[i] > at - 0.001 &&
			    lazy[i] == pages && lmax[i] == max)
				m = i
		if (!m) {
			printf "state %d: %s pages (limit %s) at %s: no such free in tracefs; near it:\n", FNR, pages, max, at
			for (i = 1; i <= n; i++)
				if (ts[i] > at - 0.005 && ts[i] < at + 0.005)
					printf "    %s %s %s %s\n", kind[i], ts[i], lazy[i], lmax[i]
			bad++
			next
		}
		if (max != want_max) {
			printf "state %d: limit %s, lazy_max_pages() is %s\n", FNR, max, want_max
			bad++
		}
		later_free = 0; purge = 0
		for (i = 1; i <= n; i++) {
			if (ts[i] <= at + 0.0000005 || ts[i] >= mono - 0.001)
				continue
			if (kind[i] == "free" && ts[i] > ts[m] + 0.000001)
				later_free++
			if (kind[i] == "purge")
				purge++
		}
		if (later_free) {
			printf "state %d: %d tracefs frees came after the reported one and before the reading\n", FNR, later_free
			bad++
		}
		if (purge && stale != "true") {
			printf "state %d: a purge came after the reported free, but it is not stale\n", FNR
			bad++
		}
		if (stale == "true") {
			late = 0
			for (i = 1; i <= n; i++)
				if (kind[i] == "purge" && ts[i] > ts[m] && ts[i] < mono + 0.6)
					late++
			if (!late) {
				printf "state %d: stale, but no purge in tracefs after its free\n", FNR
				bad++
			}
		}
		printf "state %d: backlog %s pages of %s at %s%s: tracefs agrees\n", FNR, pages, max, at, stale == "true" ? " (stale: purged since)" : ""
		checked++
		# Estimate mode: its model of the lazy areas against the kernel'"'"'s own count.
		if (known != "true" || stale == "true")
			next
		if (model == pages * page) {
			printf "state %d: the model has the same %s bytes waiting\n", FNR, model
			agree++
			next
		}
		# Frees go on while the tool reads: the model and the backlog
		# may be read on either side of one that came near the reading.
		near = 0
		for (i = 1; i <= n; i++)
			if (kind[i] == "free" && ts[i] > mono - 0.001 && ts[i] < mono + 0.6)
				near++
		if (!near) {
			printf "state %d: the model has %s bytes waiting, the kernel %s\n", FNR, model, pages * page
			bad++
		} else {
			printf "state %d: model %s bytes, kernel %s, %d frees during the reading\n", FNR, model, pages * page, near
		}
	}
	END {
		# With kptr_restrict 0 the model knows every area waiting only
		# between a purge and the next free of an area older than the
		# tool (a kernel stack of an exiting task, say): on a busy host
		# possibly never within the run. Then it shows null, and there
		# is nothing to compare.
		printf "%d states checked against tracefs, the model agreed with the kernel in %d\n", checked, agree
		if (!agree)
			printf "(the model did not know all areas waiting at any reading: not compared)\n"
		if (bad || checked < 4)
			exit 1
	}
' "$work/events" "$work/states" || fail "the backlog disagrees with tracefs"

# The interval objects: bytes from pages, null where stale, never 0 for unknown.
zcat -f "$rec" | jq -c 'select(has("event") or has("kvshadow_recording") | not) | .purge' >"$work/purges"
jq -e --argjson page "$page" 'if .lazy_pages == null then .lazy_bytes == null
	else .lazy_bytes == .lazy_pages * $page end and .lazy_max_bytes == .lazy_max_pages * $page' \
	"$work/purges" >/dev/null || fail "purge.lazy_bytes is not lazy_pages pages: $(cat "$work/purges")"
shown=$(paste <(cut -f2,3,6 "$work/states") <(jq -r '.lazy_pages' "$work/purges") |
	awk -F'\t' '$1 == "true" && $3 == "false" && $4 != $2 || ($1 != "true" || $3 == "true") && $4 != "null"')
[ -z "$shown" ] || fail "purge.lazy_pages is not the state's backlog (or not null when unknown): $shown"
jq -e '.count == null and .p50_ns == null and .p99_ns == null and .stalls == null and
	.interval_stalls == null and .stall_ns == null' "$work/purges" >/dev/null ||
	fail "without fentry, purge cost and stalls must be null: $(tail -n 1 "$work/purges")"

# Prometheus: the last interval's backlog in bytes, no families fentry would give.
last=$(tail -n 1 "$work/states")
grep -q '^kvshadow_purge_duration_seconds\|^kvshadow_purge_stalls_total' "$work/live.prom" &&
	fail "purge families without fentry"
if [ "$(echo "$last" | cut -f2)" = true ] && [ "$(echo "$last" | cut -f6)" = false ]; then
	want=$(($(echo "$last" | cut -f3) * page))
	grep -qx "kvshadow_lazy_purge_bytes $want" "$work/live.prom" ||
		fail "kvshadow_lazy_purge_bytes is not $want: $(grep lazy_purge "$work/live.prom")"
	ok "kvshadow_lazy_purge_bytes $want, as tracefs said"
else
	grep -q '^kvshadow_lazy_purge_bytes' "$work/live.prom" && fail "a stale backlog exported"
fi
grep -qx "kvshadow_lazy_purge_max_bytes $((want_max * page))" "$work/live.prom" ||
	fail "kvshadow_lazy_purge_max_bytes is not lazy_max_pages()"

# report prints what the live run wrote; diff lists the purge keys.
expect_status 0 "$bin/kvshadowtop" report "$rec" --prom-file "$work/report.prom"
cmp -s "$work/live.prom" "$work/report.prom" || fail "report --prom-file differs from the live file"
# The summary's worst backlog: the highest of the intervals' (each checked above).
expect_status 0 "$bin/kvshadowtop" report "$rec" --json
want=$(cut -f2,3,6 "$work/states" | awk -F'\t' '$1 == "true" && $3 == "false" && $2 > m { m = $2 } END { print m + 0 }')
got=$(tail -n 1 "$work/out" | jq '.purge.lazy_pages_max')
[ "$got" = "$want" ] || fail "summary purge.lazy_pages_max $got, the intervals' highest $want"
ok "the summary's worst lazy backlog: $got pages"
expect_status 0 "$bin/kvshadowtop" diff "$rec" "$rec" --json
for k in purge.lazy_pages purge.lazy_pages_max purge.lazy_max_pages purge.stalls purge.p99_ns; do
	jq -e --arg k "$k" '[.keys[].key] | index($k)' "$work/out" >/dev/null ||
		fail "diff does not list $k"
done
jq -e '[.keys[].key] | index("purge.lazy_ts") or index("purge.interval_stalls") | not' \
	"$work/out" >/dev/null || fail "diff compares an instant's or an interval's key"
expect_status 3 "$bin/kvshadowtop" diff "$rec" "$rec" --fail-on 'purge.stalls>+5%'
grep -q 'purge.stalls' "$work/out" "$work/err" || fail "a --fail-on on a null purge.stalls does not say which"
works_where "estimate (auto): purge" "vmalloc:free_vmap_area_noflush and purge_vmap_area_lazy through tracefs: the lazy backlog, exact"
echo "PASS"
