#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop --slow and the per-caller latency columns in the test kernel,
# against what the kernel and the workload module record on their own
# (tests/vm/guest/slow.sh):
# - --slow 0s logs every vmalloc call once: the shell's records are the
#   workload module's calls (caller, size), as many as the kprobe on
#   __vmalloc_node_range_noprof saw minus the nested page-array calls;
# - a record's populate time and pages are the kasan_vmalloc_populate
#   events of that task inside that call; the slow-by-construction call
#   (64 MiB) populates exactly the shadow pages its addresses cover and
#   spends a share of its time there; its duration is within the module's;
# - --slow 3600s logs nothing; -b --slow 5ms prints the slow call's line;
# - the rows' vmalloc p50/p99 lie between the quantiles of a span inside
#   each call (its populate's start to its pages mapped, from the trace)
#   and of the module's clock around it (one clock),
#   their populate p50/p99 are those of the kasan events of each
#   function's calls, exactly; the 64 MiB caller's median above the 40 KiB
#   one's (their known costs); latency.vmalloc (every call, the nested one
#   too) as many as the kprobe saw, its p50/p99 bounded the same way;
# - every line of --json output is JSON; slow_vmalloc counts the records.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"

out=$work/out
vm_run -- 'sh /kvshadow/tests/slow.sh' >"$out" || { cat "$out"; fail "guest run failed"; }
# VM_TEST_KEEP=FILE keeps the guest's output, to look into a failure.
[ -z "${VM_TEST_KEEP:-}" ] || cp "$out" "$VM_TEST_KEEP"
grep -q '^slow OK$' "$out" || { cat "$out"; fail "the guest script did not finish"; }
shell=$(sed -n 's/^SHELL //p' "$out")
for t in all none batch; do
	grep -q "^RC $t 0$" "$out" || { section "$out" "$t.err"; fail "$t: kvshadowtop did not exit 0 on SIGTERM"; }
	[ -z "$(section "$out" "$t.err")" ] || { section "$out" "$t.err"; fail "$t: kvshadowtop wrote to stderr"; }
done
WL=kvshadow_workload

# ---- --slow 0s: every call ----
section "$out" all.out >"$work/all.json"
jq -e . "$work/all.json" >/dev/null || fail "all: a line is not JSON"
jq -c 'select(.event == "slow_vmalloc")' "$work/all.json" >"$work/rec"
last=$(jq -c 'select(has("event") | not)' "$work/all.json" | tail -n 1)
nrec=$(grep -c . "$work/rec")
echo "all: $nrec records, slow_vmalloc $(echo "$last" | jq .slow_vmalloc), slow_lost $(echo "$last" | jq .slow_lost)"
[ "$(echo "$last" | jq .slow_vmalloc)" = "$nrec" ] || fail "all: slow_vmalloc is not the number of records"
[ "$(echo "$last" | jq .slow_lost)" = 0 ] || fail "all: records lost"

section "$out" all.log | awk '$2 == "op=alloc"' >"$work/log"
section "$out" all.trace >"$work/trace"
# The shell's calls as the module logged them: "fn size" lines, sorted.
awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	print f["fn"] " [" wl "] " f["size"] }' wl=$WL "$work/log" | sort >"$work/want"
jq -r --argjson p "$shell" 'select(.pid == $p) | "\(.caller) \(.size)"' "$work/rec" | sort >"$work/got"
echo "the shell's records (caller size):"; uniq -c "$work/got"
diff "$work/want" "$work/got" || fail "all: the shell's records are not the module's calls"
[ "$(wc -l <"$work/want")" = 11 ] || fail "all: the module logged $(wc -l <"$work/want") calls, want 11"
jq -e --argjson p "$shell" 'select(.pid == $p) | .comm == "sh" and .tgid == $p' "$work/rec" |
	grep -qv true && fail "all: a record of the shell without comm sh"
# The kernel's count: kprobe hits of the shell minus the nested page-array calls.
hits=$(grep -cE "^ *sh-$shell +\[.* vm: " "$work/trace")
nested=$(grep -c 'nested=[1-9]' "$work/log")
echo "kprobe: $hits calls by the shell, $nested nested ones"
[ "$((hits - nested))" = "$(wc -l <"$work/got")" ] ||
	fail "all: $((hits - nested)) outermost vmalloc calls in the kprobe trace, $(wc -l <"$work/got") records"

