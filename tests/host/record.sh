#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop record / report (issue 21): a live run in estimate mode,
# --by process, while processes with known names (one of them invalid
# UTF-8) make a known number of vmallocs (tests/host/vmalloc_as), recorded
# and printed at once. The truth is the live run's own output:
#  - report --json prints exactly the lines the live --json printed (and
#    the recording's interval objects are those lines too); report -b the
#    live batch text; report --prom-file the live Prometheus file, byte for
#    byte; the summary's peak is the highest live shadow_pages;
#  - a recording cut at random byte offsets reads back to its last
#    complete interval (what zcat decompresses of the cut file says which),
#    warns and exits 0; cut inside its header it exits 1;
#  - a run killed with SIGKILL leaves a file that reads back to the
#    intervals the live run printed;
#  - a foreign file, an empty one, /dev/null, a directory, a damaged
#    header: exit 1 with a clear message, no sanitizer report;
#  - a full disk (/dev/full) ends the run with status 1 and says so.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

helper=$top/build/tests/host/vmalloc_as
[ -x "$helper" ] || fail "$helper not built (make test-bins)"
need jq gzip
estimate_ready

N=5
comm_utf=$'rec\xff\xfe'
top_bin=$bin/kvshadowtop

# live OUT REC ARGS...: record to REC while printing to OUT, 6 intervals,
# with two vmalloc_as processes (one of them named in invalid UTF-8).
live() {
	local out=$1 rec=$2 pid rc=0
	shift 2
	"$top_bin" record -o "$rec" --mode estimate --by process -r 100000 -d 0.5 -n 6 "$@" \
		>"$out" 2>"$work/err" </dev/null &
	pid=$!
	host_pids+=("$pid")
	started "$out" "$pid" || { cat "$work/err"; fail "record $* printed nothing"; }
	"$helper" recorded "$N" || fail "vmalloc_as failed"
	"$helper" "$comm_utf" "$N" || fail "vmalloc_as (invalid UTF-8) failed"
	wait_gone "$pid" 30000 || fail "record $* did not end after 6 intervals"
	wait "$pid" || rc=$?
	sed 's/^/  err: /' "$work/err"
	echo "record $* -> $rc"
	san_clean "$work/err"
	[ "$rc" = 0 ] || fail "record $*: exit $rc, want 0"
}

# intervals FILE: the interval objects (no "event" key, not the header) of JSON Lines, one a line.
intervals() {
	jq -c 'select(has("event") or has("kvshadow_recording") | not)' "$1"
}

echo "== report --json prints what the live --json printed"
live "$work/live.json" "$work/a.rec" --json
[ "$(wc -l <"$work/live.json")" = 6 ] || fail "want 6 live JSON lines, got $(wc -l <"$work/live.json")"
expect_status 0 "$top_bin" report "$work/a.rec" --json
[ ! -s "$work/err" ] || fail "report of a whole recording wrote to stderr: $(cat "$work/err")"
grep -v '^{"event":"summary"' "$work/out" >"$work/rep.json"
cmp "$work/rep.json" "$work/live.json" || {
	diff <(jq -S . "$work/rep.json") <(jq -S . "$work/live.json") | head -n 20
	fail "report --json differs from the live --json"
}
ok "report --json: the live run's 6 lines, byte for byte"
zcat "$work/a.rec" >"$work/a.jsonl" || fail "zcat of the recording failed"
intervals "$work/a.jsonl" >"$work/rec.objs"
intervals "$work/live.json" >"$work/live.objs"
cmp -s "$work/rec.objs" "$work/live.objs" || fail "the recording's interval objects differ from the live lines"
ok "the recording holds the live interval objects"
head -n 1 "$work/a.jsonl" | jq -e --arg k "$(uname -r)" --argjson p "$(getconf PAGESIZE)" \
	'.kvshadow_recording == 1 and .kernel == $k and .mode == "estimate" and .page_size == $p
	 and .cpus > 0 and (.measures | length > 0) and (.tool_version | length > 0)
	 and .command_line[1] == "record"' >/dev/null || fail "header: $(head -n 1 "$work/a.jsonl")"
ok "header: kernel, mode and how it measures, page size, CPUs, version, command line"

