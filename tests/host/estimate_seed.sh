#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Estimate mode on a default host (issue 19, point 3): where
# /proc/vmallocinfo hides the area addresses (kernel.kptr_restrict 0 hashes
# them, 2 prints zeros) kvshadowtop seeds from the areas' sizes alone,
# says the seed is approximate, states its bound and how to get the exact
# seed, and never touches the sysctl.
#
#  1. The bound against the truth: at kptr_restrict=1, from a read whose
#     areas do not overlap (not torn), this test reads /proc/vmallocinfo itself and
#     computes with its own parsers (awk for the sizes, bash arithmetic for
#     the addresses) the exact count of shadow pages the areas touch and
#     the bound from their sizes alone; the exact count must lie in the
#     bound. The same text with the addresses hidden as kptr_restrict=0
#     hides them, fed to kvshadowtop (KVSHADOW_VMALLOCINFO), gives the
#     same bound, the middle of it shown, and the exact count inside.
#  2. kptr_restrict=0 on the real file: kvshadowtop runs (no fallback, exit
#     0), every line says approximate with shadow_pages inside its bound,
#     the text gives the hint, the sysctl reads 0 during and after; the
#     areas a known workload (tests/host/vmalloc_as: N BPF maps, one vmap
#     area each) allocates after the start are modelled from their
#     addresses: its process row has exactly N populate calls.
#  3. kptr_restrict=2: the same, and it says that 2 hides them from root.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$bin/kvshadowtop
helper=$top/build/tests/host/vmalloc_as
[ -x "$helper" ] || fail "$helper not built (make test-bins)"
[ "$(id -u)" = 0 ] || skip "estimate mode needs root (BPF)"
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
need jq
page=$(getconf PAGESIZE) || fail "getconf PAGESIZE"
# Generic KASAN: one shadow byte per 8 bytes, so a shadow page covers 8 pages.
P=8
span_shift=$(awk -v s=$((page * P)) 'BEGIN { n = 0; while (s > 1) { s /= 2; n++ } print n }')

# size_bound FILE: "LOW HIGH" shadow pages of the areas from their sizes
# alone (approx_seed.h's rules, written out again here): LOW the larger of
# ceil(T/P) and the largest ceil(N/P), HIGH the sum of ceil((N+P-1)/P).
size_bound() {
	awk -v page="$page" -v p=$P '
		function ceil_div(a, b) { return int((a + b - 1) / b) }
		/^0x[0-9a-f]+-0x[0-9a-f]+ +[0-9]+ / {
			if ($2 % page) next
			n = $2 / page
			t += n
			hi += ceil_div(n + p - 1, p)
			if (ceil_div(n, p) > big) big = ceil_div(n, p)
		}
		END { lo = ceil_div(t, p); if (big > lo) lo = big; printf "%d %d\n", lo, hi }' "$1"
}