# Populate inside the calls: the kasan events of the shell, summed.
for k in nr_populated nr_allocated duration_ns; do
	want=$(grep -E "^ *sh-$shell +\[.* kasan_vmalloc_populate: " "$work/trace" |
	       sed -n "s/.* $k=\([0-9]*\).*/\1/p" | awk '{ s += $1 } END { print s + 0 }')
	f=$k; [ "$k" = duration_ns ] && f=populate_ns
	got=$(jq -s --argjson p "$shell" "map(select(.pid == \$p) | .$f) | add" "$work/rec")
	echo "populate $k: kernel events $want, records $got"
	[ "$want" = "$got" ] || fail "all: the records' $f add up to $got, the kasan events to $want"
done

# The slow call: its pages from its addresses, its time against the module's.
slow=$(jq -c --argjson p "$shell" "select(.pid == \$p and .caller == \"kvshadow_wl_slow [$WL]\")" "$work/rec")
read -r start end ns < <(awk '/fn=kvshadow_wl_slow/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
	print f["start"], f["end"], f["ns"] }' "$work/log")
pages=$(( ((end - 1) >> 15) - (start >> 15) + 1 ))
echo "slow call: $slow"
echo "module: [$start, $end) ${ns} ns: $pages shadow pages"
# The kernel's events inside that call (trace order: from its kprobe hit to
# the shell's next outermost call; the nested page-array call is inside).
read -r kpop kalloc kns kcover < <(awk -v shell="$shell" -v start="$start" '
	$1 !~ ("-" shell "$") { next }
	/ vm: / { size = $NF; sub(/size=/, "", size)
		if (size == 67104768) { in_slow = 1; next }
		# The log gives the nested area: its size, page-aligned, plus a guard page.
		if (in_slow && int((size + 4095) / 4096) * 4096 + 4096 != nested) in_slow = 0
		next }
	in_slow && / kasan_vmalloc_populate: / {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		pop += f["nr_populated"]; alloc += f["nr_allocated"]; ns += f["duration_ns"]
		if (f["addr"] == start) { split(f["shadow"], r, "-"); cover = r[2] "-" r[1] } }
	END { print pop + 0, alloc + 0, ns + 0, cover }' nested="$(awk '/fn=kvshadow_wl_slow/ { for (i = 1; i <= NF; i++) if ($i ~ /^nested=/) print substr($i, 8) }' "$work/log")" "$work/trace")
echo "kernel events in the slow call: nr_populated $kpop nr_allocated $kalloc duration_ns $kns"
echo "$slow" | jq -e ".nr_populated == $kpop and .nr_allocated == $kalloc and .populate_ns == $kns" >/dev/null ||
	fail "slow: the record is not the kasan events inside the call"
# Its own populate event covers the shadow of exactly its addresses.
cover=$(( ${kcover%-*} - ${kcover#*-} ))
[ "$cover" = "$((pages * 4096))" ] || fail "slow: the populate event covers $cover shadow bytes, its addresses $pages pages"
echo "$slow" | jq -e ".nr_populated > 0 and .populate_ns > 0 and .populate_ns < .vmalloc_ns" >/dev/null ||
	fail "slow: no share of populate in the call"
# fentry/fexit read ktime inside the module's two ktime reads around the
# call, and the call's populate (its own ktime) runs inside them: the
# BPF duration lies between the two, with no slack (one clock).
echo "$slow" | jq -e ".vmalloc_ns <= $ns" >/dev/null ||
	fail "slow: vmalloc_ns is longer than the module's $ns ns around the call"
echo "slow: populate share $(echo "$slow" | jq '.populate_ns * 100 / .vmalloc_ns | floor') %"

# The kasan events of each function's calls, as "FN DURATION_NS": an event
# is the function's whose call made the area at its addr; the slow call's
# nested page-array area has no line in the log, and its event comes right
# after that call's own in the shell's trace. Per call also "FN@around NS",
# the module's clock around it, and "FN@inside NS", a span inside it: from
# the start of its own area's populate (the event's time less its
# duration_ns) to the last return of __vmap_pages_range_noflush before the
# next call's populate (its pages mapped; a nested page array is mapped
# before them), less 1 us: tracefs prints its times to the microsecond.
awk -v shell="$shell" '
	FNR == NR { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		fn_at[f["start"]] = f["fn"]; around[f["start"]] = f["ns"]; next }
	$1 !~ ("-" shell "$") { next }
	{ ts = ""; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); break } }
	/ kasan_vmalloc_populate: / { for (i = 1; i <= NF; i++) { split($i, kv, "="); g[kv[1]] = kv[2] }
		if (g["addr"] in fn_at) { cur = g["addr"]; begin[cur] = ts - g["duration_ns"] / 1e9 }
		else if (cur != "") { nbegin[cur] = ts - g["duration_ns"] / 1e9; pending = 1 }
		if (cur != "") print fn_at[cur], g["duration_ns"]
		next }
	/ mapped: / && cur != "" { end[cur] = ts; if (pending) { nend[cur] = ts; pending = 0 } }
	END { for (c in around) {
		print fn_at[c] "@around", around[c]
		print "all@around", around[c]
		if (c in end) {
			printf "%s@inside %.0f\n", fn_at[c], (end[c] - begin[c]) * 1e9 - 1000
			printf "all@inside %.0f\n", (end[c] - begin[c]) * 1e9 - 1000 }
		# The nested page-array call, inside its parent: its own span
		# (its populate to its mapping) inside, the clock around the parent.
		if (c in nend) { printf "all@inside %.0f\n", (nend[c] - nbegin[c]) * 1e9 - 1000
			print "all@around", around[c] } } }' \
	"$work/log" "$work/trace" >"$work/popns"
[ "$(grep -c '^kvshadow_wl_.*@inside ' "$work/popns")" = 11 ] || fail "rows: not every call's mapping is in the trace"
[ "$(grep -c '^all@inside ' "$work/popns")" = "$hits" ] || fail "not every vmalloc call the kprobe saw has its span in the trace"
# Rows: vmalloc p50/p99 per function between the same quantiles of the span
# inside each call and of the module's clock around it. Call by call the
# BPF duration lies between those two (one clock, see above), and a
# quantile of log2 slots filled linearly only rises when every sample
# does, so the row's lies between theirs. The kasan events (populate): the
# same numbers in the same slots, exactly.
for fn in slow vmalloc aligned vzalloc; do
	row=$(echo "$last" | jq -c ".top[] | select(.caller == \"kvshadow_wl_$fn [$WL]\")")
	[ -n "$row" ] || fail "rows: kvshadow_wl_$fn is not a row"
	for q in p50:0.5 p99:0.99; do
		lo=$(log2_quantile "$work/popns" "kvshadow_wl_$fn@inside" "${q#*:}")
		hi=$(log2_quantile "$work/popns" "kvshadow_wl_$fn@around" "${q#*:}")
		echo "row kvshadow_wl_$fn: vmalloc ${q%:*} $(echo "$row" | jq ".vmalloc_${q%:*}_ns") between $lo (a span inside) and $hi (the module around)"
		echo "$row" | jq -e --argjson lo "$lo" --argjson hi "$hi" \
			".vmalloc_${q%:*}_ns >= \$lo - 0.001 and .vmalloc_${q%:*}_ns <= \$hi + 0.001" >/dev/null ||
			fail "rows: kvshadow_wl_$fn's vmalloc_${q%:*}_ns is not between $lo and $hi"
	done
	# Populate: the kernel records every event's duration_ns, and the tool
	# files the same number in the same slot: its percentiles are the
	# events', exactly (up to the JSON's 13 significant digits).
	p50=$(log2_quantile "$work/popns" "kvshadow_wl_$fn" 0.5) p99=$(log2_quantile "$work/popns" "kvshadow_wl_$fn" 0.99)
	echo "row kvshadow_wl_$fn: populate p50 $p50 p99 $p99 from $(grep -c "^kvshadow_wl_$fn " "$work/popns") kasan events"
	[ "$p50" != none ] || fail "rows: no kasan populate event in kvshadow_wl_$fn's calls"
	echo "$row" | jq -e "(.populate_p50_ns - $p50 | fabs) <= 1e-9 * $p50 + 0.001 and
		(.populate_p99_ns - $p99 | fabs) <= 1e-9 * $p99 + 0.001" >/dev/null ||
		fail "rows: kvshadow_wl_$fn's populate p50/p99 $(echo "$row" | jq -c '[.populate_p50_ns, .populate_p99_ns]'), its kasan events' $p50/$p99"
done

# latency.vmalloc, every call (the nested one too): as many as the kprobe
# saw (none before the window: the first line's count is 0), its
# percentiles between those of the spans inside and the clocks around.
first=$(jq -s 'map(select(has("event") | not)) | first | .latency.vmalloc.count' "$work/all.json")
[ "$first" = 0 ] || fail "latency.vmalloc: $first calls before the window"
echo "latency.vmalloc: $(echo "$last" | jq -c .latency.vmalloc)"
[ "$(echo "$last" | jq .latency.vmalloc.count)" = "$hits" ] ||
	fail "latency.vmalloc.count is not the $hits calls the kprobe saw"
for q in p50:0.5 p99:0.99; do
	lo=$(log2_quantile "$work/popns" "all@inside" "${q#*:}")
	hi=$(log2_quantile "$work/popns" "all@around" "${q#*:}")
	echo "latency.vmalloc.${q%:*}_ns between $lo and $hi"
	echo "$last" | jq -e --argjson lo "$lo" --argjson hi "$hi" \
		".latency.vmalloc.${q%:*}_ns >= \$lo - 0.001 and .latency.vmalloc.${q%:*}_ns <= \$hi + 0.001" >/dev/null ||
		fail "latency.vmalloc.${q%:*}_ns is not between $lo and $hi"
done

# Two callers of known, different cost: 64 MiB (16384 pages to allocate
# and map) against 40 KiB (10), at the median.
echo "$last" | jq -e --arg s "kvshadow_wl_slow [$WL]" --arg v "kvshadow_wl_vzalloc [$WL]" \
	'[.top[] | select(.caller == $s)][0].vmalloc_p50_ns > 10 * [.top[] | select(.caller == $v)][0].vmalloc_p50_ns' >/dev/null ||
	fail "rows: the 64 MiB vmalloc's median is not ten times the 40 KiB one's"

# ---- --slow 3600s: nothing ----
section "$out" none.out >"$work/none.json"
jq -e . "$work/none.json" >/dev/null || fail "none: a line is not JSON"
[ "$(jq -c 'select(.event)' "$work/none.json" | grep -c .)" = 0 ] || fail "none: records above every call's time"
[ "$(jq -s 'map(select(has("event") | not)) | last | .slow_vmalloc' "$work/none.json")" = 0 ] ||
	fail "none: slow_vmalloc is not 0"

# ---- -b --slow 5ms: the slow call's line ----
section "$out" batch.out >"$work/batch"
grep '^slow ' "$work/batch"
bns=$(section "$out" batch.log | awk '/op=alloc fn=kvshadow_wl_slow/ { for (i = 1; i <= NF; i++) if ($i ~ /^ns=/) print substr($i, 4) }')
[ "${bns:-0}" -ge 5000000 ] || fail "batch: the slow call took ${bns:-?} ns, not slow by construction"
grep -Eq "^slow [0-9:.]+ sh\[$shell\] pid $shell caller kvshadow_wl_slow \[$WL\] size 67104768 vmalloc [0-9.]+(ms|s) populate [0-9.]+[mun]?s \([0-9]+%\) nr_populated [0-9]+ " "$work/batch" ||
	fail "batch: no line for the slow call"
grep '^slow ' "$work/batch" | grep -Ev ' vmalloc [0-9.]+(ms|s) ' | grep -Eq . &&
	fail "batch: a line under 5ms"
grep '^slow ' "$work/batch" | awk '{ for (i = 1; i < NF; i++) if ($i == "vmalloc") v = $(i + 1); sub(/ms$/, "", v); if (v + 0 < 5 && v !~ /s$/) bad = 1 } END { exit bad }' ||
	fail "batch: a line under 5ms"
console_clean || fail "unexpected report on the console"
works_where "exact, --slow" "a kprobe on the vmalloc calls, the kasan events, the module's clock"
echo PASS
