# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests/tui/*.sh: drive an interactive program in a private tmux
# server and check what the terminal shows. Every wait is bounded.
#
#   tui_suite NAME MODE_WORD CMD...   the whole set of checks on one program
#
# Not executable on purpose: tests/run.sh runs only the executable scripts.

TUI_WAIT=${TUI_WAIT:-10}	# seconds any one thing may take to appear
tui_tmp=$(mktemp -d /tmp/kvshadow-tui.XXXXXX)
tui_sock=kvshadow-tui-$$
tui_failed=0
tui_run=0

tmux_() { tmux -L "$tui_sock" "$@"; }

# shellcheck source=tests/sysctl.sh
. tests/sysctl.sh
# shellcheck source=tests/common.sh
. tests/common.sh

tui_cleanup() {
	tmux_ kill-server 2>/dev/null
	rm -rf "$tui_tmp"
	kptr_restrict_restore
}
trap tui_cleanup EXIT
# Not the user's tmux: a private server, whatever TMUX says.
unset TMUX

fail() {
	printf 'FAIL: %s\n' "$*"
	tui_failed=$((tui_failed + 1))
}

pass() { printf 'ok: %s\n' "$*"; }

skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# tui_start W H CMD...: run CMD in a new session; remembers the pane's tty
# modes before and after, the exit status and CMD's pid.
tui_start() {
	local w=$1 h=$2
	shift 2
	tui_run=$((tui_run + 1))
	tui_dir=$tui_tmp/run$tui_run
	mkdir -p "$tui_dir"
	cat >"$tui_dir/run" <<-'EOF'
		#!/bin/sh
		dir=$1
		shift
		stty -g >"$dir/stty.before"
		sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$dir/pid" "$@" 2>"$dir/stderr"
		rc=$?
		# exit last: its presence says everything else is written.
		stty -g >"$dir/stty.after"
		echo "EXIT=$rc" >"$dir/exit.tmp" && mv "$dir/exit.tmp" "$dir/exit"
	EOF
	chmod +x "$tui_dir/run"
	# Killing the last session ends the server, and a client that comes
	# right after can find it gone ("tmux did not start"): a session that
	# only keeps the server up.
	tmux_ has-session -t keep 2>/dev/null ||
		tmux_ -f /dev/null new-session -d -s keep "sleep 100000" || return 1
	tmux_ kill-session -t tui 2>/dev/null
	# remain-on-exit: the pane stays to be read after the program left.
	tmux_ new-session -d -s tui -x "$w" -y "$h" \
		"$(printf '%q ' "$tui_dir/run" "$tui_dir" "$@")" || return 1
	tmux_ set-option -t tui remain-on-exit on >/dev/null
}

screen() { tmux_ capture-pane -p -t tui "$@" 2>/dev/null; }
keys() { tmux_ send-keys -t tui "$@"; }
exited() { [ -s "$tui_dir/exit" ]; }

show() {
	echo "---- screen ----"
	screen
	echo "---- stderr ----"
	cat "$tui_dir/stderr" 2>/dev/null
	echo "----"
}

# wait_for ERE [SECONDS]: until the screen matches (exit status 1 on timeout);
# wait_gone: until it no longer does.
wait_screen() {
	local want=$1 ere=$2 end=$((SECONDS + ${3:-$TUI_WAIT})) got
	while [ $SECONDS -lt $end ]; do
		screen | grep -qE -- "$ere" && got=1 || got=0
		[ "$got" = "$want" ] && return 0
		sleep 0.2
	done
	return 1
}
wait_for() { wait_screen 1 "$@"; }
wait_gone() { wait_screen 0 "$@"; }

wait_exit() {
	local end=$((SECONDS + ${1:-$TUI_WAIT}))
	while [ $SECONDS -lt $end ]; do
		exited && return 0
		sleep 0.2
	done
	return 1
}

