#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowstat in the test kernel: JSON Lines with every debugfs key and the
# invariant on every line, the text table, and populate_calls moving while
# test_vmalloc runs; its values against the debugfs file as this test reads
# it (its own parser: "key value" lines), live at a quiet moment and from
# one snapshot; and on the stock kernel, which has no such file, a clear
# error. The guest marks each part with "@@".
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need jq

keys='["shadow_pages","shadow_pages_peak","pages_populated","pages_released",
	"pages_allocated","populate_calls","populate_failures","release_calls"]'

# The guest's sh starts background jobs with SIGINT ignored: stop with TERM.
# shellcheck disable=SC2016 # expanded in the guest
vm_run -- '. /kvshadow/tests/lib.sh
echo @@json; kvshadowstat 0.5 3 --json; echo "@@rc $?"
echo @@text; kvshadowstat 0.5 3; echo "@@rc $?"
echo @@load
kvshadowstat 0.2 --json >/tmp/load.jsonl 2>/tmp/load.err &
pid=$!
# Its first line (the counters before the load), then the load, then two
# more lines: the second one is read after the load ended.
wait_intervals /tmp/load.jsonl 1 || echo "no first line in 30 s"
modprobe test_vmalloc run_test_mask=1 test_loop_count=2000 >/dev/null 2>&1
intervals /tmp/load.jsonl
wait_intervals /tmp/load.jsonl $((intervals + 2)) || echo "no two more lines in 30 s"
kill -TERM $pid; wait $pid; echo "@@rc $?"
cat /tmp/load.err /tmp/load.jsonl
quiesce
echo @@live
# A quiet moment: the file read with builtins (no fork, which could vmalloc
# a thread stack) before and after the line kvshadowstat read in between.
kvshadowstat 1 --json >/tmp/live.jsonl 2>&1 &
pid=$!
wait_intervals /tmp/live.jsonl 1 || echo "no first line in 30 s"
intervals /tmp/live.jsonl
n=$intervals
while read -r k v; do echo "before $k $v"; done <$VS
wait_intervals /tmp/live.jsonl $((n + 1)) || echo "no next line in 30 s"
while read -r k v; do echo "after $k $v"; done <$VS
kill -TERM $pid; wait $pid; rc=$?
sed -n "$((n + 1))p" /tmp/live.jsonl
echo "@@rc $rc"
echo @@same
# One snapshot of the file for both tools: a fork between two reads could
# map a thread stack and move the counters.
cat /sys/kernel/debug/kasan/vmalloc_shadow >/tmp/snap
kvshadowstat --file /tmp/snap --json --prom-file /tmp/stat.prom
kvshadowtop --mode debugfs --file /tmp/snap --json -n 1 -d 0.1 --prom-file /tmp/top.prom
echo "@@rc $?"
echo @@snap; cat /tmp/snap; echo "@@rc 0"
echo @@statprom; cat /tmp/stat.prom; echo "@@rc 0"
echo @@topprom; cat /tmp/top.prom; echo "@@rc 0"
echo @@end' >"$work/out"
rc=$?
cat "$work/out"
[ "$rc" = 0 ] || fail "guest run failed ($rc)"

# part NAME: the guest's output between "@@NAME" and the next "@@rc"
part() { sed -n "/^@@$1\$/,/^@@rc /{/^@@/d;p}" "$work/out"; }
status() { sed -n "/^@@$1\$/,/^@@rc /s/^@@rc //p" "$work/out"; }

[ "$(status json)" = 0 ] || fail "kvshadowstat 0.5 3 --json: exit $(status json)"
part json >"$work/json"
[ "$(wc -l <"$work/json")" = 3 ] || fail "--json printed $(wc -l <"$work/json") lines, expected 3"
jq -e --argjson keys "$keys" '
	. as $l | .mode == "debugfs" and (.ts | type) == "number" and .interval_s > 0 and
	(.delta | type) == "object" and
	all($keys[]; ($l[.] | type) == "number" and ($l.delta[.] | type) == "number") and
	.shadow_pages == .pages_populated - .pages_released and
	.shadow_pages_peak >= .shadow_pages' "$work/json" >/dev/null ||
	fail "a --json line lacks a key or breaks shadow_pages == pages_populated - pages_released"
jq -se '.[0].since_boot and (.[1:] | all(.since_boot | not)) and
	(.[1:] | all(.interval_s > 0.3 and .interval_s < 3))' "$work/json" >/dev/null ||
	fail "since_boot or interval_s is wrong"

[ "$(status text)" = 0 ] || fail "kvshadowstat 0.5 3: exit $(status text)"
part text >"$work/text"
grep -q '^ *pages  *KiB  *peak' "$work/text" || fail "the text has no header"
[ "$(grep -cE '^ *[0-9]+( +-?[0-9]+){7}$' "$work/text")" = 3 ] || fail "expected 3 rows of 8 numbers"

# Under load: a clean stop on SIGTERM, whole lines, and populate_calls moved.
[ "$(status load)" = 0 ] || fail "kvshadowstat under load: exit $(status load) on SIGTERM"
sed -n '/^@@load$/,/^@@live$/p' "$work/out" | sed '1,/^@@rc /d' | grep '^{' >"$work/load"
[ "$(wc -l <"$work/load")" -ge 3 ] || fail "under load: only $(wc -l <"$work/load") lines"
jq -e '.shadow_pages == .pages_populated - .pages_released' "$work/load" >/dev/null ||
	fail "under load: shadow_pages != pages_populated - pages_released on a line"
