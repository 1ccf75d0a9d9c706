#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 20 item 2: at 80x24, the default terminal, every number of the
# header is on screen, and each is the number of the same interval:
#
#   - the same interval: the TUI runs with --log FILE (the --json lines of
#     the intervals it shows, written by the same process before it draws);
#     'p' freezes the screen on the model of the last line logged;
#   - the screen against that line: shadow now/peak, VmallocUsed, both
#     overhead ratios, the approximate bound, rates, latencies, the
#     history's range (lowest..highest of every line logged so far);
#   - against readings of the test's own: VmallocUsed (to the kB) and the
#     overhead ratio against /proc/meminfo sampled around the interval
#     (an interval whose window was quiet: see quiet_window), the kernel
#     against uname -r, the uptime against the log's own timestamps;
#   - the Prometheus file the same process wrote for that interval, and
#     the batch text of that interval (the run is a record; report -b
#     replays it): the same numbers;
#   - reasons whole: a reason wrapped at 80 columns, its lines joined,
#     is the reason of the JSON (latencies) or of a 250-column screen
#     (debugfs), so no reason is cut, mid-word or at all;
#   - wide terminals as they were: at 250 columns the shadow line and the
#     title are one line each, in their full form.
#
# Estimate mode (any kernel, root and BPF). kernel.kptr_restrict is left
# as it is: both seeds (exact, approximate) are checked as they come.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/tui/lib.sh
. tests/tui/lib.sh
# shellcheck source=tests/tui/header.sh
. tests/tui/header.sh

top=${KVSHADOWTOP:-build/bin/kvshadowtop}
command -v tmux >/dev/null || skip "tmux is not installed (apt-get install tmux)"
# jq reads the log: without it the comparison cannot run, which is a failure.
command -v jq >/dev/null || { echo "FAIL: jq is not installed (apt-get install jq)"; exit 1; }
[ -x "$top" ] || skip "$top is not built"
[ "$(id -u)" = 0 ] || skip "estimate mode needs root for BPF"
if ! out=$(timeout 30 "$top" -b -n 1 -d 0.2 --mode estimate 2>&1 </dev/null); then
	skip "kvshadowtop --mode estimate cannot run here: $(echo "$out" | tail -n 1)"
fi

log=$tui_tmp/log.json
truth=$tui_tmp/meminfo
sampler=

cleanup() {
	[ -n "$sampler" ] && kill "$sampler" 2>/dev/null
	tui_cleanup
}
trap cleanup EXIT

# nap SECONDS: a wait that starts no process. Every fork allocates a
# vmalloc'd stack, so the test's own sleeps would move VmallocUsed.
mkfifo "$tui_tmp/nap" || { echo "FAIL: mkfifo"; exit 1; }
exec {nap_fd}<>"$tui_tmp/nap"
nap() { read -r -t "$1" -u "$nap_fd"; }

# The truth of VmallocUsed: /proc/meminfo, read by the shell itself every
# ~20 ms without a fork, with the wall-clock time of each reading
# ("unix_s kB").
(
	while :; do
		while read -r k v _; do
			if [ "$k" = VmallocUsed: ]; then
				echo "$EPOCHREALTIME $v"
				break
			fi
		done </proc/meminfo
		nap 0.02
	done >"$truth"
) &
sampler=$!

