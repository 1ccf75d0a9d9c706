#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/vmstat_node.sh, on the patched debug kernel booted
# with numa=fake=2 page_owner=on. At a quiet moment after vmalloc traffic:
#   @@debugfs N              debugfs shadow_pages
#   @@vmstat N               /proc/vmstat nr_kasan_vmalloc_shadow
#   @@node NODE VMSTAT OWNER the node's vmstat item, and the pages
#                            page_owner shows allocated by
#                            kasan_populate_vmalloc whose PFN is on that
#                            node (the nodes' PFN ranges from /proc/zoneinfo)
#   @@procvmstat LINE        /proc/vmstat, for the host's node_exporter
#   @@toolsys MODE NODES     "NODE:VALUE ..." from the nodes' vmstat, and
#   @@toolline MODE JSON     kvshadowtop --json's lines at that quiet moment
#   @@toolfail MODE WHY      or why there are none
. /kvshadow/tests/lib.sh
[ -r "$VS" ] || fail "$VS missing: this is not the patched kernel"
PO=/sys/kernel/debug/page_owner
[ -r "$PO" ] || fail "$PO missing: boot with page_owner=on"
nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
[ "$nodes" -ge 2 ] || fail "$nodes NUMA node(s): boot with numa=fake=2"

modprobe kvshadow_workload || fail "modprobe kvshadow_workload"
# Shadow pages come from the allocating CPU's node, and the fake nodes share
# both CPUs, which allocate from node 0 first: traffic, then node 0 filled
# with tmpfs pages (never reclaimed: no swap) so that the page allocator
# falls back to node 1, then traffic again.
test_vmalloc run_test_mask=7 test_loop_count=30 nr_threads=2
echo "alloc aligned n=16 size=128K" >"$WL/control" || fail "workload alloc"
i=0
while :; do
	free=$(awk '$3 == "MemFree:" { print $4 }' /sys/devices/system/node/node0/meminfo)
	[ "$free" -lt 16384 ] && break
	[ $i -lt 60 ] || fail "node 0 still has $free KiB free after $i fills"
	dd if=/dev/zero of=/tmp/fill.$i bs=1M count=8 2>/dev/null || fail "filling tmpfs"
	i=$((i + 1))
done
echo "node 0 filled: $free KiB free after $((i * 8)) MiB of tmpfs"
dmesg -c >/dev/null
test_vmalloc run_test_mask=7 test_loop_count=30 nr_threads=2
echo "alloc vmalloc n=8 size=40K" >"$WL/control" || fail "workload alloc"

# pfn_nodes: "START END NODE" per zone, PFNs [START, END).
pfn_nodes() {
	awk '/^Node [0-9]+, zone/ { node = $2; sub(",", "", node) }
		$1 == "spanned" { spanned = $2 }
		$1 == "start_pfn:" { if (spanned > 0) print $2, $2 + spanned, node }' /proc/zoneinfo
}

# owner_per_node: per node, the allocated pages whose page_owner stack goes
# through kasan_populate_vmalloc (__kasan_populate_vmalloc and the static
# helpers under it), except the page tables apply_to_page_range allocates
# on the way (the *_alloc frames of the page table levels): the pages
# mapped into vmalloc shadow. Records are separated by blank lines;
# "PFN 0x..." names the page.
owner_per_node() {
	pfn_nodes >/tmp/ranges
	# A read smaller than a record fails with ENOMEM: read a page or more.
	dd if="$PO" bs=64k 2>/dev/null | awk 'NR == FNR { s[NR] = $1; e[NR] = $2; n[NR] = $3; nr = NR; next }
		function flush() {
			if (rec && pop && !pt) {
				pages = 1
				for (j = 0; j < order; j++) pages *= 2
				for (i = 1; i <= nr; i++) if (pfn >= s[i] && pfn < e[i]) { cnt[n[i]] += pages; break }
				if (i > nr) bad++
			}
			rec = 0; pop = 0; pt = 0
		}
		/^Page allocated via order/ { flush(); rec = 1; order = $5 + 0 }
		/^PFN / { pfn = $2 + 0 }	# busybox awk reads 0x numbers
		/kasan_populate_vmalloc/ { pop = 1 }
		/(__pte_alloc|__pmd_alloc|__pud_alloc|__p4d_alloc|pte_alloc_one|pmd_alloc_one|pud_alloc_one|p4d_alloc_one)/ { pt = 1 }
		END { flush(); for (k in cnt) print k, cnt[k]; if (bad) print "unmapped", bad }' /tmp/ranges -
}