# exact_shadow FILE: shadow pages the areas of FILE touch, from their addresses.
exact_shadow() {
	local range s e i
	local -A touched=()
	while read -r range _; do
		s=${range%%-*}
		e=${range#*-}
		# Kernel addresses are negative in bash's signed 64 bits; >> floors, as wanted.
		for ((i = s >> span_shift; i < (e + (1 << span_shift) - 1) >> span_shift; i++)); do
			touched[$i]=1
		done
	done < <(grep -E '^0x[0-9a-f]+-0x[0-9a-f]+ ' "$1")
	echo "${#touched[@]}"
}

# disjoint FILE: the areas of FILE do not overlap. The kernel prints
# /proc/vmallocinfo in chunks under its lock, one chunk at a time: an area
# freed and its range reused between two chunks would appear twice, and
# the bound from sizes holds only for areas that are disjoint, as the
# kernel's are at any one moment.
disjoint() {
	local range s e prev=
	while read -r range; do
		s=${range%%-*}
		e=${range#*-}
		# Kernel addresses are negative in bash's signed 64 bits; their
		# order among themselves is kept.
		[ -z "$prev" ] || [ $((s)) -ge $((prev)) ] || return 1
		prev=$e
	done < <(grep -oE '^0x[0-9a-f]{16}-0x[0-9a-f]{16}' "$1" | LC_ALL=C sort)
}

# consistent_read OUT: /proc/vmallocinfo, read again while its areas
# overlap (a read torn between chunks, above).
consistent_read() {
	local i
	for i in $(seq 50); do
		cat /proc/vmallocinfo >"$1" || fail "read /proc/vmallocinfo"
		disjoint "$1" && return 0
		sleep 0.1
	done
	fail "/proc/vmallocinfo showed overlapping areas in each of 50 reads"
}

# kptr_now: the sysctl as it reads now.
kptr_now() { cat /proc/sys/kernel/kptr_restrict; }

# text_says VALUE ERE: with kptr_restrict at VALUE, one interval of the
# batch text has a line matching ERE, and the sysctl is still VALUE.
text_says() {
	timeout 30 "$tool" --mode estimate -b -n 1 -d 0.2 >"$work/text" 2>"$work/err" </dev/null ||
		{ cat "$work/err"; fail "kvshadowtop -b at kptr_restrict=$1"; }
	san_clean "$work/err"
	grep -E "$2" "$work/text" || fail "at kptr_restrict=$1 no line /$2/: $(head -n 3 "$work/text")"
	[ "$(kptr_now)" = "$1" ] || fail "kernel.kptr_restrict changed from $1 to $(kptr_now)"
}

echo "== 1: the bound from sizes against the exact count from addresses"
kptr_restrict_for_test 1 || fail "cannot set kernel.kptr_restrict for the test"
consistent_read "$work/real"
kptr_restrict_restore
grep -qE '^0xffff' "$work/real" || fail "kptr_restrict=1 showed no kernel addresses to root"
read -r L H < <(size_bound "$work/real")
E=$(exact_shadow "$work/real")
areas=$(grep -cE '^0x[0-9a-f]+-0x[0-9a-f]+ ' "$work/real")
echo "vmallocinfo: $areas areas; exact shadow pages $E, from sizes alone between $L and $H"
[ "$areas" -gt 0 ] || fail "no area in /proc/vmallocinfo"
[ "$L" -le "$E" ] && [ "$E" -le "$H" ] || fail "exact count $E outside the bound [$L, $H]"
ok "the exact count lies in the bound from sizes alone"

# The same text as kptr_restrict=0 prints it: each address a 32-bit hash.
awk '/^0x[0-9a-f]+-0x[0-9a-f]+ / { sub(/^0x[0-9a-f]+-0x[0-9a-f]+/, sprintf("0x%016x-0x%016x", (NR * 7919) % 2147483647, (NR * 104729) % 2147483647)) } { print }' \
	"$work/real" >"$work/hidden"
[ "$(size_bound "$work/hidden")" = "$L $H" ] || fail "hiding the addresses changed the sizes"
if grep -qE '^0xffff' "$work/hidden"; then fail "an address left in the hidden copy"; fi

kptr_restrict_for_test 0 || fail "cannot set kernel.kptr_restrict for the test"
# The first line comes ~0.3 s after the seed: kernel events in between
# move the bound by what they model (pages_populated, with no purge); a
# purge in between would move it by what no test can know: run again.
for try in 1 2 3; do
	KVSHADOW_VMALLOCINFO=$work/hidden timeout 60 "$tool" --mode estimate --json -n 1 -d 0.3 \
		>"$work/fed.json" 2>"$work/fed.err" </dev/null || { cat "$work/fed.err"; fail "kvshadowtop fed the hidden file failed"; }
	san_clean "$work/fed.err"
	[ "$(jq .vmap_purges "$work/fed.json")" = 0 ] && break
	echo "a purge ran during try $try: again"
done
[ "$(jq .vmap_purges "$work/fed.json")" = 0 ] || fail "a purge ran during each of 3 tries"
jq -c '{estimate_seed, shadow_pages, shadow_pages_bound, pages_populated, populate_calls, events_lost}' "$work/fed.json"
[ "$(jq -r .estimate_seed "$work/fed.json")" = approximate ] || fail "the seed from hidden addresses is not labelled approximate"
[ "$(jq .events_lost "$work/fed.json")" = 0 ] || fail "events lost"
read -r lo hi shown D < <(jq -r '[.shadow_pages_bound.low, .shadow_pages_bound.high, .shadow_pages, .pages_populated] | @tsv' "$work/fed.json")
# Known areas add D pages to every part; the seed's own low side may share
# up to 2 edge pages per new area with them, so it lies in [L, L + D].
[ "$((hi - D))" = "$H" ] || fail "the tool's high side $hi - $D new pages != $H from the test's parser"
[ "$lo" -ge "$L" ] && [ "$lo" -le "$((L + D))" ] || fail "the tool's low side $lo not in [$L, $L + $D]"
[ "$((shown - D))" = "$((L + (H - L) / 2))" ] || fail "shown $shown - $D is not the middle of [$L, $H]"
[ "$((lo - D))" -le "$E" ] && [ "$E" -le "$((hi - D))" ] || fail "the exact count $E lies outside the tool's bound"
ok "kvshadowtop's bound from the hidden file is the test's, its middle shown, the exact count inside"

echo "== 2: kptr_restrict=0, the real file, a known workload"
N=9
"$tool" --mode estimate --json --by process -r 100000 -d 0.4 -n 5 >"$work/out.json" 2>"$work/err" </dev/null &
pid=$!
host_pids+=("$pid")
end=$((SECONDS + 30))
while [ ! -s "$work/out.json" ] && running "$pid" && [ $SECONDS -lt $end ]; do
	[ "$(kptr_now)" = 0 ] || fail "kernel.kptr_restrict changed to $(kptr_now) while kvshadowtop started"
	sleep 0.05
done
[ -s "$work/out.json" ] || { cat "$work/err"; fail "no first JSON line"; }
"$helper" kvsreach19 $N &
wpid=$!
wait "$wpid" || fail "vmalloc_as failed"
while running "$pid"; do
	[ "$(kptr_now)" = 0 ] || fail "kernel.kptr_restrict changed to $(kptr_now) while kvshadowtop ran"
	sleep 0.05
done
rc=0
wait "$pid" || rc=$?
cat "$work/err"
san_clean "$work/err"
[ "$rc" = 0 ] || fail "kvshadowtop --mode estimate at kptr_restrict=0: exit $rc"
[ "$(kptr_now)" = 0 ] || fail "kernel.kptr_restrict is $(kptr_now) after the run, was 0"
[ ! -s "$work/err" ] || fail "kvshadowtop said something on stderr"
[ "$(wc -l <"$work/out.json")" = 5 ] || fail "want 5 lines"
n=0
while read -r line; do
	n=$((n + 1))
	jq -e '.mode == "estimate" and .estimate_seed == "approximate" and
		.shadow_pages_bound.low <= .shadow_pages and .shadow_pages <= .shadow_pages_bound.high' \
		<<<"$line" >/dev/null || fail "line $n: not approximate, or shadow_pages outside its bound: $(jq -c '{estimate_seed, shadow_pages, shadow_pages_bound}' <<<"$line")"
done <"$work/out.json"
last=$(tail -n 1 "$work/out.json")
echo "last: $(jq -c '{shadow_pages, shadow_pages_bound, populate_calls, pages_populated, vmap_area_allocs, vmap_purges, events_lost, unknown_frees}' <<<"$last")"
row=$(jq -c --arg p "kvsreach19[$wpid]" '.top[] | select(.process == $p)' <<<"$last")
echo "workload row: $row"
[ -n "$row" ] || fail "no row kvsreach19[$wpid]"
# One vmap area per map (vmalloc_as.c): N populate calls, each modelled from its address.
[ "$(jq .populate_calls <<<"$row")" = $N ] || fail "workload: $(jq .populate_calls <<<"$row") populate calls, want $N"
[ "$(jq .events_lost <<<"$last")" = 0 ] || fail "events lost"
[ "$(jq .vmap_area_allocs <<<"$last")" -ge $N ] || fail "fewer vmap area allocs than the workload's $N"
ok "approximate in every line, inside its bound, sysctl untouched, the workload's $N areas each modelled"

text_says 0 '^  approximate: shadow_pages between [0-9]+ and [0-9]+ \(.*kptr_restrict=0.*kptr_restrict=1\)$'
kptr_restrict_restore

echo "== 3: kptr_restrict=2"
kptr_restrict_for_test 2 || fail "cannot set kernel.kptr_restrict for the test"
text_says 2 '^  approximate: .*kptr_restrict=2 hides the area addresses even from root'
kptr_restrict_restore
ok "kptr_restrict=2: approximate, says 2 hides the addresses from root, left at 2"
echo "PASS"
