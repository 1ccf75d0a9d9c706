#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The command line, output errors and signals of both tools, where neither
# root nor BPF is needed (issue 12, defects #3 #4 #5 #6 #10 #11 #13):
# numbers are parsed by one strict parser with one interval range, a closed
# pipe is a quiet end with status 0, a full disk is status 1 with the
# reason, long messages keep their reason, one exit-status rule, SIGINT
# ends a blocking read, an ignored SIGINT stays ignored, huge counters
# saturate. Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

top_=$bin/kvshadowtop
stat_=$bin/kvshadowstat
debugfs_file "$work/f"

echo "== #5 #10: one strict number parser, one interval range"
# kvshadowtop: usage errors come before anything is opened (no root needed).
for args in "-n  -5" "-n +5" "-n 5x" "-n 0x10" "-d 0x1" "-d 1e-25" "-d 0.0000001" \
	"-d 0.009" "-d inf" "-d nan" "-d  1" "-d .5." "-d 1,5" "-r  3" "--top -1"; do
	opt=${args%% *} val=${args#* }
	expect_status 2 "$top_" "$opt" "$val"
	err_has_f "kvshadowtop: $opt needs " "kvshadowtop $opt '$val'"
	err_has_f "'$val'" "kvshadowtop $opt '$val'"
	[ ! -s "$work/out" ] || fail "kvshadowtop $opt '$val': printed to stdout"
done
# The edges of the range are the same for both tools: 0.01 and 86400 are in.
for d in 0.01 86400 .5 2.; do
	expect_status 0 "$top_" -d "$d" -h
done
for args in "1e-25" "0.0000001" "0.009" "86400.5" "0x1" " 1" "inf" "1,5"; do
	expect_status 2 "$stat_" --file "$work/f" "$args"
	err_has_f "kvshadowstat: INTERVAL '$args' " "kvshadowstat INTERVAL '$args'"
done
expect_status 2 "$stat_" --file "$work/f" 1 " 5"
err_has_f "kvshadowstat: COUNT ' 5' " "kvshadowstat COUNT ' 5'"
expect_status 0 "$stat_" --file "$work/f" 0.01 2
[ "$(grep -c '^ *63 ' "$work/out")" = 2 ] || fail "kvshadowstat 0.01 2: want 2 rows"
ok "both tools refuse signs, blanks, hex, exponents, inf/nan and out-of-range intervals"

echo "== #13: one exit-status rule"
for tool in "$top_" "$stat_"; do
	name=$(basename "$tool")
	expect_status 2 "$tool" --prom-file ''
	err_has "^$name: --prom-file needs a path" "$name --prom-file ''"
	expect_status 2 "$tool" --no-such-option
	expect_status 0 "$tool" --help
	grep -q "^Usage: $name" "$work/out" || fail "$name --help: no usage on stdout"
	grep -q '^Exit status: 0 success' "$work/out" || fail "$name --help: no exit status rule"
	rc=0
	"$tool" --help >/dev/full 2>"$work/err" || rc=$?
	echo "$name --help >/dev/full -> $rc: $(cat "$work/err")"
	san_clean "$work/err"
	[ "$rc" = 1 ] || fail "$name --help >/dev/full: exit $rc, want 1"
	err_has "^$name: .*No space left on device" "$name --help >/dev/full"
done
ok "--prom-file '' is 2, --help to a full disk is 1 with the reason, in both tools"

echo "== #11: a long message keeps its reason"
long=$(printf 'a%.0s' $(seq 5000))
comp=$(printf 'b%.0s' $(seq 200))
mid=$(printf "$comp/%.0s" $(seq 15))
mid=${mid%/}
for tool in "$top_" "$stat_"; do
	name=$(basename "$tool")
	expect_status 1 "$tool" --prom-file "$work/$long"
	[ "$(wc -l <"$work/err")" = 1 ] || fail "$name: 5000-byte path: want one line of message"
	err_has "^$name: .*$work/aaaa.*File name too long$" "$name: 5000-byte path"
	# Below PATH_MAX (components below NAME_MAX) the reason is another, and must show too.
	expect_status 1 "$tool" --prom-file "$work/$mid/kvshadow.prom"
	err_has "^$name: .*$work/bbbb.*(does not exist|No such file or directory)$" "$name: 3000-byte missing directory"
done
ok "the reason ends every message, whatever the length of the path"

echo "== #6: a closed pipe is a quiet end, a full disk says why"
for args in "0.05" "--json 0.05"; do
	# shellcheck disable=SC2086 # split on purpose
	timeout 20 "$stat_" --file "$work/f" $args 2>"$work/err" | head -n 1 >"$work/out"
	rcs=("${PIPESTATUS[@]}")
	echo "kvshadowstat $args | head -n 1 -> ${rcs[0]}, stderr: $(cat "$work/err")"
	san_clean "$work/err"
	[ "${rcs[0]}" = 0 ] || fail "kvshadowstat $args | head -n 1: exit ${rcs[0]}, want 0"
	[ ! -s "$work/err" ] || fail "kvshadowstat $args | head -n 1: not quiet"
	[ -s "$work/out" ] || fail "kvshadowstat $args | head -n 1: no line"
done
for args in "" "--json" "0.05 3"; do
	rc=0
	# shellcheck disable=SC2086
	timeout 20 "$stat_" --file "$work/f" $args >/dev/full 2>"$work/err" || rc=$?
	echo "kvshadowstat $args >/dev/full -> $rc: $(cat "$work/err")"
	san_clean "$work/err"
	[ "$rc" = 1 ] || fail "kvshadowstat $args >/dev/full: exit $rc, want 1"
	err_has '^kvshadowstat: .*No space left on device$' "kvshadowstat $args >/dev/full"
done
ok "EPIPE: status 0 and quiet; ENOSPC: status 1 with the reason"

echo "== #3: counters too large for bytes saturate in every view"
debugfs_file "$work/big" 4503599627370496 4503599627370496 4503599627370496
expect_status 0 "$stat_" --file "$work/big" --prom-file "$work/big.prom"
grep -Eq '^ *4503599627370496 +18014398509481983 ' "$work/out" ||
	fail "text: KiB is not saturated: $(tail -n 1 "$work/out")"
for m in kvshadow_shadow_bytes kvshadow_shadow_peak_bytes kvshadow_shadow_populated_bytes_total; do
	grep -Eq "^$m 1\.844674407370955[0-9]*e\+19$" "$work/big.prom" ||
		fail "prom: $m is not saturated: $(grep "^$m " "$work/big.prom")"
done
expect_status 0 "$stat_" --file "$work/big" --json
jq -e '.shadow_bytes >= 18446744073709551615 and .shadow_pages == 4503599627370496' \
	"$work/out" >/dev/null || fail "json: shadow_bytes is not saturated: $(cat "$work/out")"
ok "4503599627370496 pages: UINT64_MAX bytes in text, JSON and Prometheus, never 0"

echo "== #4 #13: signals"
mkfifo "$work/fifo"
# A FIFO nobody writes: the first open blocks; SIGINT must end it at once, status 0.
# Each signal starts at its default: a run under nohup inherits SIGHUP ignored.
for sig in INT TERM HUP; do
	env --default-signal=INT,TERM,HUP "$stat_" --file "$work/fifo" 1 >"$work/out" 2>"$work/err" &
	pid=$!
	host_pids+=("$pid")
	# Blocked in the open of the FIFO (the kernel's wait for a writer).
	wait_until 10 blocked_on_fifo "$pid" ||
		fail "kvshadowstat --file FIFO did not block in open before SIG$sig: $(cat "$work/err")"
	kill -s "$sig" "$pid"
	wait_gone "$pid" 1000 || {
		fail "kvshadowstat blocked on a FIFO: SIG$sig did not end it within 1 s"
		kill -KILL "$pid"
	}
	rc=0
	wait "$pid" || rc=$?
	echo "kvshadowstat --file FIFO, SIG$sig -> $rc, stderr: $(cat "$work/err")"
	san_clean "$work/err"
	[ "$rc" = 0 ] || fail "kvshadowstat --file FIFO, SIG$sig: exit $rc, want 0"
done
# Started with SIGINT ignored (a shell's background job): it stays ignored.
# (The output emptied first: the waits below measure it.)
: >"$work/out"
env --ignore-signal=INT "$stat_" --file "$work/f" 0.1 >"$work/out" 2>"$work/err" &
pid=$!
host_pids+=("$pid")
wait_until 10 lines_at_least 1 "$work/out" || fail "kvshadowstat: no first line in 10 s"
kill -INT "$pid"
outlived_signal "$pid" "$work/out" || fail "kvshadowstat: an ignored SIGINT stopped it"
kill -TERM "$pid"
wait_gone "$pid" 2000 || { fail "kvshadowstat: SIGTERM did not end it"; kill -KILL "$pid"; }
rc=0
wait "$pid" || rc=$?
san_clean "$work/err"
[ "$rc" = 0 ] || fail "kvshadowstat: exit $rc after SIGTERM, want 0"
ok "a blocking read ends on SIGINT/SIGTERM/SIGHUP with status 0; an ignored SIGINT stays ignored"

echo PASS
