#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop diff (issue 21): two recordings whose difference this test
# makes. A real recording (debugfs mode on a file of counters, so no BPF
# is needed) is copied twice and its interval objects set, with jq, to
# known numbers: in A shadow_pages_peak 1000, populate_calls 50,
# release_calls 200, populate p99 2000 ns, callers load_module (400 pages)
# and "mod:fn" (100 pages); in B 1120 (+12 %), 57 (+7), 160 (-20 %),
# 6000 ns (+200 %), 440 (+10 %) and 100. diff must report each change
# with its sign and size, exit 3 at a threshold below it and 0 at one
# above it, exit 3 naming a number missing (null in the mode, a caller not
# in the rows, a key no run has) and a number left out because the runs'
# page sizes or modes differ; 1 for a file it cannot read, 2 for usage.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

need jq gzip
top_bin=$bin/kvshadowtop

debugfs_file "$work/counters"
expect_status 0 "$top_bin" record -o "$work/base.rec" --mode debugfs --file "$work/counters" -n 3 -d 0.1 --json
zcat "$work/base.rec" >"$work/base.jsonl" || fail "zcat of the recording failed"

# make OUT PEAK CALLS RELEASES P99 LOAD_MODULE_PAGES [HEADER-JQ]: base with
# every interval object set to these numbers (the header edited by HEADER-JQ).
make_rec() {
	local out=$1
	jq -c --argjson peak "$2" --argjson calls "$3" --argjson rel "$4" --argjson p99 "$5" \
		--argjson lm "$6" "if has(\"kvshadow_recording\") then (${7:-.})
		elif has(\"event\") then .
		else .shadow_pages_peak = \$peak | .populate_calls = \$calls | .release_calls = \$rel
		| .latency.populate = {available: true, source: \"tracepoint\", count: 100,
			p50_ns: 1000, p99_ns: \$p99, interval_p50_ns: null, interval_p99_ns: null}
		| .top_by = \"caller\"
		| .top = [{caller: \"load_module\", pages_populated: \$lm, populate_calls: 10,
			   vmalloc_p50_ns: null, vmalloc_p99_ns: null, populate_p50_ns: null,
			   populate_p99_ns: null},
			  {caller: \"mod:fn\", pages_populated: 100, populate_calls: 5,
			   vmalloc_p50_ns: null, vmalloc_p99_ns: null, populate_p50_ns: null,
			   populate_p99_ns: null}]
		end" "$work/base.jsonl" | gzip >"$out" || fail "making $out"
}
make_rec "$work/a.rec" 1000 50 200 2000 400
make_rec "$work/b.rec" 1120 57 160 6000 440

echo "== the changes, with sign and size"
expect_status 0 "$top_bin" diff "$work/a.rec" "$work/b.rec" --json
jq -e '.status == 0 and .a.intervals == 3 and .b.intervals == 3' "$work/out" >/dev/null ||
	fail "diff --json: $(head -c 300 "$work/out")"
# key WANT-A WANT-B WANT-CHANGE WANT-REL: one compared number of diff --json.
key() {
	jq -e --arg k "$1" --argjson a "$2" --argjson b "$3" --argjson c "$4" --argjson r "$5" \
		'[.keys[] | select(.key == $k)][0] | .a == $a and .b == $b and .change == $c
		 and ((.relative_change - $r) | fabs) < 1e-9' "$work/out" >/dev/null ||
		fail "$1: want $2 -> $3 ($4, $5): $(jq -c --arg k "$1" '.keys[] | select(.key == $k)' "$work/out")"
}
# The relative changes are exact fractions; 1e-9 absorbs only binary rounding.
key shadow_pages_peak 1000 1120 120 0.12
key populate_calls 50 57 7 0.14
key release_calls 200 160 -40 -0.2
key latency.populate.p99_ns 2000 6000 4000 2
jq -e '[.rows[] | select(.caller == "load_module" and .key == "pages_populated")][0]
	| .a == 400 and .b == 440 and .change == 40' "$work/out" >/dev/null ||
	fail "the load_module row: $(jq -c '.rows' "$work/out" | head -c 400)"
jq -e '[.rows[] | select(.caller == "mod:fn" and .key == "pages_populated")][0] | .change == 0' \
	"$work/out" >/dev/null || fail "the mod:fn row"
ok "diff --json: +12%, +7, -20%, +200%, load_module +40 pages, mod:fn unchanged"
expect_status 0 "$top_bin" diff "$work/a.rec" "$work/b.rec"
grep -qE '^shadow_pages_peak +1000 +1120 +\+120 +\+12\.0%$' "$work/out" ||
	fail "the text table: $(grep shadow_pages_peak "$work/out")"
grep -qE '^load_module:pages_populated +400 +440 +\+40 +\+10\.0%$' "$work/out" ||
	fail "the text rows: $(grep load_module "$work/out")"
ok "the text table says the same"

echo "== --fail-on: 3 below the change, 0 above it"
for pair in 'shadow_pages_peak>+10%|shadow_pages_peak>+15%' 'populate_calls>+5|populate_calls>+8' \
	'release_calls<-10%|release_calls<-30%' \
	'latency.populate.p99_ns>+150%|latency.populate.p99_ns>+250%' \
	'caller=load_module:pages_populated>+5%|caller=load_module:pages_populated>+15%' \
	'caller=mod:fn:pages_populated>-1%|caller=mod:fn:pages_populated>+1%'; do
	below=${pair%|*} above=${pair#*|}
	expect_status 3 "$top_bin" diff "$work/a.rec" "$work/b.rec" --fail-on "$below"
	grep -qF "crossed  $below" "$work/out" || fail "$below: not said crossed: $(grep -A3 fail-on "$work/out")"
	expect_status 0 "$top_bin" diff "$work/a.rec" "$work/b.rec" --fail-on "$above"
	grep -qF "ok       $above" "$work/out" || fail "$above: not said ok"
done
expect_status 0 "$top_bin" diff "$work/a.rec" "$work/b.rec" --fail-on \
	'shadow_pages_peak>+15%,populate_calls>+8,release_calls<-30%,caller=load_module:pages_populated>+15%'
expect_status 3 "$top_bin" diff "$work/a.rec" "$work/b.rec" --json --fail-on \
	'shadow_pages_peak>+15%,populate_calls>+5'
jq -e '.status == 3 and ([.fail_on[].result] == ["ok", "crossed"])' "$work/out" >/dev/null ||
	fail "--json --fail-on: $(jq -c .fail_on "$work/out")"
ok "every threshold: exit 3 below the change, 0 above; a list fails on its one crossed"

echo "== --fail-on: a number missing from either run fails, saying why"
for m in 'vmap_area_allocs>+1%|null in A (debugfs mode)' \
	'caller=nobody:pages_populated>+1%|not among A' \
	'no_such_key>+1%|neither run has' \
	'debugfs.shadow_pages>+1%|not compared' \
	'caller=load_module:no_such_key>+1%|no number'; do
	expr=${m%|*} why=${m#*|}
	expect_status 3 "$top_bin" diff "$work/a.rec" "$work/b.rec" --fail-on "$expr"
	grep -F "missing  $expr" "$work/out" | grep -qF "$why" ||
		fail "$expr: want missing, '$why': $(grep -A3 fail-on "$work/out")"
done
ok "null in the mode, a caller not in the rows, unknown keys: exit 3, each said why"

echo "== runs whose numbers do not mean the same"
make_rec "$work/b16k.rec" 1120 57 160 6000 440 '.page_size = 16384'
expect_status 3 "$top_bin" diff "$work/a.rec" "$work/b16k.rec" --json --fail-on 'shadow_pages_peak>+1%'
jq -e '([.left_out[] | select(.key == "shadow_pages_peak")][0].left_out | test("pages of 4096 bytes in A, 16384 in B"))
	and ([.keys[].key] | index("shadow_pages_peak") == null)
	and ([.keys[].key] | index("populate_calls") != null)
	and ([.rows[] | select(.key == "pages_populated")] == [])
	and (.fail_on[0].result == "missing") and (.fail_on[0].why | test("left out"))' "$work/out" >/dev/null ||
	fail "page sizes: $(jq -c '{left_out, fail_on}' "$work/out" | head -c 600)"
expect_status 0 "$top_bin" diff "$work/a.rec" "$work/b16k.rec"
grep -q '^Left out' "$work/out" || fail "the text does not say what it left out"
make_rec "$work/bex.rec" 1120 57 160 6000 440 '.mode = "estimate"'
expect_status 0 "$top_bin" diff "$work/a.rec" "$work/bex.rec" --json
jq -e '([.left_out[] | select(.key == "pages_populated")][0].left_out | test("modelled in estimate mode, measured in debugfs mode"))
	and ([.keys[].key] | index("release_calls") == null)
	and ([.keys[].key] | index("latency.populate.p99_ns") == null)' "$work/out" >/dev/null ||
	fail "estimate against debugfs: $(jq -c '.left_out' "$work/out" | head -c 600)"
make_rec "$work/bx.rec" 1120 57 160 6000 440 '.mode = "exact"'
expect_status 0 "$top_bin" diff "$work/a.rec" "$work/bx.rec" --json
jq -e '([.left_out[] | select(.key == "shadow_pages_peak")][0].left_out | test("since boot or reset"))
	and ([.keys[].key] | index("populate_calls") != null)' "$work/out" >/dev/null ||
	fail "debugfs against exact: $(jq -c '.left_out' "$work/out" | head -c 600)"
ok "other page size, estimate or debugfs against measured: left out, said why"

echo "== files it cannot read, usage"
printf 'hello\n' | gzip >"$work/foreign.gz"
expect_status 1 "$top_bin" diff "$work/a.rec" "$work/missing.rec"
err_has 'cannot open' "a missing file"
expect_status 1 "$top_bin" diff "$work/foreign.gz" "$work/b.rec" --fail-on 'shadow_pages_peak>+1%'
err_has 'not a kvshadowtop recording' "a foreign file"
expect_status 2 "$top_bin" diff "$work/a.rec"
expect_status 2 "$top_bin" diff "$work/a.rec" "$work/b.rec" --fail-on 'shadow_pages_peak>5%'
err_has 'sign' "a threshold without its sign"
expect_status 2 "$top_bin" diff "$work/a.rec" "$work/b.rec" --fail-on 'shadow_pages_peak'
expect_status 2 "$top_bin" diff "$work/a.rec" "$work/b.rec" --fail-on 'caller=:x>+1%'
ok "unreadable: 1; one file, thresholds without sign or number, caller without name: 2"

echo PASS
