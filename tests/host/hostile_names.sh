#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Process names a hostile local user chooses (issue 12, defects #1 #2), at
# the level of the real binaries: processes whose comm holds terminal
# escape sequences or invalid UTF-8 make a known number of vmallocs
# (tests/host/vmalloc_as) while kvshadowtop watches in estimate mode,
# --by process. The batch text must carry no control byte and show the
# escaped name, the JSON run must exit 0 with the \xNN names, and each
# process row must count exactly the populate calls its process made.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

helper=$top/build/tests/host/vmalloc_as
[ -x "$helper" ] || fail "$helper not built (make test-bins)"
need jq
estimate_ready

N=7
# An OSC that retitles the terminal, a BEL, a clear-screen; then invalid UTF-8.
comm_esc=$'\033]0;PWN\007\033[2J'
comm_utf=$'bad\xff\xfe'
want_esc='\x1b]0;PWN\x07\x1b[2J'
want_utf='bad\xff\xfe'

# watch OUT ARGS...: kvshadowtop ARGS in estimate mode by process while
# both hostile processes run, N maps each; sets esc_pid and utf_pid.
watch() {
	local out=$1 pid rc=0
	shift
	"$bin/kvshadowtop" --mode estimate --by process -r 100000 -d 0.5 -n 5 "$@" \
		>"$out" 2>"$work/err" </dev/null &
	pid=$!
	host_pids+=("$pid")
	started "$out" "$pid" || { cat "$work/err"; fail "kvshadowtop $* printed nothing"; }
	"$helper" "$comm_esc" "$N" &
	esc_pid=$!
	wait "$esc_pid" || fail "vmalloc_as (escapes) failed"
	"$helper" "$comm_utf" "$N" &
	utf_pid=$!
	wait "$utf_pid" || fail "vmalloc_as (invalid UTF-8) failed"
	wait_gone "$pid" 30000 || fail "kvshadowtop $* did not end after 5 intervals"
	wait "$pid" || rc=$?
	sed 's/^/  err: /' "$work/err"
	echo "kvshadowtop $* -> $rc"
	san_clean "$work/err"
	return "$rc"
}

echo "== #1: batch text"
watch "$work/text" -b || fail "kvshadowtop -b --by process: exit $?, want 0"
if printable "$work/text"; then
	ok "no control byte and valid UTF-8 in the batch text"
else
	fail "control bytes or invalid UTF-8 in the batch text: $(grep -a -m1 "PWN\|bad" "$work/text" | od -c | head -n 3)"
fi
# The last interval's rows: "PAGES CALLS +PAGES VM_P50 VM_P99 POP_P50 POP_P99 NAME[PID]".
for p in "${want_esc}[$esc_pid]" "${want_utf}[$utf_pid]"; do
	row=$(grep -F -- " $p" "$work/text" | P=" $p" awk 'substr($0, length($0) - length(ENVIRON["P"]) + 1) == ENVIRON["P"]' | tail -n 1)
	[ -n "$row" ] || fail "no row '$p' in the batch text: $(grep -a 'PWN\|bad' "$work/text" | tail -n 2 | cat -v)"
	echo "row: $row"
	pages=$(awk '{ print $1 }' <<<"$row")
	calls=$(awk '{ print $2 }' <<<"$row")
	[ "$calls" = "$N" ] || fail "'$p': $calls populate calls, want $N (one per map)"
	[ "$pages" -gt 0 ] || fail "'$p': no pages"
done
ok "both hostile processes show escaped, each with its $N populate calls"

echo "== #2: JSON"
watch "$work/json" --json || fail "kvshadowtop --json --by process: exit $?, want 0"
[ "$(wc -l <"$work/json")" = 5 ] || fail "want 5 JSON lines, got $(wc -l <"$work/json")"
jq -e . "$work/json" >/dev/null || fail "not JSON: $(head -c 300 "$work/json")"
printable "$work/json" || fail "control bytes or invalid UTF-8 in the JSON"
for p in "${want_esc}[$esc_pid]" "${want_utf}[$utf_pid]"; do
	got=$(tail -n 1 "$work/json" | jq -c --arg p "$p" '.top[] | select(.process == $p)')
	echo "top entry: $got"
	[ -n "$got" ] || fail "no process '$p' in the last JSON line: $(tail -n 1 "$work/json" | jq -c .top)"
	jq -e --argjson n "$N" '.populate_calls == $n and .pages_populated > 0' <<<"$got" >/dev/null ||
		fail "'$p': want $N populate calls and some pages: $got"
done
ok "--json exits 0 with the \\xNN names and $N populate calls each"

echo PASS
