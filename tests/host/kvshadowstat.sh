#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowstat on the host, which has no KASAN: a clear runtime error for
# the missing file, usage errors, and the real output from --file copies.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$bin/kvshadowstat
need jq setpriv unshare

# run EXPECTED_STATUS ARGS...: output in $work/out and $work/err
run() {
	local want=$1 rc=0
	shift
	"$tool" "$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	echo "kvshadowstat $* -> $rc"
	sed 's/^/  err: /' "$work/err"
	san_clean "$work/err"
	[ "$rc" = "$want" ] || fail "kvshadowstat $*: exit $rc, expected $want"
}

good() {
	printf '%s\n' "shadow_pages $1" "shadow_pages_peak $2" 'pages_populated 140' \
		'pages_released 77' 'pages_allocated 148' 'populate_calls 37' \
		'populate_failures 0' 'release_calls 6'
}

# The real file: absent on this kernel.
if [ -e /sys/kernel/debug/kasan/vmalloc_shadow ]; then
	echo "SKIP (this case only): this host has the kvshadow debugfs file: the missing-file error is not checked"
else
	run 1
	grep -q 'vmalloc_shadow' "$work/err" || fail "the error does not name the file"
	grep -qE 'kvshadow patches|debugfs is not mounted|for root only' "$work/err" ||
		fail "the error does not say what is missing"
	[ ! -s "$work/out" ] || fail "printed to stdout although it failed"

	# In a mount namespace without debugfs: root mounts it, others are told how.
	if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare -m sh -c 'umount -l /sys/kernel/debug 2>/dev/null
			"$1" 2>"$2/err.root"; echo "root: $?"
			grep -q " /sys/kernel/debug .* - debugfs " /proc/self/mountinfo && echo mounted
			umount -l /sys/kernel/debug
			setpriv --reuid=65534 --regid=65534 --clear-groups "$1" 2>"$2/err.user"
			echo "user: $?"' sh "$tool" "$work" >"$work/ns"
		cat "$work/ns" "$work/err.root" "$work/err.user"
		{ grep -qx 'root: 1' "$work/ns" && grep -qx mounted "$work/ns"; } ||
			fail "as root without debugfs: did not mount it"
		grep -q 'kvshadow patches' "$work/err.root" || fail "as root: wrong reason"
		{ grep -qx 'user: 1' "$work/ns" &&
			grep -q 'mount -t debugfs none /sys/kernel/debug' "$work/err.user"; } ||
			fail "not root without debugfs: no hint how to mount it"
		setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" 2>"$work/err" && fail "not root: exit 0"
		cat "$work/err"
		grep -qE 'for root only|debugfs is not mounted' "$work/err" || fail "not root: no word of root"
	else
		echo "SKIP (this case only): not root, or no mount namespace here (unshare -m fails): the debugfs mount diagnosis is not checked"
	fi
fi

# Usage errors: 2, a usage message on stderr, nothing on stdout.
for args in --bogus abc -1 '0 5' '0' '1 0' '1 2 3' '1 x' --file; do
	# shellcheck disable=SC2086 # split on purpose
	run 2 $args
	grep -q '^Usage: kvshadowstat' "$work/err" || fail "kvshadowstat $args: no usage on stderr"
	[ ! -s "$work/out" ] || fail "kvshadowstat $args: printed to stdout"
done

run 0 -h
grep -q '^Usage: kvshadowstat' "$work/out" || fail "-h: no usage on stdout"
grep -q -- '--json' "$work/out" || fail "-h: --json not listed"

# A missing or malformed --file: 1, naming the file and the line.
run 1 --file "$work/none"
grep -q "$work/none" "$work/err" || fail "the error does not name $work/none"
{ good 63 63 | head -n 3; echo 'pages_released 7x'; } >"$work/bad"
run 1 --file "$work/bad"
grep -q 'line 4' "$work/err" || fail "the error does not name line 4"

# One JSON object from a copy of the file.
good 63 63 >"$work/f"
run 0 --file "$work/f" --json
[ "$(wc -l <"$work/out")" = 1 ] || fail "--json printed $(wc -l <"$work/out") lines, expected 1"
jq -e '.mode == "debugfs" and .since_boot == true and .shadow_pages == 63 and
	.pages_populated == 140 and .release_calls == 6 and .delta.pages_populated == 140 and
	(.ts | type) == "number" and .interval_s > 0' "$work/out" >/dev/null ||
	fail "unexpected JSON: $(cat "$work/out")"

# Text: header, then COUNT rows.
run 0 --file "$work/f" 0.1 3
cat "$work/out"
[ "$(grep -c '^ *63 ' "$work/out")" = 3 ] || fail "expected 3 rows"
[ "$(grep -c 'pages' "$work/out")" = 1 ] || fail "expected one header"
grep -q ' pages_populated pages_released populate_calls populate_failures release_calls$' \
	"$work/out" || fail "the interval columns are not the counter table's names"

# The peak drops (someone reset it): reported, not an error. The output
# is emptied first: the waits below count its lines.
: >"$work/out"
"$tool" --file "$work/f" 0.3 4 --json >"$work/out" 2>"$work/err" &
pid=$!
# After two readings, two more come: the drop lands in exactly one of them.
wait_until 10 lines_at_least 2 "$work/out" || fail "no second line in 10 s"
good 63 10 >"$work/f.new" && mv "$work/f.new" "$work/f"
wait "$pid" || fail "kvshadowstat stopped with $? after the peak dropped"
cat "$work/out" "$work/err"
[ "$(wc -l <"$work/out")" = 4 ] || fail "expected 4 lines"
jq -se 'map(select(.peak_reset)) | length == 1 and .[0].delta.shadow_pages_peak == -53' \
	"$work/out" >/dev/null || fail "the reset is not in the JSON"
grep -q 'shadow_pages_peak dropped from 63 to 10' "$work/err" || fail "no note of the reset"

# SIGINT and SIGTERM: the lines so far are whole, exit 0. (Background jobs
# of a script start with SIGINT ignored, and kvshadowstat leaves it so.)
for sig in INT TERM; do
	: >"$work/out"
	env --default-signal=INT "$tool" --file "$work/f" 0.1 --json >"$work/out" 2>"$work/err" &
	pid=$!
	wait_until 10 lines_at_least 3 "$work/out" || fail "SIG$sig: no third line in 10 s"
	kill -s "$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	echo "SIG$sig -> exit $rc after $(wc -l <"$work/out") lines"
	[ "$rc" = 0 ] || fail "SIG$sig: exit $rc, expected 0"
	[ "$(wc -l <"$work/out")" -ge 3 ] || fail "SIG$sig: too few lines"
	jq -e . "$work/out" >/dev/null || fail "SIG$sig: a line is not JSON"
	[ "$(tail -c 1 "$work/out" | od -An -c | tr -d ' ')" = '\n' ] ||
		fail "SIG$sig: the last line is cut"
done

echo "PASS"
