#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop's output, signals and system state in estimate mode on this
# host (issue 12, defects #6 #12 #13): a closed pipe is a quiet end with
# status 0, a full disk is status 1 with the reason; SIGINT, SIGTERM and
# SIGHUP end it with 0 and an ignored SIGINT stays ignored (the rule of
# kvshadowstat too); estimate mode never mounts debugfs, the modes that
# read it do; a /proc/kallsyms without text symbols is no undefined
# behaviour (the sanitized build would stop). Needs root for BPF. Runs on
# the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

estimate_ready
tool=$bin/kvshadowtop

# A first run: a kernel or BPF problem here is no test result.
if ! timeout 60 "$tool" -b -n 1 -d 0.2 --mode estimate >"$work/out" 2>"$work/err" </dev/null; then
	cat "$work/err"
	fail "kvshadowtop --mode estimate does not run on this host"
fi
san_clean "$work/err"

echo "== #6: a closed pipe, a full disk"
for args in "-b" "--json"; do
	# shellcheck disable=SC2086 # split on purpose
	timeout 30 "$tool" $args -d 0.2 --mode estimate 2>"$work/err" </dev/null | head -n 1 >"$work/out"
	rcs=("${PIPESTATUS[@]}")
	echo "kvshadowtop $args | head -n 1 -> ${rcs[0]}, stderr: $(cat "$work/err")"
	san_clean "$work/err"
	[ "${rcs[0]}" = 0 ] || fail "kvshadowtop $args | head -n 1: exit ${rcs[0]}, want 0"
	[ ! -s "$work/err" ] || fail "kvshadowtop $args | head -n 1: not quiet"
	[ -s "$work/out" ] || fail "kvshadowtop $args | head -n 1: no line"
	rc=0
	# shellcheck disable=SC2086
	timeout 30 "$tool" $args -n 2 -d 0.2 --mode estimate >/dev/full 2>"$work/err" </dev/null || rc=$?
	echo "kvshadowtop $args >/dev/full -> $rc: $(cat "$work/err")"
	san_clean "$work/err"
	[ "$rc" = 1 ] || fail "kvshadowtop $args >/dev/full: exit $rc, want 1"
	grep -qE '^kvshadowtop: .*No space left on device$' "$work/err" ||
		fail "kvshadowtop $args >/dev/full: the message does not say why"
done
ok "EPIPE: status 0 and quiet; ENOSPC: status 1 with the reason"

echo "== #13: signals, one rule for both tools"
# start_bg ENV_ARGS...: kvshadowtop in the background once it is attached.
start_bg() {
	: >"$work/bg"
	env "$@" "$tool" -b -d 0.2 --mode estimate >"$work/bg" 2>"$work/err" </dev/null &
	pid=$!
	host_pids+=("$pid")
	local end=$((SECONDS + 30))
	while [ ! -s "$work/bg" ] && running "$pid" && [ $SECONDS -lt $end ]; do
		sleep 0.05
	done
	[ -s "$work/bg" ] || fail "kvshadowtop printed nothing: $(cat "$work/err")"
}
for sig in INT TERM HUP; do
	start_bg --default-signal=INT,TERM,HUP
	kill -s "$sig" "$pid"
	wait_gone "$pid" 5000 || { fail "SIG$sig did not end kvshadowtop"; kill -KILL "$pid"; }
	rc=0
	wait "$pid" || rc=$?
	echo "SIG$sig -> $rc $(cat "$work/err")"
	san_clean "$work/err"
	[ "$rc" = 0 ] || fail "SIG$sig: exit $rc, want 0"
done
start_bg --ignore-signal=INT
kill -INT "$pid"
outlived_signal "$pid" "$work/bg" || fail "an ignored SIGINT stopped kvshadowtop"
kill -TERM "$pid"
wait_gone "$pid" 5000 || { fail "SIGTERM did not end kvshadowtop"; kill -KILL "$pid"; }
rc=0
wait "$pid" || rc=$?
san_clean "$work/err"
[ "$rc" = 0 ] || fail "SIGTERM after an ignored SIGINT: exit $rc, want 0"
ok "SIGINT, SIGTERM, SIGHUP end it with 0; an ignored SIGINT stays ignored"

echo "== #13: debugfs is mounted by the modes that read it, never by estimate mode"
if ! unshare -m true 2>/dev/null; then
	echo "SKIP (this case only): no mount namespaces here (unshare -m fails): who mounts debugfs is not checked"
else
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m bash -c '
		umount -l /sys/kernel/debug 2>/dev/null
		mounted() { grep -q " /sys/kernel/debug .* - debugfs " /proc/self/mountinfo; }
		mounted && { echo "debugfs still mounted"; exit 1; }
		"$1" -b -n 1 -d 0.2 --mode estimate >/dev/null 2>"$2/err.estimate" </dev/null
		echo "estimate: $?"
		mounted && echo "estimate mounted debugfs"
		"$1" -b -n 1 -d 0.2 --mode debugfs >/dev/null 2>"$2/err.debugfs" </dev/null
		echo "debugfs: $?"
		mounted && echo "debugfs mode mounted debugfs"' sh "$tool" "$work" >"$work/ns" 2>&1
	cat "$work/ns"
	san_clean "$work/err.estimate" "$work/err.debugfs"
	grep -qx 'estimate: 0' "$work/ns" || fail "estimate mode failed in the namespace"
	grep -q 'estimate mounted debugfs' "$work/ns" && fail "estimate mode mounted debugfs"
	grep -q 'debugfs mode mounted debugfs' "$work/ns" || fail "debugfs mode did not mount debugfs"
	ok "estimate mode leaves debugfs alone; debugfs mode mounts it"
fi

echo "== #12: a /proc/kallsyms without text symbols"
if ! unshare -m true 2>/dev/null; then
	echo "SKIP (this case only): no mount namespaces here (unshare -m fails): kallsyms without symbols is not checked"
else
	for text in 'x' '0000000000000000 D data_only'; do
		printf '%s\n' "$text" >"$work/kallsyms"
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare -m sh -c 'mount --bind "$2" /proc/kallsyms || exit 99
			exec "$1" -b -n 2 -d 0.2 --mode estimate' sh "$tool" "$work/kallsyms" \
			>"$work/out" 2>"$work/err" </dev/null
		rc=$?
		echo "kallsyms '$text' -> $rc $(cat "$work/err")"
		san_clean "$work/err"
		[ "$rc" != 99 ] || fail "cannot bind-mount over /proc/kallsyms"
		[ "$rc" = 0 ] || fail "kallsyms '$text': exit $rc, want 0"
		grep -q ' CALLER$' "$work/out" || fail "kallsyms '$text': no caller table"
	done
	ok "callers are 'unknown', the run is clean"
fi

echo PASS
