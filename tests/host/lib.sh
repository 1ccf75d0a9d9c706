# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests/host/*.sh (not executable: tests/run.sh runs only the
# executable scripts). Runs the calling test once per build of the tools:
# build/bin (what users get) and build/san/bin (the same sources with ASan
# and UBSan, `make test-bins`). In each run $bin is the directory of the
# tools under test.
#
# A sanitizer finding in any process of a run fails the test: ASan and UBSan
# stop at the first finding (leaks count too) with exit status 86 or 87,
# which no tool uses. ASan reports go to files (log_path) checked after the
# run, whatever the script checked; GCC's UBSan prints to stderr whatever
# log_path says, so the helpers below (expect_status, san_clean) look for
# its reports in the stderr they capture.
#
# KVSHADOW_BIN=DIR runs the test on that directory only (e.g. a build of an
# older commit, to see a test fail without a fix); KVSHADOW_KEEP_GOING=1
# goes on after a failed check, to see all that fail.
#
# The calling script must not have run anything before sourcing this.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
# shellcheck source=tests/common.sh
. "$top/tests/common.sh"
# works_where MODE CHECKED-AGAINST: as in tests/vm/lib.sh, for this host.
works_where() {
	[ -n "${KVSHADOW_WORKS_WHERE:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\n' "this host's kernel (no KASAN)" "$1" "$2" "host/$(basename "$0" .sh)" \
		>>"$KVSHADOW_WORKS_WHERE"
}
ok() { echo "ok: $*"; }

if [ -z "${KVS_HOST_INNER:-}" ]; then
	flavours=${KVSHADOW_BIN:-"$top/build/bin $top/build/san/bin"}
	statuses=()
	for dir in $flavours; do
		if [ ! -x "$dir/kvshadowtop" ] || [ ! -x "$dir/kvshadowstat" ]; then
			fail "$dir/kvshadowtop or kvshadowstat not built (make all test-bins)"
		fi
		sanlog=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-sanlog.XXXXXX") || fail "mktemp"
		# Processes may run as nobody (setpriv): they must be able to report too.
		chmod 1777 "$sanlog"
		echo "==== $(basename "$0") on $dir"
		KVS_HOST_INNER=1 bin=$dir \
			ASAN_OPTIONS="log_path=$sanlog/asan:exitcode=86:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1" \
			UBSAN_OPTIONS="log_path=$sanlog/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=87" \
			"$0" "$@"
		rc=$?
		if [ -n "$(ls -A "$sanlog")" ]; then
			echo "FAIL: sanitizer reports from $dir:"
			for f in "$sanlog"/*; do
				echo "---- $f"
				cat "$f"
			done
			rc=1
		fi
		rm -rf "$sanlog"
		echo "==== $(basename "$0") on $dir: exit $rc"
		statuses+=("$rc")
	done
	final=${statuses[0]}
	for rc in "${statuses[@]}"; do
		case $rc in
		0 | 77) [ "$rc" = "$final" ] || { echo "FAIL: the builds disagree (exits: ${statuses[*]})"; final=1; } ;;
		*) final=1 ;;
		esac
	done
	[ "$final" = 77 ] && echo "SKIP: see the reason above"
	exit "$final"
fi

host_failures=0
if [ -n "${KVSHADOW_KEEP_GOING:-}" ]; then
	fail() {
		echo "FAIL: $*"
		host_failures=$((host_failures + 1))
		return 1
	}
fi

set -uo pipefail
export LC_ALL=C
# The directory of the tools under test, from the outer run above.
bin=${bin:?}
# shellcheck source=tests/sysctl.sh
. "$top/tests/sysctl.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-host.XXXXXX")
chmod 0755 "$work"
host_pids=()
host_cleanup() {
	local p
	for p in "${host_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	kptr_restrict_restore
	rm -rf "$work"
	if [ "$host_failures" != 0 ]; then
		echo "$host_failures checks failed"
		exit 1
	fi
}
trap host_cleanup EXIT
trap 'exit 143' TERM INT

# A debugfs file as the kvshadow kernel writes it (docs/interfaces.md §2).
debugfs_file() {
	printf '%s\n' "shadow_pages ${2:-63}" "shadow_pages_peak ${3:-70}" \
		"pages_populated ${4:-140}" 'pages_released 77' 'pages_allocated 148' \
		'populate_calls 37' 'populate_failures 0' 'release_calls 6' >"$1"
}

# expect_status WANT CMD...: run CMD with stdin from /dev/null, stdout in
# $work/out, stderr in $work/err; fail unless it exits WANT (bounded: 30 s).
expect_status() {
	local want=$1 rc=0
	shift
	timeout 30 "$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	echo "$(basename "$1") ${*:2} -> $rc" | cut -c1-200
	sed 's/^/  err: /' "$work/err" | head -n 5 | cut -c1-300
	san_clean "$work/err"
	[ "$rc" = "$want" ] || fail "$(basename "$1") ${*:2}: exit $rc, want $want"
}

# san_clean FILE...: no sanitizer report in these captured stderr files.
san_clean() {
	local f
	for f in "$@"; do
		if grep -qE 'runtime error:|(Address|Leak|UndefinedBehavior)Sanitizer' "$f" 2>/dev/null; then
			cat "$f"
			fail "a sanitizer report in $f"
		fi
	done
	return 0
}

# err_has ERE WHAT: stderr of the last expect_status matches ERE.
err_has() {
	grep -qE -- "$1" "$work/err" || fail "$2: stderr does not match /$1/"
}

# err_has_f STRING WHAT: stderr of the last expect_status contains STRING.
err_has_f() {
	grep -qF -- "$1" "$work/err" || fail "$2: stderr does not contain '$1'"
}

# printable FILE: only printable ASCII, UTF-8 above it, tabs and newlines:
# no escape sequences, no BEL, nothing a terminal would act on.
printable() {
	[ "$(tr -d '\t\n\040-\176\200-\377' <"$1" | wc -c)" = 0 ] &&
		iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

# running PID: PID exists and has not exited (a zombie has exited).
running() {
	local state
	state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ]
}

# wait_gone PID MS: until PID has exited, at most MS milliseconds (else 1).
wait_gone() {
	local end=$(($(date +%s%3N) + $2))
	while running "$1"; do
		[ "$(date +%s%3N)" -lt "$end" ] || return 1
		sleep 0.02
	done
	return 0
}

# started OUT PID: until PID has printed its first interval into OUT (it is
# attached and seeded), at most 30 s; 1 when it has not.
started() {
	local end=$((SECONDS + 30))
	while [ ! -s "$1" ] && running "$2" && [ $SECONDS -lt $end ]; do
		sleep 0.05
	done
	[ -s "$1" ]
}

# outlived_signal PID FILE: after a signal PID should ignore, its output
# FILE grows twice: the second growth is an interval wholly after the
# signal, so PID took it and went on. 1 when PID ends or FILE stays still
# for 10 s.
outlived_signal() {
	local size
	size=$(stat -c %s "$2")
	wait_until 10 grew "$1" "$2" "$size" || return 1
	size=$(stat -c %s "$2")
	wait_until 10 grew "$1" "$2" "$size"
}
# grew PID FILE SIZE: PID runs and FILE is larger than SIZE bytes.
grew() { running "$1" && [ "$(stat -c %s "$2")" -gt "$3" ]; }

# blocked_on_fifo PID: PID sleeps in the open of a FIFO nobody writes.
blocked_on_fifo() { [ "$(cat "/proc/$1/wchan" 2>/dev/null)" = wait_for_partner ]; }

# link_owners LINK_ID...: who holds these BPF links, as "comm (pid N), ...";
# "nobody (pinned?)" when no process does. From /proc/*/fdinfo: Debian's
# bpftool is built without the pids that `bpftool link show` could print.
link_owners() {
	local who
	who=$(grep -H '^link_id:' /proc/[0-9]*/fdinfo/* 2>/dev/null |
		awk -v ids=" $* " 'index(ids, " " $2 " ") { split($1, p, "/"); print p[3] }' | sort -un |
		while read -r p; do echo "$(cat "/proc/$p/comm" 2>/dev/null) (pid $p)"; done)
	[ -n "$who" ] && echo "$who" | paste -sd, - | sed 's/,/, /g' || echo "nobody (pinned?)"
}

# held_links PID: the ids of the BPF links PID holds open, one a line.
held_links() { grep -h '^link_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -un; }

# surviving_links ID...: those of the link ids that still exist.
surviving_links() {
	[ $# = 0 ] && return 0
	bpftool -j link show | jq -r --argjson ids "[$(echo "$@" | tr ' ' ,)]" \
		'.[] | select(.id as $i | $ids | index($i)) | .id'
}

# estimate_ready: root, BPF and kernel.kptr_restrict=1 for estimate mode, or skip.
estimate_ready() {
	[ "$(id -u)" = 0 ] || skip "estimate mode needs root (BPF)"
	[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
	kptr_restrict_for_test 1 || skip "cannot set kernel.kptr_restrict for estimate mode"
}