jq -se '.[-1].populate_calls > .[0].populate_calls' "$work/load" >/dev/null ||
	fail "populate_calls did not move while test_vmalloc ran"
# The deltas add up to the change of the counters.
jq -se '(.[1:] | map(.delta.populate_calls) | add) == .[-1].populate_calls - .[0].populate_calls and
	(.[1:] | map(.delta.pages_populated) | add) == .[-1].pages_populated - .[0].pages_populated' \
	"$work/load" >/dev/null || fail "the deltas do not add up to the counters"

# One pipeline: for the same (quiescent) debugfs file, kvshadowstat and
# kvshadowtop --mode debugfs show the same values: kvshadowstat's counters
# since boot are the file, as kvshadowtop's debugfs object; the gauges and
# their Prometheus families are equal.
[ "$(status same)" = 0 ] || fail "kvshadowstat/kvshadowtop at quiescence: exit $(status same)"
part same >"$work/same"
[ "$(wc -l <"$work/same")" = 2 ] || fail "expected one JSON line from each tool"
jq -se --argjson keys "$keys" '.[0] as $s | .[1] as $t |
	$t.mode == "debugfs" and all($keys[]; $s[.] == $t.debugfs[.] and $s.debugfs[.] == $t.debugfs[.]) and
	$s.shadow_bytes == $t.shadow_bytes and $s.shadow_pages == $t.shadow_pages and
	$s.shadow_pages_peak == $t.shadow_pages_peak and $s.overhead_ratio != null' "$work/same" >/dev/null ||
	fail "kvshadowstat and kvshadowtop disagree on one debugfs file: $(cat "$work/same")"
for fam in kvshadow_shadow_bytes kvshadow_shadow_peak_bytes; do
	a=$(part statprom | awk -v f=$fam '$1 == f { print $2 }')
	b=$(part topprom | awk -v f=$fam '$1 == f { print $2 }')
	echo "$fam: kvshadowstat $a, kvshadowtop $b"
	[ -n "$a" ] && [ "$a" = "$b" ] || fail "$fam: kvshadowstat $a, kvshadowtop $b"
done
[ "$(part statprom | awk '$1 == "kvshadow_shadow_bytes" { print $2 }')" = \
  "$(($(jq -s '.[0].shadow_pages' "$work/same") * 4096))" ] || fail "shadow bytes != shadow_pages * 4096"

# Against the file as this test parses it: every key of the line.
# against FILE LINE: FILE's "key value" pairs equal LINE's keys.
against() {
	jq -e --argjson keys "$keys" --argjson want "$(awk '{ printf "%s\"%s\": %s", n++ ? ", " : "{", $1, $2 } END { print "}" }' "$1")" \
		'. as $l | $want as $w | ($w | keys | length) == ($keys | length) and all($keys[]; $l[.] == $w[.])' <<<"$2" >/dev/null
}
part snap >"$work/snap"
against "$work/snap" "$(sed -n 1p "$work/same")" ||
	fail "kvshadowstat --file: not the snapshot's values: $(cat "$work/snap") / $(sed -n 1p "$work/same")"
for fam in kvshadow_shadow_bytes:shadow_pages kvshadow_shadow_peak_bytes:shadow_pages_peak; do
	want=$(($(awk -v k="${fam#*:}" '$1 == k { print $2 }' "$work/snap") * 4096))
	[ "$(part statprom | awk -v f="${fam%:*}" '$1 == f { print $2 }')" = "$want" ] ||
		fail "${fam%:*}: not the snapshot's ${fam#*:} x 4096 ($want)"
done
[ "$(status live)" = 0 ] || fail "kvshadowstat 1 --json: exit $(status live) on SIGTERM"
part live >"$work/live"
grep '^before ' "$work/live" | cut -d' ' -f2- >"$work/before"
grep '^after ' "$work/live" | cut -d' ' -f2- >"$work/after"
line=$(grep '^{' "$work/live")
echo "live: $line"
cmp -s "$work/before" "$work/after" || fail "the counters moved around the live line (not quiet): $(diff "$work/before" "$work/after" | tr '\n' ' ')"
against "$work/before" "$line" || fail "kvshadowstat's live line is not the file as read around it: $(tr '\n' ' ' <"$work/before")"
echo "kvshadowstat: the snapshot's and the live file's values, as this test parses them"

console_clean || fail "unexpected report on the console"
works_where kvshadowstat "the debugfs file as the test reads it: every key, live and from a snapshot"

# The stock kernel: no file, a clear error, exit 1, nothing on stdout.
# shellcheck disable=SC2016 # expanded in the guest
vm_run --stock -- 'kvshadowstat --json >/tmp/o 2>/tmp/e; echo "@@rc $?"; echo @@o; cat /tmp/o; echo @@e; cat /tmp/e' >"$work/stock" ||
	fail "the stock guest run failed"
cat "$work/stock"
grep -qx '@@rc 1' "$work/stock" || fail "stock kernel: kvshadowstat did not exit 1"
[ "$(sed -n '/^@@o$/,/^@@e$/p' "$work/stock" | grep -vc '^@@')" = 0 ] || fail "stock kernel: output on stdout"
grep -q 'vmalloc_shadow: no such file: kernel without the kvshadow patches' "$work/stock" ||
	fail "stock kernel: the error does not say why"
console_clean || fail "unexpected report on the stock kernel's console"
works_where kvshadowstat "no file: exit 1, and why"
echo "PASS"
