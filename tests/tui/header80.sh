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
#   - against readings of the test's own: VmallocUsed and the overhead
#     ratio against /proc/meminfo sampled around the interval, the kernel
#     against uname -r, the uptime against the log's own timestamps;
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

# The truth of VmallocUsed: /proc/meminfo, read by the shell itself every
# ~20 ms, with the wall-clock time of each reading ("unix_s kB").
(
	while :; do
		while read -r k v _; do
			if [ "$k" = VmallocUsed: ]; then
				echo "$EPOCHREALTIME $v"
				break
			fi
		done </proc/meminfo
		sleep 0.02
	done >"$truth"
) &
sampler=$!

echo "== 80x24: every header number of one interval"
tui_start 80 24 "$top" -d 1 --mode estimate --log "$log" || { fail "tmux did not start"; exit 1; }
wait_lines 4 || { fail "fewer than 4 intervals logged"; show; exit 1; }
attempt=0
while :; do
	attempt=$((attempt + 1))
	freeze || exit 1
	screen_text=$(screen)
	logical_screen=$(logical <<<"$screen_text")
	j=$(sed -n "${frozen}p" "$log")
	jq -e 'has("shadow_pages")' >/dev/null <<<"$j" || { fail "log line $frozen is not an interval: $j"; exit 1; }
	shown=0

	check_screen ESTIMATE 1

	# VmallocUsed against /proc/meminfo: the tool reads it just after ts
	# (pipeline/sources/collect.c: the BPF maps first); the samples from
	# 0.25 s before to 0.5 s after bracket that read on a loaded 2-core
	# host (sampler period ~20 ms plus its fork). VmallocUsed can leave and
	# come back between two samples when something vmallocs and frees in
	# under 20 ms: then the window shows activity (its samples differ) and
	# another interval is tried; in a quiet window the values must agree.
	ts=$(q .ts)
	ratio=$(q .overhead_ratio)
	used_kb=$(( $(q .vmalloc_used_bytes) / 1024 ))
	read -r n lo hi <<<"$(awk -v t="$ts" '$1 >= t - 0.25 && $1 <= t + 0.5 {
		n++; if (n == 1 || $2 < lo) lo = $2; if (n == 1 || $2 > hi) hi = $2 }
		END { print n + 0, lo + 0, hi + 0 }' "$truth")"
	truth_ok=0
	if [ "$n" -lt 2 ]; then
		fail "meminfo: $n samples around ts $ts: the sampler did not run"
	elif [ "$used_kb" -ge "$lo" ] && [ "$used_kb" -le "$hi" ]; then
		pass "VmallocUsed $used_kb kB within /proc/meminfo's $lo..$hi kB ($n samples around the interval)"
		truth_ok=1
		# The ratio on screen against shadow_bytes over that truth (3 decimals: +-0.0005).
		sb=$(q .shadow_bytes)
		if awk -v r="$(fmt %.3f "$ratio")" -v s="$sb" -v lo="$lo" -v hi="$hi" \
			'BEGIN { exit !(r >= s / (hi * 1024) - 0.0005 && r <= s / (lo * 1024) + 0.0005) }'; then
			pass "overhead $(fmt %.3f "$ratio") = shadow_bytes / /proc/meminfo's VmallocUsed"
		else
			fail "overhead $(fmt %.3f "$ratio") is not $sb / ${lo}..${hi} KiB"
		fi
	elif [ "$lo" = "$hi" ]; then
		fail "VmallocUsed $used_kb kB, /proc/meminfo said $lo kB all around the interval ($n samples)"
	else
		echo "note: VmallocUsed $used_kb kB outside $lo..$hi kB in a busy window (attempt $attempt)"
	fi
	[ "$shown" = 1 ] && show
	[ "$truth_ok" = 1 ] && break
	if [ "$attempt" -ge 3 ]; then
		fail "VmallocUsed outside /proc/meminfo's readings in 3 intervals"
		break
	fi
	keys p
	wait_gone PAUSED
	wait_lines $((frozen + 2)) || { fail "the log stopped"; break; }
done
keys q
expect_restored "80x24: q"
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
expect "250x50: the latency line" '^latency   p50/p99   populate n/a   release n/a   vmalloc n/a *$'
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