tries=0
while :; do
	quiesce
	echo 1 >/proc/sys/vm/stat_refresh || fail "vm/stat_refresh"
	snap a
	owner_per_node >/tmp/owner || fail "reading $PO"
	for d in /sys/devices/system/node/node[0-9]*; do
		echo "${d##*node} $(awk '$1 == "nr_kasan_vmalloc_shadow" { print $2 }' "$d/vmstat")"
	done >/tmp/pernode
	vm=$(awk '$1 == "nr_kasan_vmalloc_shadow" { print $2 }' /proc/vmstat)
	cp /proc/vmstat /tmp/procvmstat
	snap b
	# Quiet from the first read to the last: nothing mapped or released.
	[ "$a_pages_populated $a_pages_released" = "$b_pages_populated $b_pages_released" ] && break
	tries=$((tries + 1))
	[ $tries -lt 5 ] || fail "never quiet while page_owner was read"
done
echo "@@debugfs $b_shadow_pages"
echo "@@vmstat $vm"
grep -q '^unmapped' /tmp/owner && fail "page_owner PFNs outside every zone: $(cat /tmp/owner)"
while read -r node v; do
	o=$(awk -v n="$node" '$1 == n { print $2 }' /tmp/owner)
	echo "@@node $node $v ${o:-0}"
done </tmp/pernode
while IFS= read -r l; do echo "@@procvmstat $l"; done </tmp/procvmstat

# sys_nodes: "NODE:VALUE ..." of every node's vmstat item into $nodes, by
# node (the glob's order: numeric up to node9). Shell builtins only: a fork
# between two snapshots could vmalloc a thread stack (see snap), and a
# pipeline of five needs more stacks than the per-CPU cache holds.
sys_nodes() {
	nodes=""
	for d in /sys/devices/system/node/node[0-9]*; do
		while read -r k v; do
			[ "$k" = nr_kasan_vmalloc_shadow ] && nodes="$nodes${nodes:+ }${d##*node}:$v"
		done <"$d/vmstat"
	done
}

# kvshadowtop's nodes (issue 19) in MODE, against the nodes' vmstat read
# before and after two or more of its intervals at a quiet moment (nothing
# mapped or released from the first read to the last, the per-CPU counts
# folded first): @@toolsys MODE NODES, then @@toolline MODE JSON for each
# line written in that window; @@toolfail MODE WHY when it cannot. Exact
# mode with tracepoints only (--no-fentry: no trampoline, see README on
# 7.2), and debugfs mode (no BPF).
tool_nodes() {
	mode=$1
	shift
	rm -f /tmp/kt.json
	kvshadowtop --mode "$mode" "$@" --json -d 2 -n 0 >/tmp/kt.json 2>/tmp/kt.err &
	kt=$!
	i=0
	while [ ! -s /tmp/kt.json ]; do
		if ! kill -0 $kt 2>/dev/null; then
			sed 's/^/    /' /tmp/kt.err
			echo "@@toolfail $mode kvshadowtop ended before its first line"
			return
		fi
		if [ $i -ge 300 ]; then
			kill $kt
			echo "@@toolfail $mode kvshadowtop wrote nothing in 300 s"
			return
		fi
		nap 1
		i=$((i + 1))
	done
	tries=0
	while :; do
		quiesce
		echo 1 >/proc/sys/vm/stat_refresh || fail "vm/stat_refresh"
		snap a
		sys_nodes
		s1=$nodes
		intervals /tmp/kt.json
		n1=$intervals
		# Three more lines of -d 2: two whole intervals in the window.
		wait_intervals /tmp/kt.json $((n1 + 3)) || echo "$mode try $tries: no three more lines in 30 s"
		intervals /tmp/kt.json
		n2=$intervals
		sys_nodes
		s2=$nodes
		snap b
		echo "$mode try $tries: populated $a_pages_populated..$b_pages_populated released $a_pages_released..$b_pages_released lines $n1..$n2 nodes '$s1' '$s2'"
		[ "$a_pages_populated $a_pages_released $s1" = "$b_pages_populated $b_pages_released $s2" ] &&
			[ "$n2" -gt "$n1" ] && break
		tries=$((tries + 1))
		if [ $tries -ge 5 ] || ! kill -0 $kt 2>/dev/null; then
			kill $kt 2>/dev/null
			sed 's/^/    /' /tmp/kt.err
			echo "@@toolfail $mode never quiet around an interval of kvshadowtop (or it ended)"
			return
		fi
	done
	kill $kt
	wait $kt || echo "@@toolfail $mode exit $? after SIGTERM: $(cat /tmp/kt.err)"
	echo "@@toolsys $mode $s1"
	sed -n "$((n1 + 1)),${n2}p" /tmp/kt.json | while IFS= read -r l; do echo "@@toolline $mode $l"; done
}
# Node 0's fill has done its work (node 1 holds shadow now): memory back.
rm -f /tmp/fill.*
tool_nodes exact --no-fentry
tool_nodes debugfs
echo "@@end"
