#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs every libFuzzer target of tests/fuzz/ (built by `make test-bins` into
# build/fuzz/) for FUZZ_SECONDS each (default 15; `make fuzz`: 300), as many
# at once as there are CPUs (FUZZ_JOBS), from
# its seed corpus tests/fuzz/<target>/. Any finding (a crash, a sanitizer
# report, a leak, a failed property, a timeout) fails the test and prints
# the report, the input and the command that reproduces it.
#
#   tests/fuzz/run.sh                 all targets
#   FUZZ_TARGETS="debugfs numbers" tests/fuzz/run.sh
#
# New inputs go to build/fuzz/corpus/<target>/ (kept between runs, never
# into the tree); findings to build/fuzz/artifacts/<target>/.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

secs=${FUZZ_SECONDS:-15}
targets=${FUZZ_TARGETS:-debugfs vmallocinfo kallsyms modules meminfo numbers options sanitize recording}
failed=0

# Leaks are findings too; UBSan stops at the first report (-fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# fuzz_one TARGET: one target's run; its verdict on stdout, status 1 on a finding.
fuzz_one() {
	local t=$1 bin seeds corpus art log rc runs
	bin=build/fuzz/$t
	seeds=tests/fuzz/$t
	corpus=build/fuzz/corpus/$t
	art=build/fuzz/artifacts/$t
	log=build/fuzz/$t.log
	if [ ! -x "$bin" ]; then
		echo "FAIL: $t: $bin not built (make test-bins)"
		return 1
	fi
	if [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
		echo "FAIL: $t: no seed corpus in $seeds"
		return 1
	fi
	mkdir -p "$corpus"
	rm -rf "$art"
	mkdir -p "$art"
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "$corpus" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+')
	if [ "$rc" = 0 ] && [ -z "$(ls -A "$art")" ]; then
		echo "ok: $t: ${runs:-?} runs in ${secs}s, corpus of $(find "$corpus" -type f | wc -l) + $(find "$seeds" -type f | wc -l) seeds"
		return 0
	fi
	echo "FAIL: $t: exit $rc after ${runs:-?} runs; the report:"
	grep -vE '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED|RELOAD)' "$log" | tail -n 40 | sed 's/^/    | /'
	for a in "$art"/*; do
		[ -e "$a" ] || continue
		echo "  input ($(wc -c <"$a") bytes): $a"
		od -A d -c "$a" | head -n 12 | sed 's/^/    /'
		echo "  reproduce: $bin $a"
		echo "  once fixed, keep it as a seed: cp $a $seeds/"
	done
	return 1
}

# One target per CPU at a time (each is single-threaded): every target
# still gets its FUZZ_SECONDS; the verdicts are printed in target order.
jobs=${FUZZ_JOBS:-$(nproc)}
mkdir -p build/fuzz
running=0
for t in $targets; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
	( fuzz_one "$t" >"build/fuzz/$t.verdict" 2>&1; echo $? >"build/fuzz/$t.rc" ) &
	running=$((running + 1))
done
wait
for t in $targets; do
	cat "build/fuzz/$t.verdict"
	[ "$(cat "build/fuzz/$t.rc" 2>/dev/null)" = 0 ] || failed=$((failed + 1))
done

[ "$failed" = 0 ] || { echo "$failed fuzz targets found something"; exit 1; }
echo "PASS"
