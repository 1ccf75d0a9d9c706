#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop report FILE in a terminal (tmux): the recording in the TUI,
# played at its recorded interval, p to pause, Left/[ and Right/] to step
# through its intervals, q to leave with the terminal given back. The
# recording is a real one (debugfs mode on a file of counters: no BPF, no
# root) whose state lines are set to 1000, 2000, ... shadow pages, so each
# interval shows which it is. Without a terminal: the batch text. And
# record with the TUI on: a whole recording after q.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/tui/lib.sh
. tests/tui/lib.sh
top=${KVSHADOWTOP:-build/bin/kvshadowtop}
need tmux gzip
[ -x "$top" ] || { echo "FAIL: $top is not built (make)"; exit 1; }

printf '%s\n' "shadow_pages 63" "shadow_pages_peak 70" "pages_populated 140" 'pages_released 77' \
	'pages_allocated 148' 'populate_calls 37' 'populate_failures 0' 'release_calls 6' \
	>"$tui_tmp/counters"
"$top" record -o "$tui_tmp/base.rec" --mode debugfs --file "$tui_tmp/counters" -n 5 -d 0.4 \
	-b >/dev/null 2>"$tui_tmp/err" || { cat "$tui_tmp/err"; fail "record"; exit 1; }
# Interval n (of the state lines, the model's source) holds n*1000 shadow pages.
zcat "$tui_tmp/base.rec" | awk '/^\{"event":"state"/ { n++; sub(/"counters":\{"shadow_pages":[0-9]+/,
	"\"counters\":{\"shadow_pages\":" n * 1000) } { print }' | gzip >"$tui_tmp/steps.rec"

tui_start 110 30 "$top" report "$tui_tmp/steps.rec"
expect "plays from the first interval" 'interval 1 of 5'
expect "and shows its numbers" '\(1000 pages\)'
keys p
expect "p pauses" 'PAUSED'
# A window, not a wait: three recorded intervals (0.4 s each), in which a
# playing replay would have moved on.
sleep 1.2
if screen | grep -q '(1000 pages)'; then pass "paused: still the first interval"; else fail "paused, yet it moved on"; show; fi
expect "the title says which interval shows" 'REPLAY 1/5'
keys Right
expect "Right steps forward" 'interval 2 of 5'
expect "to its numbers" '\(2000 pages\)'
expect "and stays paused" 'PAUSED'
keys ']'
expect "] steps forward" 'interval 3 of 5'
keys '['
expect "[ steps back" 'interval 2 of 5'
keys Left
expect "Left steps back" 'interval 1 of 5'
expect "to the first interval's numbers, rebuilt" '\(1000 pages\)'
keys Left
expect "no step before the first" 'interval 1 of 5'
keys p
expect "p plays on to the last" 'interval 5 of 5 \(the last'
expect "its numbers" '\(5000 pages\)'
keys h
expect "the help lists the steps" 'step back an interval'
keys q
keys q
expect_restored "q"

# record with the interactive view: the recording is written under the TUI
# and ended cleanly by q.
tui_start 110 30 "$top" record -o "$tui_tmp/tui.rec" --mode debugfs --file "$tui_tmp/counters" -d 0.2
expect "record shows the TUI" 'debugfs \(counters only\)'
# Three intervals recorded (the file is flushed interval by interval).
state_lines() { [ "$(zcat "$tui_tmp/tui.rec" 2>/dev/null | grep -c '^{"event":"state"')" -ge "$1" ]; }
wait_until "$TUI_WAIT" state_lines 3 || fail "record under the TUI: no three intervals in ${TUI_WAIT} s"
keys q
expect_restored "record: q"
if "$top" report "$tui_tmp/tui.rec" --json >"$tui_tmp/tui.json" 2>"$tui_tmp/err" &&
	[ ! -s "$tui_tmp/err" ] && tail -n 1 "$tui_tmp/tui.json" | grep -q '"complete":true' &&
	[ "$(wc -l <"$tui_tmp/tui.json")" -ge 3 ]; then
	pass "a recording made under the TUI reads back whole ($(($(wc -l <"$tui_tmp/tui.json") - 1)) intervals)"
else
	fail "a recording made under the TUI: $(cat "$tui_tmp/err") $(tail -n 1 "$tui_tmp/tui.json" | head -c 200)"
fi

tui_batch_fallback_report() {
	TERM=dumb "$top" report "$tui_tmp/steps.rec" >"$tui_tmp/out" 2>"$tui_tmp/err" </dev/null
	local rc=$?
	if [ "$rc" = 0 ] && grep -q '^Summary of ' "$tui_tmp/out"; then
		pass "no terminal: the batch text and the summary, exit 0"
	else
		fail "no terminal: exit $rc, $(head -c 300 "$tui_tmp/out") $(cat "$tui_tmp/err")"
	fi
}
tui_batch_fallback_report
[ "$tui_failed" -eq 0 ] || { echo "$tui_failed checks failed"; exit 1; }
echo "all checks passed"
