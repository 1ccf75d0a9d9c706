# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests (not run): what every test group needs alike.
#
# A tool a test uses is never a reason to skip: `make check` installs every
# one (scripts/deps.sh), so a missing tool is a broken setup, and the check
# it would have made fails, loudly. Skips stay for what a test cannot
# change (not root, no BTF) and say SKIP with why.
#
#   need TOOL...            every TOOL is on PATH, or FAIL naming the missing
#   wait_until SECONDS CMD...  run CMD every 50 ms until it succeeds (0) or
#                           SECONDS have passed (1): a wait for a condition,
#                           where a fixed sleep would guess how long it takes
#   lines_at_least N FILE   FILE has N lines or more (the Nth interval line
#                           of a tool's output: a condition for wait_until)
need() {
	local t missing=
	for t; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	[ -z "$missing" ] && return 0
	echo "FAIL: not installed:$missing: install it (make deps)"
	exit 1
}

wait_until() {
	local end=$(($(date +%s%3N) + ${1%.*} * 1000))
	shift
	until "$@"; do
		[ "$(date +%s%3N)" -lt "$end" ] || return 1
		sleep 0.05
	done
	return 0
}

lines_at_least() { [ "$(wc -l <"$2" 2>/dev/null || echo 0)" -ge "$1" ]; }