# expect WHAT ERE: the screen shows ERE within TUI_WAIT seconds.
expect() {
	if wait_for "$2"; then
		pass "$1"
	else
		fail "$1: no /$2/ on screen"
		show
	fi
}

expect_gone() {
	if wait_gone "$2"; then
		pass "$1"
	else
		fail "$1: /$2/ still on screen"
		show
	fi
}

# The program left with status 0 (or WANT; '!0': any failure) and gave the
# terminal back as it found it; batch (third argument): it printed text
# that stays, so only the tty modes are checked, not the screen.
expect_restored() {
	local what=$1 want=${2:-0} batch=${3:-}
	if ! wait_exit "$TUI_WAIT"; then
		fail "$what: still running after ${TUI_WAIT}s"
		show
		return
	fi
	if [ "$want" = '!0' ]; then
		if grep -qx "EXIT=0" "$tui_dir/exit"; then
			fail "$what: EXIT=0, want a failure"
			show
			return
		fi
	elif ! grep -qx "EXIT=$want" "$tui_dir/exit"; then
		fail "$what: $(cat "$tui_dir/exit"), want EXIT=$want"
		show
		return
	fi
	if ! cmp -s "$tui_dir/stty.before" "$tui_dir/stty.after"; then
		fail "$what: terminal modes not restored ($(cat "$tui_dir/stty.before") -> $(cat "$tui_dir/stty.after"))"
		return
	fi
	if [ -n "$batch" ]; then
		pass "$what: $(cat "$tui_dir/exit"), tty modes as before"
		return
	fi
	# Leaving the alternate screen brings back the (empty) screen from before.
	if screen | grep -qE 'PAGES|kvshadowtop '; then
		fail "$what: the TUI is still on the screen after exit"
		show
		return
	fi
	pass "$what: $(cat "$tui_dir/exit"), tty modes and screen restored"
}

# SGR colour parameters (30-37, 40-47, 90-97, 100-107, 38;…, 48;…), not 39/49 (default).
has_colour() {
	screen -e | grep -qE $'\e\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m'
}

# A header row and at least one data row of the table.
TABLE='PAGES +CALLS +\+PAGES +VM_P50 +VM_P99 +POP_P50 +POP_P99 +(CALLER|PROCESS)'
# In a narrow window the latency columns go first: the head of what is left.
TABLE_NARROW='PAGES +CALLS +.*(CALLER|PROCESS)'

