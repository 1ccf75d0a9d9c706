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

tui_cleanup() {
	tmux_ kill-server 2>/dev/null
	rm -rf "$tui_tmp"
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
		echo "EXIT=$?" >"$dir/exit"
		stty -g >"$dir/stty.after"
	EOF
	chmod +x "$tui_dir/run"
	tmux_ kill-session -t tui 2>/dev/null
	# remain-on-exit: the pane stays to be read after the program left.
	tmux_ -f /dev/null new-session -d -s tui -x "$w" -y "$h" \
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

# The program left with status 0 and gave the terminal back as it found it.
expect_restored() {
	local what=$1 want=${2:-0}
	if ! wait_exit "$TUI_WAIT"; then
		fail "$what: still running after ${TUI_WAIT}s"
		show
		return
	fi
	if ! grep -qx "EXIT=$want" "$tui_dir/exit"; then
		fail "$what: $(cat "$tui_dir/exit"), want EXIT=$want"
		show
		return
	fi
	if ! cmp -s "$tui_dir/stty.before" "$tui_dir/stty.after"; then
		fail "$what: terminal modes not restored ($(cat "$tui_dir/stty.before") -> $(cat "$tui_dir/stty.after"))"
		return
	fi
	# Leaving the alternate screen brings back the (empty) screen from before.
	if screen | grep -qE 'PAGES|kvshadowtop '; then
		fail "$what: the TUI is still on the screen after exit"
		show
		return
	fi
	pass "$what: EXIT=$want, tty modes and screen restored"
}

# SGR colour parameters (30-37, 40-47, 90-97, 100-107, 38;…, 48;…), not 39/49 (default).
has_colour() {
	screen -e | grep -qE $'\e\\[([0-9]*;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]*)*m'
}

# A header row and at least one data row of the table.
TABLE='PAGES +CALLS +\+PAGES +(CALLER|PROCESS)'

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
	for k in q h '\?' s '<' '>' c p d; do
		screen | grep -qE "^  ([^ ]+ )*$k( |$)" || fail "$name: help does not list key $k"
	done
	pass "$name: help lists q h ? s < > c p d"
	keys x
	expect_gone "$name: any key leaves help" 'help: keys'
	expect "$name: table back after help" "$TABLE"

	keys c
	expect "$name: c shows processes" 'PAGES +CALLS +\+PAGES +PROCESS'
	keys c
	expect "$name: c again shows callers" 'PAGES +CALLS +\+PAGES +CALLER'

	keys s
	expect "$name: s sorts by calls" 'sorted by populate calls'
	keys '>'
	expect "$name: > sorts by the next column" 'sorted by pages populated in the last interval'
	keys '<' '<'
	expect "$name: < < back to pages" 'sorted by pages populated( \(|$)'

	keys p
	expect "$name: p pauses" 'PAUSED'
	a=$(screen)
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
	sleep 1
	if exited; then fail "$name: died at 20x5"; show; return; fi
	expect "$name: draws at 20x5" '^kvshadowtop'
	tmux_ resize-window -t tui -x 1 -y 1
	sleep 1
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
