#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-node shadow through the whole tool (issue 19, point 4), on a sysfs
# tree of the test's own (KVSHADOW_NODE_ROOT): the node<N>/vmstat files a
# kernel with the kvshadow series shows, read by kvshadowtop in debugfs
# mode (--file: no kernel of ours needed) and shown in JSON ("nodes"), the
# batch text and Prometheus (kvshadow_node_shadow_bytes{node}, promtool
# clean); the counts change between intervals as the files do; a tree
# without the item gives null; estimate mode (no KASAN kernel) never has
# nodes. The kernel's own files are checked in tests/vm/node_shadow.sh.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$bin/kvshadowtop
need jq promtool
debugfs_file "$work/f"
tree=$work/nodes
mkdir -p "$tree/node0" "$tree/node1" "$tree/power"
echo 0-1 >"$tree/possible"
printf 'nr_free_pages 100\nnr_kasan_vmalloc_shadow 40\nnr_zspages 0\n' >"$tree/node0/vmstat"
printf 'nr_free_pages 100\nnr_kasan_vmalloc_shadow 23\nnr_zspages 0\n' >"$tree/node1/vmstat"

KVSHADOW_NODE_ROOT=$tree expect_status 0 "$tool" --mode debugfs --file "$work/f" --json -n 1 -d 0.1
[ "$(jq -c .nodes "$work/out")" = '[{"node":0,"shadow_pages":40},{"node":1,"shadow_pages":23}]' ] ||
	fail "JSON nodes: $(jq -c .nodes "$work/out")"
KVSHADOW_NODE_ROOT=$tree expect_status 0 "$tool" --mode debugfs --file "$work/f" -b -n 1 -d 0.1
grep -qx '  shadow_pages per node: node0 40 node1 23' "$work/out" || fail "no per-node line in the text: $(cat "$work/out")"
KVSHADOW_NODE_ROOT=$tree expect_status 0 "$tool" --mode debugfs --file "$work/f" -b -n 1 -d 0.1 \
	--prom-file "$work/m.prom"
grep -qx 'kvshadow_node_shadow_bytes{node="0"} '$((40 * $(getconf PAGESIZE))) "$work/m.prom" &&
	grep -qx 'kvshadow_node_shadow_bytes{node="1"} '$((23 * $(getconf PAGESIZE))) "$work/m.prom" ||
	fail "Prometheus: $(grep node "$work/m.prom")"
out=$(promtool check metrics <"$work/m.prom" 2>&1) && [ -z "$out" ] || fail "promtool: $out"
ok "JSON, text and Prometheus show the tree's counts"

# The counts follow the files from one interval to the next.
KVSHADOW_NODE_ROOT=$tree "$tool" --mode debugfs --file "$work/f" --json -n 3 -d 0.5 >"$work/run" 2>"$work/err" &
pid=$!
host_pids+=("$pid")
for _ in $(seq 100); do [ -s "$work/run" ] && break; sleep 0.05; done
printf 'nr_kasan_vmalloc_shadow 41\n' >"$work/v" && mv "$work/v" "$tree/node0/vmstat"
wait "$pid" || fail "kvshadowtop --json -n 3: exit $?"
san_clean "$work/err"
[ "$(head -n 1 "$work/run" | jq -c '[.nodes[].shadow_pages]')" = '[40,23]' ] || fail "first line: $(head -n 1 "$work/run" | jq -c .nodes)"
[ "$(tail -n 1 "$work/run" | jq -c '[.nodes[].shadow_pages]')" = '[41,23]' ] || fail "last line: $(tail -n 1 "$work/run" | jq -c .nodes)"
ok "a later interval shows the new count"

# A kernel without the item: null, and no line, no family.
printf 'nr_free_pages 100\n' >"$tree/node1/vmstat"
KVSHADOW_NODE_ROOT=$tree expect_status 0 "$tool" --mode debugfs --file "$work/f" --json -n 1 -d 0.1
[ "$(jq -c .nodes "$work/out")" = null ] || fail "without the item: nodes $(jq -c .nodes "$work/out")"
KVSHADOW_NODE_ROOT=$tree expect_status 0 "$tool" --mode debugfs --file "$work/f" -b -n 1 -d 0.1 \
	--prom-file "$work/m.prom"
if grep -q 'per node' "$work/out" || grep -q kvshadow_node_shadow_bytes "$work/m.prom"; then
	fail "a per-node line or family without the item"
fi
ok "no item: null, no line, no family"

if [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ]; then
	printf 'nr_kasan_vmalloc_shadow 23\n' >"$tree/node1/vmstat"
	KVSHADOW_NODE_ROOT=$tree expect_status 0 "$tool" --mode estimate --json -n 1 -d 0.1
	[ "$(jq -c .nodes "$work/out")" = null ] || fail "estimate mode: nodes $(jq -c .nodes "$work/out")"
	ok "estimate mode: no nodes"
else
	echo "SKIP (this case only): estimate mode needs root and BTF"
fi
echo PASS
