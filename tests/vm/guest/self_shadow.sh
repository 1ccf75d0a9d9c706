#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/self_shadow.sh (busybox sh): the shadow pages
# only kvshadowtop's own maps and programs keep mapped, against what the kernel shows
# without it. For each kernel.kptr_restrict in the arguments (0: the tool
# walks the kernel's vmap lists; 1: it reads /proc/vmallocinfo), on a
# quiet system:
#   - /proc/vmallocinfo (read at 1) before kvshadowtop starts and while it
#     runs: the areas that came with it and were made by a BPF map's
#     allocator or bpf_prog_alloc() are its own; the shadow pages they
#     touch and no other live area does are the truth (a page is 32 KiB
#     of vmalloc space);
#   - the page tables then: every one of those pages mapped;
#   - after it exited and a purge ran: only those its areas cover in part
#     (a purge releases the shadow pages wholly inside the purged areas).
# Prints "@@self KPTR TOOL TRUTH MAPPED_WHILE MAPPED_AFTER PARTIAL PROM_BYTES" per round,
# "@@new KPTR START END CALLER" for each area that came with it, "@@line
# KPTR {json}" its line.
. /kvshadow/tests/lib.sh
WL=/sys/kernel/debug/kvshadow_workload

# areas FILE: the live areas of /proc/vmallocinfo ("START END CALLER",
# read at kptr_restrict 1), with builtins only (no fork).
areas() {
	read -r _k </proc/sys/kernel/kptr_restrict
	echo 1 >/proc/sys/kernel/kptr_restrict
	while read -r _r _s _c _; do
		case $_r in 0x*-0x*) ;; *) continue ;; esac
		[ "$_c" = unpurged ] && continue
		echo "${_r%-*} ${_r#*-} $_c"
	done </proc/vmallocinfo >"$1"
	echo "$_k" >/proc/sys/kernel/kptr_restrict
}

modprobe kvshadow_workload || fail "modprobe kvshadow_workload"
read -r kptr_old </proc/sys/kernel/kptr_restrict
for kptr in "$@"; do
	echo purge >"$WL/control" || fail "purge"
	quiesce
	areas /tmp/before
	echo "$kptr" >/proc/sys/kernel/kptr_restrict
	kvshadowtop --mode exact --json -d 0.5 --prom-file /tmp/s.prom >/tmp/s.json 2>/tmp/s.err &
	pid=$!
	wait_line /tmp/s.json /tmp/s.err
	# Its start freed what loading needed (the verifier's, a walk's maps):
	# purged, those areas are gone before the truth is read.
	echo purge >"$WL/control" || fail "purge"
	quiesce
	areas /tmp/during
	ptdump_save /tmp/pt.during
	intervals /tmp/s.json
	wait_intervals /tmp/s.json $((intervals + 1)) || fail "no line in 30 s"
	line=""
	while IFS= read -r _l; do line=$_l; done </tmp/s.json
	echo "@@line $kptr $line"
	while IFS= read -r _l; do echo "$_l"; done </tmp/s.prom >/tmp/s.prom.last
	# The areas that came with it; its maps' and programs' are those a
	# map allocator or bpf_prog_alloc() made (not a forked stack's).
	awk 'FNR == NR { old[$1 " " $2] = 1; next } !(($1 " " $2) in old)' \
		/tmp/before /tmp/during >/tmp/new
	while read -r s e c; do echo "@@new $kptr $s $e $c"; done </tmp/new
	awk '$3 ~ /^[a-z_]*(map_alloc|map_area_alloc|map_area_mmapable_alloc|ringbuf_area_alloc|bpf_prog_alloc_no_stats)\+/' /tmp/new >/tmp/ours
	[ -s /tmp/ours ] || fail "no area of a BPF map or program came with kvshadowtop"
	# Their shadow pages (by vmalloc address / 32 KiB) that no other live
	# area touches: another area can share only its first or last one.
	awk 'FNR == NR { ours[$1 " " $2] = 1
			for (b = int($1 / 32768); b <= int(($2 - 4096) / 32768); b++) blk[b] = 1
			next }
		!(($1 " " $2) in ours) { delete blk[int($1 / 32768)]; delete blk[int(($2 - 4096) / 32768)] }
		END { for (b in blk) printf "%.0f\n", b }' /tmp/ours /tmp/during >/tmp/blocks
	kill -TERM $pid
	wait $pid || { cat /tmp/s.err; fail "kvshadowtop failed"; }
	echo "$kptr_old" >/proc/sys/kernel/kptr_restrict
	# Its exit frees the maps from a workqueue, a moment later: once none
	# of their areas is live, a purge releases their shadow.
	i=0
	while :; do
		areas /tmp/now
		left=$(awk 'FNR == NR { now[$1 " " $2] = 1; next } ($1 " " $2) in now' /tmp/now /tmp/ours)
		[ -z "$left" ] && break
		i=$((i + 1))
		[ $i -lt 100 ] || fail "its maps' areas still live 10 s after its exit: $left"
		nap 0.1
	done
	echo purge >"$WL/control" || fail "purge"
	quiesce
	ptdump_save /tmp/pt.after
	truth=0
	while read -r _; do truth=$((truth + 1)); done </tmp/blocks
	# A purge releases only the shadow pages wholly inside a purged area:
	# those its areas cover in part stay mapped (until an area that covers
	# them wholly is purged).
	partial=$(awk 'FNR == NR { n++; s[n] = $1; e[n] = $2; next }
		{ w = 0; for (i = 1; i <= n; i++) if (s[i] <= $1 * 32768 && ($1 + 1) * 32768 <= e[i]) w = 1
		  if (!w) p++ }
		END { print p + 0 }' /tmp/ours /tmp/blocks)
	during=$(ptdump_blocks_mapped /tmp/pt.during </tmp/blocks) || fail "ptdump_blocks_mapped"
	after=$(ptdump_blocks_mapped /tmp/pt.after </tmp/blocks) || fail "ptdump_blocks_mapped"
	tool=${line#*\"self_shadow_pages\":}
	tool=${tool%%[,\}]*}
	prom=-
	while read -r _n _v; do [ "$_n" != kvshadow_self_shadow_bytes ] || prom=$_v; done </tmp/s.prom.last
	echo "@@self $kptr $tool $truth $during $after $partial $prom"
	cat /tmp/s.err
done
echo "@@end"
