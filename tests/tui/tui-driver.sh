#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop's real loop and TUI, fed by a synthetic source in
# tests/tui/tuidriver (sanitized build): the same checks as tui.sh without
# root or BPF, in all three modes, plus what only made-up data can show
# (raw bytes in names).
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/tui/lib.sh
. tests/tui/lib.sh
# shellcheck source=tests/tui/header.sh
. tests/tui/header.sh

drv=build/tests/tui/tuidriver
need tmux
[ -x "$drv" ] || { echo "FAIL: $drv not built (make test-bins)"; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0}

tui_suite "tuidriver estimate" ESTIMATE "$drv" -d 0.5 --mode estimate

echo "== tuidriver: exact mode, all rows"
tui_start 120 50 env KVS_TUIDRIVER_LOG="$tui_tmp/log" "$drv" -d 0.5 --mode exact -r 40 ||
	fail "tmux did not start"
expect "exact mode header" '^kvshadowtop +exact'
expect "exact: drift line" '^debugfs +drift 0 pages'
expect "exact: all latencies" 'release [0-9.]+[nmu]?s / '
# The driver's caller "weird\x01\x1b[31mname\xff" must reach the screen defanged.
expect "raw bytes in names become ?" 'weird\?\?\[31mname\?'
keys d 2 Enter
expect "d 2" 'every 2s'
# The loop's next read comes at the new interval (up to 2 s away).
if wait_until "$TUI_WAIT" grep -qx 'interval 2' "$tui_tmp/log"; then
	pass "the loop got the new interval"
else
	fail "the loop did not get interval 2 (log: $(cat "$tui_tmp/log" 2>/dev/null))"
fi
keys q
expect_restored "exact q"

echo "== tuidriver: the slow-call panel (l)"
tui_start 140 40 "$drv" -d 0.5 --mode exact --slow 2ms || fail "tmux did not start"
expect "slow: table first" "$TABLE"
keys l
expect "l shows the slow-call log" 'SLOW VMALLOC CALLS over 2\.0ms, newest first \([0-9]+ since start'
expect "slow: column heads" 'TIME +PID +COMM +VMALLOC +POPULATE +SHARE +PAGES +RELEASE +SIZE +CALLER'
# The driver's records: 3.0ms with 1.5ms (50%) in populate, 64 pages, 262144 bytes.
expect "slow: a record with its share of populate" \
	'[0-9:.]+ +[0-9]+ +stress-ng-vm +3\.0ms +1\.5ms +50% +64 +0ns +262144 +module_alloc'
expect "slow: a hostile comm, escaped" '\\x1b\[2J'
# A purge by the drain work, 25 ms: its time under RELEASE, no size, no caller.
expect "slow: a purge" '[0-9:.]+ +77 +kworker/0:1 +purge +- +- +- +25\.0ms +- +\(drain work\)'
keys l
expect "l again: the table" "$TABLE"
keys q
expect_restored "slow q"

echo "== tuidriver: the purge line and its stall warning"
tui_start 140 40 "$drv" -d 0.5 --mode exact || fail "tmux did not start"
expect "purge: the backlog against its limit" \
	'^purge +lazy backlog 12\.0 MiB of 64\.0 MiB; stalls \(>= 1\.00s\) [0-9]+'
expect "purge: a stall this interval" 'STALL: 1 purge of 1\.00s or more'
keys q
expect_restored "purge q"

echo "== tuidriver: the own-cost line (o)"
tui_start 140 40 "$drv" -d 0.5 --mode exact || fail "tmux did not start"
expect "o: table first" "$TABLE"
screen | grep -q '^self ' && fail "o: own cost shown before it was asked for"
keys o
expect "o turns the own cost on" '^self +cpu [0-9.]+%  rss [0-9.]+ [KMG]iB +kvs_fake_prog 450ns x(19[0-9][0-9]|20[0-9][0-9])/s'
keys o
expect_gone "o again turns it off" '^self '
keys q
expect_restored "o q"

echo "== tuidriver: the slow-call panel without --slow"
tui_start 120 40 "$drv" -d 0.5 --mode exact || fail "tmux did not start"
keys l
expect "l without --slow says how" 'no slow-call log: start kvshadowtop with --slow DURATION'
keys q
expect_restored "no --slow q"

echo "== tuidriver: debugfs mode"
# The kernel's shadow per node, from a sysfs tree of the test's own.
mkdir -p "$tui_tmp/nodes/node0" "$tui_tmp/nodes/node1"
echo 'nr_kasan_vmalloc_shadow 40' >"$tui_tmp/nodes/node0/vmstat"
echo 'nr_kasan_vmalloc_shadow 23' >"$tui_tmp/nodes/node1/vmstat"
tui_start 120 40 env KVSHADOW_NODE_ROOT="$tui_tmp/nodes" "$drv" -d 0.5 --mode debugfs ||
	fail "tmux did not start"
expect "debugfs mode header" '^kvshadowtop +debugfs'
expect "no attribution, with the reason" 'no attribution to callers: debugfs mode'
expect "the nodes line" '^nodes +node0 160(\.0)? ?KiB \(40 pages\) +node1 92(\.0)? ?KiB \(23 pages\)'
keys q
expect_restored "debugfs q"