sum=$(tail -n 1 "$work/out")
echo "summary: $(cut -c1-300 <<<"$sum")"
max=$(jq -s 'map(.shadow_pages) | max' "$work/live.json")
last=$(tail -n 1 "$work/live.json")
jq -e --argjson max "$max" --argjson last "$last" \
	'.event == "summary" and .intervals == 6 and .complete and .shadow_pages_max == $max
	 and .populate_calls == $last.populate_calls and .top == $last.top
	 and .latency.populate.available == $last.latency.populate.available' <<<"$sum" >/dev/null ||
	fail "the summary does not hold the live peak $max and the last interval's totals"
want_utf='rec\xff\xfe'
jq -e --arg p "$want_utf" --argjson n "$N" \
	'[.top[] | select(.process | startswith($p))][0].populate_calls == $n' <<<"$sum" >/dev/null ||
	fail "the summary's rows lack '$want_utf' with $N populate calls: $(jq -c .top <<<"$sum")"
ok "summary: peak $max pages, the last totals, '$want_utf' with its $N calls"

echo "== report -b and --prom-file print what the live run printed"
live "$work/live.txt" "$work/b.rec" -b --prom-file "$work/live.prom"
expect_status 0 "$top_bin" report "$work/b.rec" -b --prom-file "$work/rep.prom"
# The summary follows the intervals after one empty line.
sed '/^Summary of /,$d' "$work/out" | sed '$d' >"$work/rep.txt"
cmp "$work/rep.txt" "$work/live.txt" || {
	diff "$work/rep.txt" "$work/live.txt" | head -n 20
	fail "report -b differs from the live batch text"
}
grep -q "^Summary of $work/b.rec: 6 intervals" "$work/out" || fail "no summary after report -b"
cmp "$work/rep.prom" "$work/live.prom" || {
	diff "$work/rep.prom" "$work/live.prom" | head -n 20
	fail "report --prom-file differs from the file the live run left"
}
ok "report -b and --prom-file: the live text and Prometheus file, byte for byte"

echo "== a recording cut at random byte offsets"
size=$(stat -c %s "$work/a.rec")
offsets="1 10 $((size / 4)) $((size / 2)) $((size - 30)) $((size - 9)) $((size - 1))"
for _ in 1 2 3 4 5 6; do
	offsets="$offsets $(((RANDOM * 32768 + RANDOM) % size))"
done
echo "offsets of $size bytes: $offsets"	# to replay a failure
for off in $offsets; do
	off=$((off % size))
	[ "$off" -gt 0 ] || off=1
	head -c "$off" "$work/a.rec" >"$work/cut.rec"
	# The truth: the whole lines zcat gets out of the cut file (a last
	# line without its newline is not whole).
	zcat "$work/cut.rec" >"$work/cut.raw" 2>/dev/null
	cp "$work/cut.raw" "$work/cut.lines"
	[ -z "$(tail -c 1 "$work/cut.raw")" ] || sed -i '$d' "$work/cut.lines"
	whole=$(intervals "$work/cut.lines" | wc -l)
	if [ "$(wc -l <"$work/cut.lines")" = 0 ]; then
		expect_status 1 "$top_bin" report "$work/cut.rec" --json
		err_has 'not a kvshadowtop recording|header' "cut at $off (inside the header)"
		continue
	fi
	if grep -q '^{"event":"end"' "$work/cut.lines"; then
		# Only the gzip trailer is gone: every line is there, the end line too.
		expect_status 0 "$top_bin" report "$work/cut.rec" --json
		tail -n 1 "$work/out" | jq -e '.intervals == 6 and .complete' >/dev/null ||
			fail "cut at $off (in the trailer): not the whole recording"
		continue
	fi
	expect_status 0 "$top_bin" report "$work/cut.rec" --json
	err_has "ends early after $whole complete intervals" "cut at $off"
	grep -v '^{"event":"summary"' "$work/out" | intervals /dev/stdin >"$work/cut.objs"
	head -n "$whole" "$work/live.objs" | cmp -s - "$work/cut.objs" ||
		fail "cut at $off: not the first $whole live intervals"
	tail -n 1 "$work/out" | jq -e --argjson n "$whole" '.intervals == $n and (.complete | not)' \
		>/dev/null || fail "cut at $off: the summary does not say $whole intervals, ends early"
done
ok "every cut reads back to its last whole interval, warns and exits 0"

