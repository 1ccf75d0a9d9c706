#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# record, report and diff on two kernels whose difference we know (issue
# 21, "Done means"), and the purge numbers against the kernel's events.
# The patched 7.2 debug kernel boots twice, A without and B with
# page_owner=on, and tests/vm/guest/record_diff.sh records the same
# workload in both (three purges of 32 areas of 1 MiB by the shell).
# page_owner=on saves a stack for every page freed, so every shadow
# release is slower in B; the kasan_vmalloc_release events time each
# release (duration_ns), so the size of the difference is the events'.
# Each run, against the trace of the same window:
#  - each purge of the shell is one slow_purge record (--slow 0s) with the
#    purge_vmap_area_lazy event's npurged as its areas; the release events
#    before it summed as its shadow_pages_released, release_ns and flush_ns
#    (flags TLB_FLUSH alone); its purge_ns at least those events' time
#    and within the module's clock around vm_unmap_aliases();
#  - every workload area released its 32 shadow pages in one event;
#  - the run's latency.release and latency.populate count, p50 and p99
#    are the release and populate events' (filed in the same log2 slots:
#    exact);
#  - vmap_area_allocs, _alloc_bytes, _frees, vmap_purges,
#    vmap_areas_purged and vmap_area_purged_bytes between two quiet lines
#    around the rounds are the vmalloc events between them, which are the
#    workload's 96 areas of known size;
#  - report --json prints what the live --json printed;
#  - shadow_pages_peak, since the tool started, is the debugfs peak reset
#    at a quiet moment after its start (the rounds' high point is far
#    above what the tool's own start maps), and holds at least the 1024
#    shadow pages of one round above the shadow of that moment.
# And diff A B: latency.release p50/p99 as the two runs' events give them,
# with their sign and relative size; --fail-on exits 3 at half the change
# and 0 at twice it; the workload caller's populate_calls, 96 in both by
# construction, unchanged, and a gate on them passes.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq base64 gzip
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"
tool=$top/build/bin/kvshadowtop
[ -x "$tool" ] || fail "build/bin/kvshadowtop not built (make)"
WL=kvshadow_workload
caller="kvshadow_wl_aligned [$WL]"