# tui_suite NAME MODE_WORD CMD...: every check on CMD (which takes -d 0.5 already).
tui_suite() {
	local name=$1 mode=$2 a b
	shift 2

	echo "== $name: 120x40, colour"
	tui_start 120 40 env -u NO_COLOR "$@" || { fail "$name: tmux did not start"; return; }
	expect "$name: header with the mode" "^kvshadowtop +.*$mode"
	expect "$name: meters" '^shadow +[0-9.]+ [KMGT]?i?B now'
	expect "$name: table" "$TABLE"
	if has_colour; then pass "$name: colour used"; else fail "$name: no colour without NO_COLOR"; fi

	keys '?'
	expect "$name: ? opens help" 'help: keys'
	for k in q h '\?' s '<' '>' c l o p d; do
		screen | grep -qE "^  ([^ ]+ )*$k( |$)" || fail "$name: help does not list key $k"
	done
	pass "$name: help lists q h ? s < > c l o p d"
	keys x
	expect_gone "$name: any key leaves help" 'help: keys'
	expect "$name: table back after help" "$TABLE"

	keys c
	expect "$name: c shows processes" "${TABLE%(*}PROCESS"
	keys c
	expect "$name: c again shows callers" "${TABLE%(*}CALLER"

	keys s
	expect "$name: s sorts by calls" 'sorted by populate calls'
	keys '>'
	expect "$name: > sorts by the next column" 'sorted by pages populated in the last interval'
	keys '<' '<'
	expect "$name: < < back to pages" 'sorted by pages populated( \(|$)'

	keys p
	expect "$name: p pauses" 'PAUSED'
	a=$(screen)
	# A window, not a wait: three intervals of -d 0.5, each of which would
	# redraw a running screen.
	sleep 1.6
	b=$(screen)
	if [ "$a" = "$b" ]; then pass "$name: paused screen stays"; else fail "$name: paused screen changed"; diff <(echo "$a") <(echo "$b") | head; fi
	keys p
	expect_gone "$name: p resumes" 'PAUSED'

	keys d
	expect "$name: d prompts" 'Delay in seconds'
	keys a b c Enter
	expect "$name: bad delay refused" "'abc' is not a delay"
	expect "$name: delay unchanged" 'every 0\.5s'
	keys d 0 . 2 5 Enter
	expect "$name: d 0.25 sets the delay" 'every 0\.25s'

	tmux_ resize-window -t tui -x 20 -y 5
	# A window, not a wait: four intervals of the -d 0.25 set above, in
	# which a tool that cannot lay out 20x5 would have died.
	sleep 1
	if exited; then fail "$name: died at 20x5"; show; return; fi
	expect "$name: draws at 20x5" '^kvshadowtop'
	tmux_ resize-window -t tui -x 1 -y 1
	sleep 1	# the same window at 1x1
	if exited; then fail "$name: died at 1x1"; show; return; fi
	pass "$name: survives 1x1"
	tmux_ resize-window -t tui -x 100 -y 30
	expect "$name: relayout at 100x30" "$TABLE"

	keys q
	expect_restored "$name: q"

	echo "== $name: NO_COLOR"
	tui_start 100 30 env NO_COLOR=1 "$@" || { fail "$name: tmux did not start"; return; }
	expect "$name: NO_COLOR table" "$TABLE"
	if has_colour; then fail "$name: colour despite NO_COLOR"; screen -e | head -3 | cat -v; else pass "$name: no colour with NO_COLOR"; fi
	keys q
	expect_restored "$name: NO_COLOR q"

	echo "== $name: C locale"
	tui_start 100 30 env LC_ALL=C "$@" || { fail "$name: tmux did not start"; return; }
	expect "$name: ASCII history" '^history +[_.:=+*#-]+ +[0-9]+\.\.[0-9]+ pages'
	keys q
	expect_restored "$name: C locale q"

	echo "== $name: starts in a 20x5 window"
	tui_start 20 5 "$@" || { fail "$name: tmux did not start"; return; }
	expect "$name: draws in 20x5" '^kvshadowtop'
	keys q
	expect_restored "$name: 20x5 q"

	echo "== $name: SIGTERM"
	tui_start 100 30 "$@" || { fail "$name: tmux did not start"; return; }
	expect "$name: running" "$TABLE"
	kill -TERM "$(cat "$tui_dir/pid")"
	expect_restored "$name: SIGTERM"
}

# tui_batch_fallback NAME CMD...: a terminal the interactive view cannot
# use (TERM dumb, unknown, unset) gets the batch text instead, a note on
# stderr that points to -b, and the run ends by itself with status 0 (CMD
# takes -n already). ERE: what the batch text must show.
tui_batch_fallback() {
	local name=$1 ere=$2 term
	shift 2
	for term in dumb no-such-terminal-kvshadow ''; do
		echo "== $name: TERM='$term'"
		if [ -n "$term" ]; then
			tui_start 100 30 env TERM="$term" "$@" || { fail "$name: tmux did not start"; return; }
		else
			tui_start 100 30 env -u TERM "$@" || { fail "$name: tmux did not start"; return; }
		fi
		expect "$name, TERM='$term': batch text" "$ere"
		expect_restored "$name, TERM='$term'" 0 batch
		if grep -q 'batch text' "$tui_dir/stderr" && grep -q -- '-b' "$tui_dir/stderr" &&
			[ "$(wc -l <"$tui_dir/stderr")" = 1 ]; then
			pass "$name, TERM='$term': one line on stderr: $(cat "$tui_dir/stderr")"
		else
			fail "$name, TERM='$term': want one line on stderr about batch text and -b, got: $(cat "$tui_dir/stderr")"
		fi
	done
}

