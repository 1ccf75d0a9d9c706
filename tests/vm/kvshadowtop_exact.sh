#!/bin/bash
# kvshadowtop in the test kernel during test_vmalloc (2 threads): exact-mode
# totals equal the debugfs deltas exactly with drift_pages 0, and estimate
# mode, forced on the same kernel, lands within 5 % of the real shadow_pages
# (kptr_restrict=0: seeded from the kernel's vmap lists); before the load,
# its seeds at kptr_restrict=1 (the file) and 2 (sizes) against debugfs.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"

out=$work/out
vm_run -- 'sh /kvshadow/tests/kvshadowtop_exact.sh' >"$out" || { cat "$out"; fail "guest run failed"; }
grep -v '^EXACT \|^ESTIMATE \|^ESTLINE ' "$out"
grep -q "^RC exact=0 estimate=0$" "$out" || fail "a kvshadowtop run did not exit 0 after SIGTERM"
exact=$(sed -n 's/^EXACT //p' "$out")
est=$(sed -n 's/^ESTIMATE //p' "$out")
echo "$exact" | jq -e . >/dev/null || fail "exact: no JSON line"
echo "$est" | jq -e . >/dev/null || fail "estimate: no JSON line"

echo "exact:    $(echo "$exact" | jq -c '{shadow_pages, populate_calls, pages_populated, release_calls, pages_released, drift_pages, debugfs_shadow: .debugfs.shadow_pages}')"
[ "$(echo "$exact" | jq -r .mode)" = exact ] || fail "exact: mode is not exact"
[ "$(echo "$exact" | jq .drift_pages)" = 0 ] || fail "exact: drift_pages is not 0"
[ "$(echo "$exact" | jq '.shadow_pages == .debugfs.shadow_pages')" = true ] ||
	fail "exact: shadow_pages differs from debugfs"
for k in populate_calls pages_populated pages_allocated populate_failures release_calls pages_released; do
	got=$(echo "$exact" | jq ".$k")
	want=$(echo "$exact" | jq ".debugfs.$k - .debugfs_baseline.$k")
	[ "$got" = "$want" ] || fail "exact: $k $got, debugfs delta $want"
done
# A floor that says test_vmalloc was seen (exactness is debugfs's, above):
# its long_busy_list test alone vmallocs 15000 one-page areas per thread.
[ "$(echo "$exact" | jq .populate_calls)" -ge 10000 ] || fail "exact: test_vmalloc's populate calls not seen"
echo "$exact" | jq -e '.top | length > 0 and (.[0].caller | test("0x|ffff") | not)' >/dev/null ||
	fail "exact: no caller attribution, or an address in a caller name"
echo "$exact" | jq -e '.latency.populate.available and .latency.populate.p99_ns > 0' >/dev/null ||
	fail "exact: no populate latency"

echo "estimate: $(echo "$est" | jq -c '{shadow_pages, populate_calls, events_lost, unknown_frees, debugfs_shadow: .debugfs.shadow_pages}')"
[ "$(echo "$est" | jq -r .mode)" = estimate ] || fail "estimate: mode is not estimate"
# kptr_restrict=0: the addresses from the kernel's vmap lists, not the file.
[ "$(echo "$est" | jq -r .estimate_seed)" = exact ] || fail "estimate: the seed is not exact (the vmap list walk)"
# Not derived (issue 20, item 5: listed): the 5 % below, the minority of
# readings that may be crossed by a purge and the quarter that may need the
# in-flight allowance come from runs, not from a kernel behaviour. What
# would be derived: per reading, the populates and releases BPF counted
# between the model read and the debugfs read (a tool change).
echo "$est" | jq -e '(.shadow_pages - .debugfs.shadow_pages | fabs) <= 0.05 * .debugfs.shadow_pages' >/dev/null ||
	fail "estimate: shadow_pages $(echo "$est" | jq .shadow_pages) not within 5 % of debugfs $(echo "$est" | jq .debugfs.shadow_pages)"
# Every interval, from the first: idle, under load, after purges. A purge
# releases shadow before its event tells the model; the tool sees purges
# run (fentry) and reads again, and flags a reading one still cut through
# (purge_crossed): those are shown, not judged, and must stay a minority.
sed -n 's/^ESTLINE //p' "$out" >"$work/est.jsonl"
jq -r '[.shadow_pages, .debugfs.shadow_pages, ((.shadow_pages - .debugfs.shadow_pages | fabs) / .debugfs.shadow_pages * 100 | floor), (if .purge_crossed then "purge crossed the reading" else "" end)] | @tsv' \
	"$work/est.jsonl" | awk -F'\t' '{ print "estimate/debugfs: " $1 " " $2 " (" $3 "%) " $4 }'
