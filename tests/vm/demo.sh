#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: the patched kernel boots with a mixed workload and kvshadowtop
# runs live, then ends by itself.
# - batch (stdout not a terminal): `make demo DEMO_SECONDS=10` streams
#   kvshadowtop's text, with shadow pages populated and the workload
#   module's functions among the callers, and exits 0 after about 10 s;
# - TUI (a terminal: tmux, 132x40): the TUI draws at the host terminal's
#   size, q ends the demo long before DEMO_SECONDS, status 0.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need tmux
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"

start=$SECONDS
make -s -C "$top" demo DEMO_SECONDS=10 </dev/null >"$work/batch" 2>"$work/batch.err"
rc=$?
took=$((SECONDS - start))
cat "$work/batch"
[ "$rc" = 0 ] || { cat "$work/batch.err"; fail "make demo (batch) exited $rc"; }
grep -q '^kvshadow demo on ' "$work/batch" || fail "no demo banner"
grep -q '^demo: kvshadowtop exited with status 0$' "$work/batch" || fail "kvshadowtop did not end with status 0"
frames=$(grep -c ' exact shadow_pages [0-9]' "$work/batch")
[ "$frames" -ge 3 ] || fail "only $frames kvshadowtop frames in batch mode"
grep -Eq 'pages_populated [1-9][0-9]*' "$work/batch" || fail "no shadow page populated during the demo"
grep -q 'kvshadow_wl_aligned' "$work/batch" || fail "the workload module's functions are not among the callers"
grep -q $'\e' "$work/batch" && fail "terminal control sequences in the batch output"
echo "batch demo: $frames frames, ended by itself in ${took}s (boot included)"

# The TUI in a terminal of known size; q ends it.
sock=kvshadow-demo-$$
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$work"' EXIT
# The pane's trailing sleep 600 keeps it open after the demo ends, for the
# screen checks below (the test kills the server on exit).
tm -f /dev/null new-session -d -s demo -x 132 -y 40 \
	"TERM=xterm-256color $(printf '%q' "$top/kernel/vm/run.sh") --demo 300; echo DEMO_EXIT=\$?; sleep 600" ||
	fail "tmux"
screen() { tm capture-pane -p -t demo 2>/dev/null; }
start=$SECONDS
until screen | grep -q 'TOP CALLERS'; do
	[ $((SECONDS - start)) -lt 180 ] || { screen; fail "the TUI did not show up within 180 s"; }
	sleep 1
done
# Until a frame has the header, drawn at the terminal's width (a frame or
# two after the table first shows).
until screen | grep -q '^kvshadowtop  exact' && [ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')" -gt 80 ]; do
	[ $((SECONDS - start)) -lt 240 ] || break
	sleep 0.5
done
screen >"$work/tui"
cat "$work/tui"
grep -q '^kvshadowtop  exact' "$work/tui" || fail "no kvshadowtop header line"
wide=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$work/tui")
[ "$wide" -gt 80 ] || fail "the widest line is $wide columns: the TUI did not get the 132-column size"
tm send-keys -t demo q
quit=$SECONDS
until screen | grep -q '^DEMO_EXIT='; do
	[ $((SECONDS - quit)) -lt 60 ] || { screen; fail "q did not end the demo within 60 s"; }
	sleep 1
done
screen | grep -q '^demo: kvshadowtop exited with status 0' || { screen; fail "kvshadowtop did not exit 0 on q"; }
screen | grep -q '^DEMO_EXIT=0$' || { screen; fail "the demo did not exit 0"; }
screen | grep -q 'terminal 132x40 xterm-256color$' || { screen; fail "the guest's terminal is not 132x40 xterm-256color"; }
echo "TUI demo: ${wide} columns wide, q ended it $((SECONDS - quit))s later (of 300)"
echo PASS