# run TAG [vm_run options]: boot, record, and check the run against the
# kernel's events; leaves $work/TAG.rec and $work/TAG.release.pct (the
# release events' "P50 P99").
run() {
	local tag=$1 out=$work/$1.out shell
	shift
	vm_run --debug "$@" -- 'sh /kvshadow/tests/record_diff.sh' >"$out" ||
		{ cat "$out"; fail "$tag: guest run failed"; }
	grep -q '^record_diff OK$' "$out" || { cat "$out"; fail "$tag: the guest script did not finish"; }
	console_clean || fail "$tag: unexpected report on the console"
	grep -q '^RC 0$' "$out" || { section "$out" err; fail "$tag: kvshadowtop did not exit 0 on SIGTERM"; }
	[ -z "$(section "$out" err)" ] || { section "$out" err; fail "$tag: kvshadowtop wrote to stderr"; }
	shell=$(sed -n 's/^SHELL //p' "$out")
	section "$out" rec | base64 -d >"$work/$tag.rec" || fail "$tag: the recording did not come back"
	section "$out" out >"$work/$tag.live"
	section "$out" log >"$work/$tag.log"
	section "$out" trace >"$work/$tag.trace"

	# report prints what the live run printed, then its summary.
	"$tool" report --json "$work/$tag.rec" >"$work/$tag.report" || fail "$tag: report failed"
	head -n -1 "$work/$tag.report" | diff -q - "$work/$tag.live" >/dev/null ||
		fail "$tag: report --json is not the live output"
	tail -n 1 "$work/$tag.report" >"$work/$tag.summary"

	# The peak: the tool's against debugfs's in the last line.
	local base
	base=$(sed -n 's/^BASE //p' "$out")
	jq -s 'map(select(has("event") | not)) | last' "$work/$tag.live" >"$work/$tag.last"
	jq -c '{shadow_pages_peak, debugfs_peak: .debugfs.shadow_pages_peak}' "$work/$tag.last"
	jq -e --argjson base "$base" '.shadow_pages_peak == .debugfs.shadow_pages_peak
		and .shadow_pages_peak >= $base + 1024' "$work/$tag.last" >/dev/null ||
		fail "$tag: shadow_pages_peak is not the debugfs peak since its reset at $base pages (+1024 at least)"

	# The vmap area counters between line LA (a quiet snapshot before the
	# rounds) and the last (after them, quiet: the trace is off only after
	# it) are the events of the trace in between (allocations and their
	# sizes, lazy frees, purges and the areas they purged, the areas each
	# kasan release covered), exactly; and those are the workload's: its
	# 96 areas, their sizes as the module reports them (guard page
	# included, as alloc_vmap_area is asked for) allocated, freed and
	# purged, the kernel's own populate_calls (one per area) moving as
	# much.
	local la want got
	la=$(sed -n 's/^LA //p' "$out")
	# (Addresses overflow awk's doubles: an area's size from the low 32 bits.)
	want=$(awk 'function lo32(h) { h = substr(h, length(h) - 7); n = 0
			for (j = 1; j <= 8; j++) n = n * 16 + index("0123456789abcdef", substr(h, j, 1)) - 1
			return n }
		FNR == NR { if (/ alloc_vmap_area: /) { for (i = 1; i <= NF; i++) if ($i ~ /^size=/) { b += substr($i, 6); sz[substr($i, 6)]++ }; a++ }
			if (/ free_vmap_area_noflush: /) f++
			if (/ purge_vmap_area_lazy: /) { p++; for (i = 1; i <= NF; i++) if ($i ~ /^num_purged=/) np += substr($i, 12) }
			if (/ kasan_vmalloc_release: /) { for (i = 1; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] }
				if (r["flags"] ~ /PAGE_RANGE/) pb += (lo32(r["end"]) - lo32(r["start"]) + 4294967296) % 4294967296 }
			next }
		/op=alloc/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); g[kv[1]] = kv[2] }
			w = (lo32(g["end"]) - lo32(g["start"]) + 4294967296) % 4294967296; wb += w; wa++; wsz[w]++ }
		/op=free/ { wf++ }
		END { for (w in wsz) if (sz[w] < wsz[w]) miss += wsz[w] - sz[w]
			printf "%d %.0f %d %d %d %.0f %d %.0f %d %d\n", a, b, f, p, np, pb, wa, wb, wf, miss }' "$work/$tag.trace" "$work/$tag.log")
	got=$(jq -s -r --argjson la "$la" 'map(select(has("event") | not)) | [.[$la - 1], last]
		| [(.[1].vmap_area_allocs - .[0].vmap_area_allocs), (.[1].vmap_area_alloc_bytes - .[0].vmap_area_alloc_bytes),
		   (.[1].vmap_area_frees - .[0].vmap_area_frees), (.[1].vmap_purges - .[0].vmap_purges),
		   (.[1].vmap_areas_purged - .[0].vmap_areas_purged), (.[1].vmap_area_purged_bytes - .[0].vmap_area_purged_bytes),
		   (.[1].debugfs.populate_calls - .[0].debugfs.populate_calls)] | map(tostring) | join(" ")' "$work/$tag.live")
	echo "$tag: vmap areas allocated, bytes, freed, purges, areas purged, bytes purged (events; workload areas, bytes, frees) / the tool's, debugfs populate_calls: $want / $got"
	read -r ea eb ef ep enp epb wa wb wf miss <<<"$want"
	[ "$got" = "$ea $eb $ef $ep $enp $epb $ea" ] ||
		fail "$tag: vmap_area_allocs, _alloc_bytes, _frees, vmap_purges, vmap_areas_purged, vmap_area_purged_bytes, debugfs populate_calls moved $got; the events say $ea $eb $ef $ep $enp $epb"
	# The workload's 96 areas are among them, each an allocation of its
	# size; the kernel may add its own (a new kworker's stack, once in a
	# run), and the purges also take what was lazily freed before the
	# window (what loading the tool's programs left).
	if [ "$wa" != 96 ] || [ "$miss" != 0 ] || [ "$ea" -lt "$wa" ] || [ "$eb" -lt "$wb" ] ||
		[ "$ef" -lt "$wf" ] || [ "$enp" -lt "$wa" ] || [ "$epb" -lt "$wb" ]; then
		fail "$tag: the vmalloc events ($ea $eb $ef, $enp purged, $epb bytes; $miss of the workload's sizes missing) do not hold the workload's 96 areas ($wa $wb $wf)"
	fi

	# The shell's purges as the trace has them: "NPURGED RELEASED RELEASE_NS
	# FLUSH_NS" per purge_vmap_area_lazy event, its release events before it.
	awk -v shell="$shell" '$1 !~ ("-" shell "$") { next }
		{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } }
		/ kasan_vmalloc_release: / {
			rel += f["nr_released"]
			if (f["flags"] == "TLB_FLUSH") fl += f["duration_ns"]; else rns += f["duration_ns"] }
		/ purge_vmap_area_lazy: / { print f["num_purged"], rel + 0, rns + 0, fl + 0; rel = rns = fl = 0 }' \
		"$work/$tag.trace" >"$work/$tag.want"
	jq -r --argjson p "$shell" 'select(.event == "slow_purge" and .pid == $p)
		| "\(.areas) \(.shadow_pages_released) \(.release_ns) \(.flush_ns)"' \
		"$work/$tag.live" >"$work/$tag.got"
	echo "$tag: the shell's purges (areas released release_ns flush_ns): events / records"
	paste -d '|' "$work/$tag.want" "$work/$tag.got"
	[ "$(wc -l <"$work/$tag.want")" = 3 ] || fail "$tag: $(wc -l <"$work/$tag.want") purges by the shell in the trace, want 3"
	diff "$work/$tag.want" "$work/$tag.got" >/dev/null || fail "$tag: the slow_purge records are not the purge and release events"
	# Its time: the release events run inside the purge; the module's
	# ktime reads (the clock of fentry/fexit and duration_ns) bracket
	# vm_unmap_aliases(), which runs it.
	paste -d ' ' <(awk '/op=purge/ { for (i = 1; i <= NF; i++) if ($i ~ /^ns=/) print substr($i, 4) }' "$work/$tag.log") \
		<(jq -r --argjson p "$shell" 'select(.event == "slow_purge" and .pid == $p) | .purge_ns' "$work/$tag.live") \
		"$work/$tag.want" | awk '{ if ($2 < $5 + $6 || $2 > $1) { print "purge_ns " $2 ": events " $5 + $6 ", module " $1; bad = 1 } }
		END { exit bad }' || fail "$tag: a purge's time is outside its events' and the module's"
	jq -e --argjson p "$shell" 'select(.event == "slow_purge" and .pid == $p) | .in_vmalloc == false and .comm == "sh"' \
		"$work/$tag.live" | grep -qv true && fail "$tag: a purge of the shell not said to be its own"
	# Every workload area: one release of its 32 shadow pages (the
	# flush-only call of a purge names the first area's start too; a round
	# may reuse the addresses of the one before: as many releases at an
	# address as areas made there).
	awk 'FNR == NR { if (/op=alloc/) { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			want[f["start"]]++; n++ }; next }
		/ kasan_vmalloc_release: / { for (i = 1; i <= NF; i++) { split($i, kv, "="); g[kv[1]] = kv[2] }
			if (g["flags"] == "PAGE_RANGE" && g["start"] in want) { if (g["nr_released"] != 32) bad = 1; seen[g["start"]]++ } }
		END { for (a in want) if (seen[a] != want[a]) bad = 1; if (n != 96) bad = 1; exit bad }' \
		"$work/$tag.log" "$work/$tag.trace" || fail "$tag: not 96 workload areas each released once with 32 shadow pages"

	# latency.release: the run's release events, filed as the tool files
	# them. The window starts at the first report; nothing frees before the
	# workload does, so the tool has counted nothing the trace missed.
	local first
	first=$(jq -s 'map(select(has("event") | not)) | first | .latency.release.count' "$work/$tag.live")
	latency_is_events "$tag" release "$first" "$work/$tag.summary"

	# latency.populate likewise, from line LA (none before it: the tool's
	# own start populates before it attaches) to the last, against the
	# populate events of the window between them.
	first=$(jq -s --argjson la "$la" 'map(select(has("event") | not)) | .[$la - 1].latency.populate.count' "$work/$tag.live")
	latency_is_events "$tag" populate "$first" "$work/$tag.last"
}