# Issue 20 #2: at 80x24 every number of the header, as the driver made it
# (through --log, the same interval): exact mode's latencies, drift,
# failures and nodes, which estimate mode on the host never shows.
echo "== tuidriver: exact mode at 80x24, every header number"
log=$tui_tmp/header.json
mkdir -p "$tui_tmp/nodes80/node0" "$tui_tmp/nodes80/node1"
echo 'nr_kasan_vmalloc_shadow 40' >"$tui_tmp/nodes80/node0/vmstat"
echo 'nr_kasan_vmalloc_shadow 23' >"$tui_tmp/nodes80/node1/vmstat"
tui_start 80 24 env KVSHADOW_NODE_ROOT="$tui_tmp/nodes80" "$drv" -d 0.5 --mode exact --log "$log" ||
	fail "tmux did not start"
if wait_lines 5 && freeze; then
	screen_text=$(screen)
	logical_screen=$(logical <<<"$screen_text")
	j=$(sed -n "${frozen}p" "$log")
	shown=0
	check_screen exact 0.5
	[ "$shown" = 1 ] && show
else
	fail "tuidriver 80x24: no interval to freeze"
	show
fi
keys q
expect_restored "tuidriver 80x24 q"

# Issue 20 #2: the table's numbers are the ones the driver made. The
# driver logs every reading's rows (cumulative); the table of the frozen
# interval (--log line N is reading N: the first is the baseline screen)
# shows each caller since the baseline (PAGES, CALLS) and since the
# reading before (+PAGES), and so does that interval's JSON line.
echo "== tuidriver: the table's numbers are the driver's"
log=$tui_tmp/table.json
truth=$tui_tmp/table.truth
tui_start 200 60 env KVS_TUIDRIVER_LOG="$truth" "$drv" -d 0.5 --mode exact -r 40 --log "$log" ||
	fail "tmux did not start"
if wait_lines 4 && freeze; then
	screen >"$tui_tmp/table.screen"
	awk -v k="$frozen" '$1 == "reading" { r = $3; next }
		$1 == "row" && $2 == "caller" { n = $0; sub(/^row caller [0-9]+ [0-9]+ /, "", n)
			if (r == 1) { bp[n] = $3; bc[n] = $4 }
			if (r == k - 1) pp[n] = $3
			if (r == k) { np[n] = $3; nc[n] = $4 } }
		END { for (n in np) print np[n] - bp[n], nc[n] - bc[n], np[n] - pp[n], n }' "$truth" >"$tui_tmp/table.want"
	# Each row on screen: PAGES CALLS +PAGES first, the name last.
	bad=$(awk 'FNR == NR { w[$0] = 1; n = $0; sub(/^[0-9]+ [0-9]+ [0-9]+ /, "", n); name[n] = $0; next }
		{ line = $0; sub(/ +$/, "", line)
		  for (n in name) if (substr(line, length(line) - length(n)) == " " n) {
			got = $1 " " $2 " " $3 " " n; seen[n] = 1
			if (got != name[n]) print "screen: " got ", the driver: " name[n] } }
		END { for (n in name) if (!seen[n]) print "not on screen: " n }' "$tui_tmp/table.want" "$tui_tmp/table.screen")
	rows=$(wc -l <"$tui_tmp/table.want")
	if [ -z "$bad" ] && [ "$rows" -ge 20 ]; then
		pass "table: $rows caller rows of interval $frozen, PAGES CALLS +PAGES as the driver made them"
	else
		fail "table: $rows rows; $bad"
		show
	fi
	bad=$(sed -n "${frozen}p" "$log" | jq -r '.top[] | "\(.pages_populated) \(.populate_calls) \(.caller)"' |
		awk 'FNR == NR { n = $0; sub(/^[0-9]+ [0-9]+ [0-9]+ /, "", n); w[n] = $1 " " $2; next }
			{ n = $0; sub(/^[0-9]+ [0-9]+ /, "", n); if ((n in w) && w[n] != $1 " " $2) print n ": JSON " $1 " " $2 ", the driver " w[n]; if (n in w) c++ }
			END { if (c < 10) print c + 0 " of the JSON rows are the driver'"'"'s" }' "$tui_tmp/table.want" -)
	if [ -z "$bad" ]; then
		pass "table: the --log line of that interval has the same rows"
	else
		fail "table: $bad"
	fi
else
	fail "tuidriver table: no interval to freeze"
	show
fi
keys q
expect_restored "tuidriver table q"

# Issue 12 #7-#9: terminals it cannot use, signals, a small window, a long help.
tui_batch_fallback tuidriver 'weird\\x01\\x1b\[31mname\\xff' "$drv" -d 0.3 -n 3 --mode exact -r 40
tui_signals tuidriver "$drv" -d 0.5 --mode exact
tui_small tuidriver "$drv" -d 0.5 --mode exact
tui_help_scroll tuidriver "$drv" -d 0.5 --mode exact

[ "$tui_failed" -eq 0 ] || { echo "$tui_failed checks failed"; exit 1; }
echo "all checks passed"