# tui_signals NAME CMD...: SIGHUP ends the run with status 0 and gives the
# terminal back; crash signals (the program is killed by them) give the
# terminal back too. CMD must show the table.
tui_signals() {
	local name=$1 sig want
	shift
	for sig in HUP QUIT ABRT SEGV BUS FPE ILL; do
		case $sig in
		HUP) want=0 ;;
		*) want='!0' ;;
		esac
		echo "== $name: SIG$sig"
		tui_start 100 30 "$@" || { fail "$name: tmux did not start"; return; }
		if ! wait_for "$TABLE"; then
			fail "$name: no table before SIG$sig"
			show
			continue
		fi
		kill -s "$sig" "$(cat "$tui_dir/pid")"
		expect_restored "$name: SIG$sig" "$want"
	done
}

# tui_small NAME CMD...: at 30x8 the table keeps its name column; CMD's
# table must hold names of 6 or more characters.
tui_small() {
	local name=$1 rows
	shift
	echo "== $name: 30x8"
	tui_start 30 8 "$@" || { fail "$name: tmux did not start"; return; }
	expect "$name, 30x8: the table head names the name column" '(CALLER|PROCESS) *$'
	if wait_for '[0-9] +[A-Za-z_][A-Za-z0-9_/]{5}'; then
		rows=$(screen | grep -cE '[0-9] +[A-Za-z_][A-Za-z0-9_/]{5}')
		if [ "$rows" -ge 3 ]; then
			pass "$name, 30x8: $rows rows with names"
		else
			fail "$name, 30x8: only $rows rows with names"
			show
		fi
	else
		fail "$name, 30x8: numbers without names"
		show
	fi
	keys q
	expect_restored "$name: 30x8 q"
}

# tui_help_scroll NAME CMD...: at 60x15 the help does not fit: it says how
# to scroll, End shows its last line, Home its first, j/k and PgDn/PgUp
# move it, any other key leaves it. The help ends with the mode table's
# last row (debugfs: pipeline/modes.c).
tui_help_scroll() {
	local name=$1 last='counters only, no BPF' a b
	shift
	echo "== $name: help at 60x15"
	tui_start 60 15 "$@" || { fail "$name: tmux did not start"; return; }
	expect "$name: table" "$TABLE_NARROW"
	keys '?'
	expect "$name, 60x15: help" 'help: keys'
	expect "$name, 60x15: help says how to scroll" 'scroll'
	if screen | grep -q "$last"; then
		fail "$name, 60x15: the whole help fits: nothing to test"
		show
	fi
	a=$(screen)
	keys j
	if wait_gone 'help: keys'; then pass "$name: j scrolls down"; else fail "$name: j did not scroll"; show; fi
	keys k
	expect "$name: k scrolls back up" 'help: keys'
	keys NPage
	expect_gone "$name: PgDn scrolls a page" 'help: keys'
	keys PPage
	expect "$name: PgUp scrolls back" 'help: keys'
	keys End
	expect "$name: End shows the last line" "$last"
	expect_gone "$name: End: the top is gone" 'help: keys'
	keys Home
	expect "$name: Home shows the first line" 'help: keys'
	b=$(screen)
	if [ "$a" = "$b" ]; then pass "$name: back where it started"; else fail "$name: Home is not the start"; diff <(echo "$a") <(echo "$b") | head; fi
	keys G
	expect "$name: G shows the last line" "$last"
	keys x
	expect "$name: any other key leaves the help" "$TABLE_NARROW"
	keys q
	expect_restored "$name: help q"
}
