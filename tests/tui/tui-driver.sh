#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The TUI alone, fed a synthetic model by tests/tui/tuidriver (sanitized
# build): the same checks as tui.sh without root or BPF, in all three
# modes, plus what only made-up data can show (raw bytes in names).
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/tui/lib.sh
. tests/tui/lib.sh

drv=build/tests/tui/tuidriver
command -v tmux >/dev/null || skip "tmux is not installed (apt-get install tmux)"
if [ ! -x "$drv" ]; then
	# Until the top Makefile includes tests/tui/build.mk, build it by hand.
	make -s "$drv" 2>/dev/null || make -s -f Makefile -f tests/tui/build.mk "$drv" ||
		{ echo "FAIL: cannot build $drv"; exit 1; }
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0}

tui_suite "tuidriver estimate" ESTIMATE "$drv" -d 0.5 --mode estimate

echo "== tuidriver: exact mode, all rows"
tui_start 120 50 "$drv" -d 0.5 --mode exact -r 40 --log "$tui_tmp/log" || fail "tmux did not start"
expect "exact mode header" '^kvshadowtop +exact'
expect "exact: drift line" '^debugfs +drift 0 pages'
expect "exact: all latencies" 'release [0-9.]+ [nmu]?s / '
# The driver's caller "weird\x01\x1b[31mname\xff" must reach the screen defanged.
expect "raw bytes in names become ?" 'weird\?\?\[31mname\?'
keys d 2 Enter
expect "d 2" 'every 2s'
if grep -qx 'interval 2' "$tui_tmp/log" 2>/dev/null; then
	pass "the loop got the new interval"
else
	fail "the loop did not get interval 2 (log: $(cat "$tui_tmp/log" 2>/dev/null))"
fi
keys q
expect_restored "exact q"

echo "== tuidriver: debugfs mode"
tui_start 120 40 "$drv" -d 0.5 --mode debugfs || fail "tmux did not start"
expect "debugfs mode header" '^kvshadowtop +debugfs'
expect "no attribution, with the reason" 'no attribution to callers: debugfs mode'
keys q
expect_restored "debugfs q"

[ "$tui_failed" -eq 0 ] || { echo "$tui_failed checks failed"; exit 1; }
echo "all checks passed"