# signalled SIG NAME LINES: record NAME.rec printing NAME.json in estimate
# mode; once it printed LINES intervals, send SIG; sets rc (its exit status)
# and printed (the lines it printed).
signalled() {
	local sig=$1 name=$2 lines=$3 pid end
	: >"$work/$name.json"	# there before the loop below reads it
	"$top_bin" record -o "$work/$name.rec" --mode estimate -d 0.2 --json >"$work/$name.json" \
		2>"$work/err" </dev/null &
	pid=$!
	host_pids+=("$pid")
	end=$((SECONDS + 30))
	while [ "$(wc -l <"$work/$name.json")" -lt "$lines" ] && running "$pid" && [ $SECONDS -lt $end ]; do
		sleep 0.05
	done
	kill "-$sig" "$pid"
	wait "$pid" 2>/dev/null
	rc=$?
	san_clean "$work/err"
	printed=$(wc -l <"$work/$name.json")
	# At least: the signal was sent once $lines were there, and the tool
	# may print one more interval before it lands.
	[ "$printed" -ge "$lines" ] || { cat "$work/err"; fail "the run printed $printed lines before SIG$sig, want $lines"; }
}

echo "== a run killed with SIGKILL"
signalled KILL k 4
expect_status 0 "$top_bin" report "$work/k.rec" --json
err_has 'ends early after [0-9]+ complete intervals' "after SIGKILL"
grep -v '^{"event":"summary"' "$work/out" >"$work/k.rep"
got=$(wc -l <"$work/k.rep")
# Tolerance of one interval: the recording is written before stdout, so the
# kill may land between an interval's flush to the file and its line on stdout.
[ "$got" = "$printed" ] || [ "$got" = $((printed + 1)) ] ||
	fail "after SIGKILL: $got intervals read back, the run printed $printed"
head -n "$printed" "$work/k.rep" | cmp -s - "$work/k.json" || fail "after SIGKILL: not the printed intervals"
ok "after SIGKILL: the $printed printed intervals read back ($got), with a warning"

echo "== a run ended by SIGTERM ends its recording cleanly"
signalled TERM t 2
[ "$rc" = 0 ] || fail "record after SIGTERM: exit $rc, want 0"
expect_status 0 "$top_bin" report "$work/t.rec" --json
[ ! -s "$work/err" ] || fail "a recording ended by SIGTERM reads with a warning: $(cat "$work/err")"
grep -v '^{"event":"summary"' "$work/out" | cmp -s - "$work/t.json" ||
	fail "after SIGTERM: not the printed intervals"
tail -n 1 "$work/out" | jq -e '.complete' >/dev/null || fail "after SIGTERM: not complete"
ok "SIGTERM: exit 0, the recording complete, every printed interval in it"

echo "== files that are not recordings"
printf 'hello\n' | gzip >"$work/foreign.gz"
: >"$work/empty"
mkdir "$work/dir"
sed '1s/"page_size":[0-9]*/"page_size":"x"/' "$work/a.jsonl" | gzip >"$work/badhdr.rec"
tail -n +2 "$work/a.jsonl" | gzip >"$work/nohdr.rec"
head -c 300 /dev/urandom >"$work/random"
for f in "$work/foreign.gz" "$work/empty" /dev/null "$work/dir" "$work/badhdr.rec" \
	"$work/nohdr.rec" "$work/random" "$work/missing"; do
	for v in --json -b; do
		expect_status 1 "$top_bin" report "$f" "$v"
		err_has "$f" "report $f names the file"
		err_has 'not a kvshadowtop recording|damaged header|empty file|directory|cannot open|cannot read' \
			"report $f says why"
	done
done
err_has 'cannot open' "a missing file"
expect_status 1 "$top_bin" report "$work/badhdr.rec" --json
err_has "damaged header: 'page_size'" "a damaged header names its key"
ok "foreign, empty, /dev/null, directory, damaged header, random, missing: exit 1, said why"

echo "== a full disk"
expect_status 1 "$top_bin" record -o /dev/full --mode estimate -n 2 -d 0.2 --json
err_has 'No space left on device' "record -o /dev/full"
ok "record to a full disk: exit 1, says so"

echo "== usage"
expect_status 2 "$top_bin" record --mode estimate -n 1
expect_status 2 "$top_bin" report
expect_status 2 "$top_bin" report "$work/a.rec" "$work/a.rec"
expect_status 2 "$top_bin" report "$work/a.rec" -b --json
ok "record without -o, report without or with two files, -b with --json: exit 2"

echo PASS