# quiet_window TS: "lo hi" of VmallocUsed (kB) in the test's samples from
# the last one at or before TS to the first one after TS + 0.03 s, or
# nothing when the sampler has not covered both sides (within 2 s).
#
# Why this window: the tool reads /proc/meminfo once per interval, right
# after ts (pipeline/sources/collect.c: the BPF maps, debugfs and the
# nodes first; strace here: 0.3-0.6 ms from poll's return to the open), so
# the value it read is one VmallocUsed took inside the window (30 ms:
# room for a preempted read on a loaded host). Where the window is quiet
# (every sample the same) that value is known to the kB; where it is busy
# it is not, and another interval is tried: every fork on the host
# allocates a vmalloc'd stack (a kernel build next door moved VmallocUsed
# between ~3 in 10 pairs of samples 20 ms apart).
quiet_window() {
	local end=$((SECONDS + 2)) w
	while [ $SECONDS -le $end ]; do
		w=$(awk -v t="$1" '
			function add(v) { if (!n++ || v < lo) lo = v; if (n == 1 || v > hi) hi = v }
			$1 <= t { before = $2; have = 1; next }
			!have { next }
			!started { started = 1; add(before) }
			$1 <= t + 0.03 { add($2); next }
			{ add($2); print lo, hi; exit }' "$truth")
		[ -n "$w" ] && { echo "$w"; return; }
		nap 0.1
	done
}

echo "== 80x24: every header number of one interval"
prom=$tui_tmp/kvshadow.prom
rec=$tui_tmp/run.rec
# record: the same live run, which also keeps every interval for report -b.
tui_start 80 24 "$top" record -o "$rec" -d 0.5 --mode estimate --log "$log" --prom-file "$prom" ||
	{ fail "tmux did not start"; exit 1; }
wait_lines 4 || { fail "fewer than 4 intervals logged"; show; exit 1; }
# The screen and the truth of the same interval: freeze intervals until
# one falls in a quiet window, 40 at most; between two, the test keeps
# still (nap) for two intervals so that its own forks stay out of them.
attempt=0
busy=
while :; do
	attempt=$((attempt + 1))
	freeze || exit 1
	j=$(sed -n "${frozen}p" "$log")
	jq -e 'has("shadow_pages")' >/dev/null <<<"$j" || { fail "log line $frozen is not an interval: $j"; exit 1; }
	window=$(quiet_window "$(q .ts)")
	read -r lo hi <<<"$window"
	if [ -n "$window" ] && [ "$lo" = "$hi" ]; then
		break
	fi
	busy="$busy ${lo:-?}..${hi:-?}"
	if [ "$attempt" -ge 40 ]; then
		fail "VmallocUsed: no quiet window in 40 intervals (kB:$busy): the host is too busy to check it to the kB"
		break
	fi
	keys p
	nap 1.2
done
[ -n "$busy" ] && echo "note: busy windows before (kB):$busy"

screen_text=$(screen)
logical_screen=$(logical <<<"$screen_text")
shown=0
check_screen ESTIMATE 0.5
[ "$shown" = 1 ] && show
check_prom "$prom.frozen"

used_kb=$(( $(q .vmalloc_used_bytes) / 1024 ))
if [ "$lo" = "$hi" ]; then
	if [ "$used_kb" = "$lo" ]; then
		pass "VmallocUsed $used_kb kB = /proc/meminfo's, read by the test around the interval"
	else
		fail "VmallocUsed $used_kb kB, /proc/meminfo said $lo kB all around the interval"
	fi
	# The ratio on screen against shadow_bytes over that truth (3 decimals shown).
	ratio=$(fmt %.3f "$(q .overhead_ratio)")
	want=$(fmt %.3f "$(awk -v s="$(q .shadow_bytes)" -v u="$lo" 'BEGIN { printf "%.17g", s / (u * 1024) }')")
	if [ "$ratio" = "$want" ]; then
		pass "overhead $ratio = shadow_bytes / /proc/meminfo's VmallocUsed"
	else
		fail "overhead $ratio, shadow_bytes / /proc/meminfo's VmallocUsed is $want"
	fi
fi
keys q
expect_restored "80x24: q"

# The batch text of the same interval: the recording of that run replayed.
# Its intervals are the log's (report --json prints them again, byte for
# byte), and report -b's block number $frozen has the line's numbers.
n=$(wc -l <"$log")
if cmp -s <("$top" report "$rec" --json 2>/dev/null | head -n "$n") "$log"; then
	pass "report --json of the recording: the $n logged lines, byte for byte"
else
	fail "report --json of the recording differs from the --log lines"
fi
block=$("$top" report "$rec" -b 2>/dev/null | awk -v k="$frozen" '/^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] / { i++ } i == k')
text_has() {
	if grep -qF -- "$2" <<<"$block"; then
		pass "batch text: $1: '$2'"
	else
		fail "batch text: $1: '$2' not in interval $frozen's text"
		printf '%s\n' "$block" | head -n 4
	fi
}
text_has "shadow" "shadow_pages $(q .shadow_pages) ($(q '.delta.shadow_pages | if . >= 0 then "+\(.)" else "\(.)" end')) peak $(q .shadow_pages_peak)  ($(fmt %.1f "$(awk -v b="$(q .shadow_bytes)" 'BEGIN { printf "%.17g", b / 1048576 }')") MiB,"
text_has "overhead" "overhead $(fmt %.1f "$(awk -v r="$(q .overhead_ratio)" 'BEGIN { printf "%.17g", r * 100 }')")% of VmallocUsed, $(fmt %.1f "$(awk -v r="$(q .overhead_ratio_vmap)" 'BEGIN { printf "%.17g", r * 100 }')")% of vmap areas)"
text_has "populate" "populate_calls $(q .populate_calls) pages_populated $(q .pages_populated) ("
text_has "release" "release_calls $(q .release_calls) pages_released $(q .pages_released) ("
text_has "vmap areas" "vmap_area_allocs $(q .vmap_area_allocs) ($(q .vmap_area_alloc_bytes) bytes) vmap_area_frees $(q .vmap_area_frees) vmap_purges $(q .vmap_purges)"
if [ -n "$(tail -c 1 "$log")" ] || ! jq -e . "$log" >/dev/null; then
	fail "--log: not whole JSON lines"
else
	pass "--log: $(wc -l <"$log") whole JSON lines"
fi

echo "== --log next to --json: the same lines; a path it cannot write"
if timeout 30 "$top" -b --json -n 3 -d 0.3 --mode estimate --log "$tui_tmp/log2.json" \
	>"$tui_tmp/stdout.json" 2>"$tui_tmp/stderr" &&
	[ "$(wc -l <"$tui_tmp/stdout.json")" = 3 ] && cmp -s "$tui_tmp/stdout.json" "$tui_tmp/log2.json"; then
	pass "--log with --json: the 3 lines printed, byte for byte"
else
	fail "--log with --json: $(wc -l <"$tui_tmp/log2.json" 2>&1) logged, $(wc -l <"$tui_tmp/stdout.json") printed: $(cat "$tui_tmp/stderr")"
fi
timeout 30 "$top" -b -n 1 --mode estimate --log "$tui_tmp/no/such/dir/log" >/dev/null 2>"$tui_tmp/stderr"
rc=$?
if [ "$rc" = 1 ] && grep -qF -- "--log: $tui_tmp/no/such/dir/log: cannot write it: No such file or directory" "$tui_tmp/stderr"; then
	pass "--log to a missing directory: status 1, $(cat "$tui_tmp/stderr")"
else
	fail "--log to a missing directory: status $rc, $(cat "$tui_tmp/stderr")"
fi

echo "== 250x50: wide terminals keep their one-line meters"
tui_start 250 50 "$top" -d 0.5 --mode estimate || { fail "tmux did not start"; exit 1; }
expect "250x50: the title in full" '^kvshadowtop  ESTIMATE \(modelled, not measured\)   every 0\.5s  up [0-9]+m[0-9]+s  kernel [^ ]+  h: help'
expect "250x50: the shadow line on one line" \
	'^shadow    [0-9.]+ [KMGT]?i?B now \([0-9]+ pages\), peak [0-9.]+ [KMGT]?i?B since start   VmallocUsed [0-9.]+ [KMGT]?i?B   overhead [0-9.]+ \([0-9.]+x of 1/8\), [0-9.]+ of vmap areas *$'
expect "250x50: the latency line" '^latency   p50/p99   populate n/a   release n/a   vmalloc n/a   purge n/a *$'
debugfs250=$(screen | grep '^debugfs   n/a: ' | sed 's/ *$//')
if [ -n "$debugfs250" ] && [ "$debugfs80" = "$debugfs250" ]; then
	pass "the debugfs reason wrapped at 80 columns is the one line at 250: $debugfs250"
else
	fail "the debugfs reason at 80 columns, joined: '$debugfs80'; at 250: '$debugfs250'"
fi
keys q
expect_restored "250x50: q"

[ "$tui_failed" -eq 0 ] || { echo "$tui_failed checks failed"; exit 1; }
echo "all checks passed"