# latency_is_events TAG KIND FIRST JSON: latency.KIND of the JSON object
# in file JSON is the kasan_vmalloc_KIND events of TAG's trace (count, and
# p50/p99 filed in the same log2 slots: exact), FIRST (its count before
# the window) being 0; "P50 P99" into $work/TAG.KIND.pct.
latency_is_events() {
	local tag=$1 kind=$2 first=$3 json=$4 n p50 p99
	sed -n "s/.* kasan_vmalloc_$kind: .* duration_ns=\([0-9]*\).*/$kind \1/p" "$work/$tag.trace" >"$work/$tag.$kind"
	n=$(awk '$2 > 0' "$work/$tag.$kind" | wc -l)
	p50=$(log2_quantile "$work/$tag.$kind" "$kind" 0.5) p99=$(log2_quantile "$work/$tag.$kind" "$kind" 0.99)
	echo "$tag: $kind events $n, p50 $p50 p99 $p99; the tool: $(jq -c ".latency.$kind" "$json")"
	[ "$first" = 0 ] || fail "$tag: $first ${kind}s timed before the window: the percentiles cannot be compared"
	jq -e --arg k "$kind" --argjson n "$n" --argjson p50 "$p50" --argjson p99 "$p99" '.latency[$k] | .count == $n
		and (.p50_ns - $p50 | fabs) <= 1e-9 * $p50 + 0.001 and (.p99_ns - $p99 | fabs) <= 1e-9 * $p99 + 0.001' \
		"$json" >/dev/null || fail "$tag: latency.$kind is not the $kind events'"
	echo "$p50 $p99" >"$work/$tag.$kind.pct"
}