lines=$(wc -l <"$work/est.jsonl")
crossed=$(jq -s '[.[] | select(.purge_crossed == true)] | length' "$work/est.jsonl")
[ "$(jq -s '[.[] | select(.purge_crossed == null)] | length' "$work/est.jsonl")" = 0 ] ||
	fail "estimate: purge_crossed is null: the tool does not see purges (fentry on __purge_vmap_area_lazy)"
[ "$lines" -ge 20 ] || fail "estimate: only $lines intervals"
# Under the 2-thread test_vmalloc the kernel's drain work purges almost
# back to back: 10 of 37 and 15 of 66 readings were crossed even with the
# tool's three tries. The judged readings must stay the majority.
[ $((crossed * 2)) -lt "$lines" ] || fail "estimate: $crossed of $lines readings were crossed by a purge"
# The model is read after the ring is drained, debugfs a moment later: a
# reading under load may miss what was populated or released in between,
# never more than the interval's own activity (debugfs's deltas). So an
# interval is within 5 % of debugfs, or else within 5 % plus that activity
# (counted, and a minority); the first, with no previous line, within 5 %.
jq -s '[range(0; length) as $i | .[$i] as $c | select($c.purge_crossed == false)
	| (($c.shadow_pages - $c.debugfs.shadow_pages) | fabs) as $d
	| (if $i == 0 then 0 else
		($c.debugfs.pages_populated - .[$i - 1].debugfs.pages_populated) +
		($c.debugfs.pages_released - .[$i - 1].debugfs.pages_released) end) as $act
	| select($d > 0.05 * $c.debugfs.shadow_pages)
	| { off: $d, activity: $act, beyond: ($d > 0.05 * $c.debugfs.shadow_pages + $act) }]' \
	"$work/est.jsonl" >"$work/est.off.json"
inflight=$(jq length "$work/est.off.json")
bad=$(jq '[.[] | select(.beyond)] | length' "$work/est.off.json")
echo "estimate: $lines intervals, $crossed crossed by a purge, $inflight of the others beyond 5 % of debugfs but within their interval's activity: $(jq -c . "$work/est.off.json")"
[ "$bad" = 0 ] || fail "estimate: $bad of $lines intervals beyond 5 % of debugfs plus their interval's activity"
[ $((inflight * 4)) -le "$lines" ] || fail "estimate: $inflight of $lines readings needed the in-flight allowance"
console_clean || fail "unexpected report on the console"
works_where exact "debugfs: totals equal its deltas over a 2-thread test_vmalloc, drift 0"
works_where "estimate (forced, seed from the vmap lists by BPF)" "debugfs shadow_pages, within 5 %"

# The other seeds, in a guest of their own, each from the first interval of
# a short run: at 1 the file's addresses, within the 5 % above; at 2 the
# sizes alone, whose bound holds debugfs but for the same 5 % (shadow left
# mapped by areas purged before the start: no seed can see it). Not in the
# guest above: a short run's exit leaves such shadow (19 pages, 5 % of an
# idle guest, for the estimate started after two of them), and after
# test_vmalloc there are thousands of such pages.
# shellcheck disable=SC2016 # expanded in the guest
vm_run -- 'for v in 1 2; do echo $v >/proc/sys/kernel/kptr_restrict
	kvshadowtop --json -n 2 -d 0.3 --mode estimate >/tmp/k 2>/tmp/e || { cat /tmp/e; exit 1; }
	echo "KPTR$v $(tail -n 1 /tmp/k)"; done; echo 0 >/proc/sys/kernel/kptr_restrict' >"$work/seeds" ||
	{ cat "$work/seeds"; fail "the seeds' guest run failed"; }
k1=$(sed -n 's/^KPTR1 //p' "$work/seeds") k2=$(sed -n 's/^KPTR2 //p' "$work/seeds")
echo "kptr_restrict=1: $(echo "$k1" | jq -c '{estimate_seed, shadow_pages, debugfs: .debugfs.shadow_pages}')"
echo "kptr_restrict=2: $(echo "$k2" | jq -c '{estimate_seed, shadow_pages, shadow_pages_bound, debugfs: .debugfs.shadow_pages}')"
echo "$k1" | jq -e '.estimate_seed == "exact" and ((.shadow_pages - .debugfs.shadow_pages) | fabs) <= 0.05 * .debugfs.shadow_pages' >/dev/null ||
	fail "estimate at kptr_restrict=1: not an exact seed within 5 % of debugfs"
echo "$k2" | jq -e '.estimate_seed == "approximate" and .shadow_pages_bound.low <= .debugfs.shadow_pages
	and .debugfs.shadow_pages <= 1.05 * .shadow_pages_bound.high' >/dev/null ||
	fail "estimate at kptr_restrict=2: debugfs outside the approximate seed's bound"
console_clean || fail "unexpected report on the seeds' guest console"
works_where "estimate (forced), kptr_restrict 1 and 2" "debugfs at the first interval: the file's seed within 5 %, the sizes' bound"
echo PASS
