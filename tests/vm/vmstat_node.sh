#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The per-node vmstat item nr_kasan_vmalloc_shadow (kernel series patch 2)
# on the patched debug kernel with two NUMA nodes (numa=fake=2) and
# page_owner=on, at a quiet moment after vmalloc traffic
# (tests/vm/guest/vmstat_node.sh):
#  - each node's count equals the pages page_owner shows allocated by
#    kasan_populate_vmalloc and still held, whose PFN lies on that node
#    (the nodes' PFN ranges from /proc/zoneinfo): a truth from the page
#    allocator's own records, independent of the counters;
#  - the nodes sum to /proc/vmstat's value and to debugfs shadow_pages;
#  - the real node_exporter, reading that /proc/vmstat with
#    --collector.vmstat.fields naming the item, exports the same value;
#  - kvshadowtop --json (exact mode, and debugfs mode) shows in "nodes"
#    each node's count as the nodes' vmstat files give it around one of
#    its intervals at a quiet moment (issue 19).
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/server.sh
. "$top/tests/server.sh"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
need prometheus-node-exporter jq
exporter=$(command -v prometheus-node-exporter)

out=$work/out
vm_run --debug --page-owner -- 'sh /kvshadow/tests/vmstat_node.sh' >"$out"
rc=$?
grep -v '^@@procvmstat \|^@@toolline ' "$out"
[ "$rc" = 0 ] || fail "guest checks failed (exit $rc)"
grep -q '^@@end$' "$out" || fail "the guest script did not finish"
console_clean || fail "unexpected report on the console"

debugfs=$(sed -n 's/^@@debugfs //p' "$out")
vmstat=$(sed -n 's/^@@vmstat //p' "$out")
[ -n "$debugfs" ] && [ -n "$vmstat" ] || fail "no debugfs or vmstat value"
[ "$debugfs" -gt 0 ] || fail "debugfs shadow_pages is 0 after vmalloc traffic"
sum=0 nodes=0
while read -r _ node v owner; do
	echo "node $node: nr_kasan_vmalloc_shadow $v, page_owner $owner"
	[ "$v" = "$owner" ] || fail "node $node: vmstat says $v shadow pages, page_owner $owner"
	[ "$v" -gt 0 ] || fail "node $node holds no shadow page: the test cannot tell the nodes apart"
	sum=$((sum + v)) nodes=$((nodes + 1))
done < <(grep '^@@node ' "$out")
[ "$nodes" -ge 2 ] || fail "$nodes node(s) reported"
[ "$sum" = "$vmstat" ] || fail "the nodes sum to $sum, /proc/vmstat says $vmstat"
[ "$sum" = "$debugfs" ] || fail "the nodes sum to $sum, debugfs shadow_pages is $debugfs"
echo "nodes: $nodes, sum $sum = /proc/vmstat $vmstat = debugfs shadow_pages $debugfs"

# node_exporter's vmstat collector reads <procfs>/vmstat: the guest's.
mkdir -p "$work/proc"
sed -n 's/^@@procvmstat //p' "$out" >"$work/proc/vmstat"
READY_PATH=/metrics start_server node_exporter "$work/ne.log" "$exporter" \
	--web.listen-address=127.0.0.1:@PORT@ --path.procfs="$work/proc" \
	--collector.disable-defaults --collector.vmstat \
	--collector.vmstat.fields='^nr_kasan_vmalloc_shadow$'
got=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '$1 == "node_vmstat_nr_kasan_vmalloc_shadow" { print $2 }')
[ -n "$got" ] || fail "node_exporter does not export node_vmstat_nr_kasan_vmalloc_shadow"
[ "$(printf '%.0f' "$got")" = "$vmstat" ] || fail "node_exporter exports $got, the guest's /proc/vmstat says $vmstat"
echo "node_exporter: node_vmstat_nr_kasan_vmalloc_shadow $got"

toolfail=0
for mode in exact debugfs; do
	why=$(sed -n "s/^@@toolfail $mode //p" "$out")
	[ -z "$why" ] || { echo "FAIL: $mode: $why"; toolfail=1; continue; }
	want=$(sed -n "s/^@@toolsys $mode //p" "$out")
	lines=$(sed -n "s/^@@toolline $mode //p" "$out")
	[ -n "$want" ] && [ -n "$lines" ] || fail "$mode: no kvshadowtop lines or node values"
	case $want in *" "*) ;; *) fail "$mode: one node in '$want'" ;; esac
	while IFS= read -r l; do
		got=$(jq -r '[.nodes[] | "\(.node):\(.shadow_pages)"] | join(" ")' <<<"$l") ||
			fail "$mode: not JSON with nodes: $l"
		echo "kvshadowtop --mode $mode: nodes $got; the nodes' vmstat: $want"
		[ "$got" = "$want" ] || fail "$mode: kvshadowtop shows nodes '$got', the kernel's files '$want'"
		[ "$(jq -r .mode <<<"$l")" = "$mode" ] || fail "$mode: a line of mode $(jq -r .mode <<<"$l")"
	done <<<"$lines"
done
[ "$toolfail" = 0 ] || fail "kvshadowtop's nodes not checked in every mode"
works_where "kernel: nr_kasan_vmalloc_shadow" "page_owner's pages by node; debugfs; node_exporter"
works_where "kvshadowtop nodes (exact --no-fentry, debugfs)" "the nodes' vmstat files at a quiet moment"
echo PASS