run a
run b --page-owner
# RECORD_DIFF_KEEP=DIR keeps both recordings (the README's example).
[ -z "${RECORD_DIFF_KEEP:-}" ] || cp "$work/a.rec" "$work/b.rec" "$RECORD_DIFF_KEEP/"
read -r a50 a99 <"$work/a.release.pct"
read -r b50 b99 <"$work/b.release.pct"
echo "release p50 $a50 -> $b50, p99 $a99 -> $b99 (page_owner=on)"
# The difference this test relies on: page_owner's stack per freed page.
awk -v a="$a50" -v b="$b50" 'BEGIN { exit !(b > a) }' ||
	fail "page_owner=on did not make the median release slower ($a50 -> $b50 ns): the known difference is gone"

"$tool" diff "$work/a.rec" "$work/b.rec" --json >"$work/diff.json" || fail "diff exited $?"
"$tool" diff "$work/a.rec" "$work/b.rec" --fail-on "latency.release.p99_ns>+20%" | tee "$work/diff.txt"
for q in p50:1 p99:2; do
	a=$(cut -d' ' -f"${q#*:}" "$work/a.release.pct") b=$(cut -d' ' -f"${q#*:}" "$work/b.release.pct") q=${q%:*}
	jq -e --arg k "latency.release.${q}_ns" --argjson a "$a" --argjson b "$b" '[.keys[] | select(.key == $k)][0]
		| (.a - $a | fabs) <= 1e-9 * $a + 0.001 and (.b - $b | fabs) <= 1e-9 * $b + 0.001
		and (.change - ($b - $a) | fabs) <= 1e-9 * $b + 0.002
		and (.relative_change - ($b - $a) / $a | fabs) < 1e-6' "$work/diff.json" >/dev/null ||
		fail "diff: latency.release.${q}_ns is not $a -> $b: $(jq -c --arg k "latency.release.${q}_ns" '.keys[] | select(.key == $k)' "$work/diff.json")"
done
# The gate: exit 3 at half the p50 change, 0 at twice it (whole percents).
read -r below above < <(awk -v a="$a50" -v b="$b50" 'BEGIN { r = (b - a) / a * 100
	lo = int(r / 2); if (lo < 1) lo = 1; printf "%d %d\n", lo, int(r * 2) + 1 }')
"$tool" diff "$work/a.rec" "$work/b.rec" --fail-on "latency.release.p50_ns>+$below%" >"$work/gate" 2>&1
[ $? = 3 ] || { cat "$work/gate"; fail "--fail-on latency.release.p50_ns>+$below%: not exit 3"; }
grep -qF "crossed  latency.release.p50_ns>+$below%" "$work/gate" || fail "--fail-on: the crossed threshold not named"
"$tool" diff "$work/a.rec" "$work/b.rec" --fail-on "latency.release.p50_ns>+$above%" >"$work/gate" 2>&1 ||
	{ cat "$work/gate"; fail "--fail-on latency.release.p50_ns>+$above%: exit $?"; }
echo "gate: exit 3 at +$below %, 0 at +$above %"
# What did not change: the workload's calls, 3 rounds of 32 in both.
jq -e --arg c "$caller" '[.rows[] | select(.caller == $c and .key == "populate_calls")][0]
	| .a == 96 and .b == 96 and .change == 0' "$work/diff.json" >/dev/null ||
	fail "diff: $caller populate_calls: $(jq -c --arg c "$caller" '[.rows[] | select(.caller == $c)]' "$work/diff.json")"
"$tool" diff "$work/a.rec" "$work/b.rec" --fail-on "caller=$caller:populate_calls>+0" >"$work/gate" 2>&1 ||
	{ cat "$work/gate"; fail "--fail-on caller=$caller:populate_calls>+0: exit $?"; }
works_where "exact, record and diff" "the kasan and vmalloc events (purges, release latency), the workload module's areas"
echo PASS
