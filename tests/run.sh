#!/bin/bash
# `make check`: install what is missing, build everything (plain, static and
# sanitized), then run every test and print one summary line.
#
# A test is an executable: a unit test binary in build/tests/unit/, or a
# script in tests/{kernel,host,prom,tui,fuzz,install,vm}/. Exit status 0 is a
# pass, 77 a skip (the test prints why), anything else a failure. Each
# test's output goes to build/test-logs/<name>.log and is shown on failure.
#
#   tests/run.sh [GROUP...]     groups: unit kernel host prom tui fuzz install vm
#
# Every part prints its time (installing, building, each kernel, each test,
# each group) and the run ends with a table of them and the total.
#
# Environment: KVSHADOW_TEST_FILTER=glob runs only tests whose name matches.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
groups=${*:-unit kernel host prom tui fuzz install vm}
logs=$top/build/test-logs
mkdir -p "$logs"

passed=0 failed=0 skipped=0
failures=()
run_start=$(date +%s)
# The rows of docs/works-where.md, written by the tests that pass.
export KVSHADOW_WORKS_WHERE=$logs/works-where.tsv
: >"$KVSHADOW_WORKS_WHERE"
part_names=() part_secs=()

note() { printf '%s\n' "$*"; }
# part NAME SECONDS: one row of the closing time table.
part() { part_names+=("$1"); part_secs+=("$2"); }
times_table() {
	local i
	note "== time"
	for i in "${!part_names[@]}"; do
		printf '  %-24s %5d s\n' "${part_names[$i]}" "${part_secs[$i]}"
	done
	printf '  %-24s %5d s (%dm%02ds)\n' total "$(($(date +%s) - run_start))" \
		"$((($(date +%s) - run_start) / 60))" "$((($(date +%s) - run_start) % 60))"
}

start=$(date +%s)
if [ "$(id -u)" = 0 ]; then
	scripts/deps.sh || { note "FAIL: installing dependencies"; exit 1; }
else
	scripts/deps.sh build test ||
		note "WARNING: not root and packages are missing: tests that need them will fail or SKIP"
fi
part deps $(($(date +%s) - start))

note "== building"
start=$(date +%s)
if ! make -s all static test-bins bench-bins >"$logs/build.log" 2>&1; then
	tail -n 40 "$logs/build.log"
	note "FAIL: build (log: $logs/build.log)"
	note "0 passed, 1 failed"
	exit 1
fi
part build $(($(date +%s) - start))
note "built in $(($(date +%s) - start)) s"

# The kernels the VM tests boot (tests/vm/lib.sh says why): the patched
# 7.2 and the stock 7.2 without the debug options, and the patched 7.2
# with them for KUnit, stress and the per-node vmstat test, the 6.12
# backport for the start under load and the callers test with another
# tool (tests/vm/busy_start.sh, callers.sh), and Debian 12's stock 6.1
# for stock mode without vmalloc events (stock.sh, callers.sh). A cold
# build prints its progress every 30 s.
vm_kernels=("7.2 --nodebug" "7.2 --stock --nodebug" "7.2 --debug" "6.12 --nodebug" "6.1 --stock --nodebug")
build_kernels() {
	local k args start rc=0
	for k in "${vm_kernels[@]}"; do
		read -r -a args <<<"$k"
		start=$(date +%s)
		note "kernel ${args[*]} (log: $logs/kernel-build.log)"
		kernel/build.sh --kver "${args[@]}" 2>&1 | tee -a "$logs/kernel-build.log" |
			grep --line-buffered -E '^kernel: .*(building for|built in|up to date|ready in)' |
			sed -u 's/^/    /'
		rc=${PIPESTATUS[0]}
		part "kernel ${args[*]}" $(($(date +%s) - start))
		[ "$rc" = 0 ] || return 1
	done
}

run_one() {
	local name=$1 exe=$2 rc start secs
	# shellcheck disable=SC2254 # KVSHADOW_TEST_FILTER is a glob on purpose
	case $name in ${KVSHADOW_TEST_FILTER:-*}) ;; *) return 0 ;; esac
	start=$(date +%s)
	mkdir -p "$(dirname "$logs/$name.log")"
	note "RUN   $name"
	"$exe" >"$logs/$name.log" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0)
		passed=$((passed + 1))
		note "PASS  $name (${secs}s)"
		;;
	77)
		skipped=$((skipped + 1))
		note "SKIP  $name: $(grep -m1 -i 'skip' "$logs/$name.log" || echo 'no reason given')"
		;;
	*)
		failed=$((failed + 1))
		failures+=("$name")
		note "FAIL  $name (exit $rc, ${secs}s)"
		sed 's/^/    | /' "$logs/$name.log" | tail -n 60
		;;
	esac
}

for group in $groups; do
	note "== $group"
	group_start=$(date +%s)
	case $group in
	unit)
		for exe in build/tests/unit/*; do
			if [ ! -x "$exe" ] || [ ! -f "$exe" ]; then
				continue
			fi
			run_one "unit/$(basename "$exe")" "$exe"
		done
		;;
	vm)
		# The VM tests need the kernels; building them is part of the test.
		: >"$logs/kernel-build.log"
		if ! build_kernels; then
			failed=$((failed + 1))
			failures+=("vm/kernel-build")
			note "FAIL  vm/kernel-build"
			tail -n 40 "$logs/kernel-build.log" | sed 's/^/    | /'
			continue
		fi
		group_start=$(date +%s)
		for exe in tests/vm/*.sh; do
			[ -x "$exe" ] || continue
			run_one "vm/$(basename "$exe" .sh)" "$exe"
		done
		;;
	kernel|host|prom|tui|fuzz|install)
		for exe in tests/"$group"/*.sh; do
			[ -x "$exe" ] || continue
			run_one "$group/$(basename "$exe" .sh)" "$exe"
		done
		;;
	*)
		note "unknown test group '$group'"
		exit 2
		;;
	esac
	part "tests: $group" $(($(date +%s) - group_start))
done

# What works where: the rows the passing tests wrote (tests/vm/lib.sh,
# tests/host/lib.sh), as the table docs/works-where.md must be. Judged
# when every host and VM test ran, so the table says what this run checked.
works_where_table() {
	printf '%s\n' "# What works where" "" \
		"Written by \`make check\` from the tests that passed (tests/run.sh); a" \
		"row is a mode on a kernel and what a test checked its numbers against." "" \
		"| kernel | mode | checked against | test |" "|---|---|---|---|"
	LC_ALL=C sort -u "$KVSHADOW_WORKS_WHERE" | awk -F '\t' '{ printf "| %s | %s | %s | `%s` |\n", $1, $2, $3, $4 }'
}
case " $groups " in
*" host "*" vm "*)
	if [ -z "${KVSHADOW_TEST_FILTER:-}" ]; then
		works_where_table >"$top/build/works-where.md"
		if cmp -s "$top/build/works-where.md" "$top/docs/works-where.md"; then
			passed=$((passed + 1))
			note "PASS  works-where (docs/works-where.md is what this run checked)"
		else
			failed=$((failed + 1))
			failures+=("works-where")
			note "FAIL  works-where: docs/works-where.md is not what this run checked:"
			diff "$top/docs/works-where.md" "$top/build/works-where.md" | sed 's/^/    | /'
			note "    (a test that no longer passes, or a new row: cp build/works-where.md docs/)"
		fi
	fi
	;;
esac

times_table
note "=="
[ ${#failures[@]} -eq 0 ] || note "failed: ${failures[*]}"
note "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
