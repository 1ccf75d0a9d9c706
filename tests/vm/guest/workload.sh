#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/workload.sh (busybox sh): the workload module does
# what it reports. Its reported areas are checked against /proc/vmallocinfo
# (the kernel's list of vmap areas and their callers) and against the
# kasan:kasan_vmalloc_populate events with their stacks (one populate call
# per area, at its start, over its size, in the process it names, with the
# reporting function on the stack, taking G shadow pages from the page
# allocator as lib.sh's ptdump_areas computes from the addresses).
. /kvshadow/tests/lib.sh

# control CMD: one command; returns the write's status.
control() { echo "$1" >"$WL/control"; }

# A batch at load time: the process is modprobe.
modprobe kvshadow_workload fn=aligned n=3 || fail "modprobe kvshadow_workload fn=aligned n=3"
[ "$(grep -c 'op=alloc fn=kvshadow_wl_aligned .* comm=modprobe .* ret=0 ' "$WL/log")" = 3 ] ||
	{ cat "$WL/log"; fail "the load-time batch is not 3 aligned areas made by modprobe"; }

# Refused commands: EINVAL, nothing done.
for bad in "alloc nosuch" "alloc vmalloc align=4096" "alloc aligned align=3000" \
	"alloc aligned n=x" "alloc aligned size=0" "alloc aligned keep=2" "bogus" \
	"free nosuch" "purge now"; do
	err=$( (control "$bad") 2>&1) && fail "'$bad' was accepted"
	case $err in *"Invalid argument"*) ;; *) fail "'$bad': '$err', want EINVAL" ;; esac
done
[ "$(grep -c . "$WL/log")" = 3 ] || fail "a refused command left a trace in the log"

# Every function, with the populate events and their stacks recorded.
echo 1 >"$T/events/kasan/kasan_vmalloc_populate/enable" || fail "kasan_vmalloc_populate event"
echo stacktrace >"$T/trace_options"
echo 8192 >"$T/buffer_size_kb"
echo >"$T/trace"
control clear
control "alloc aligned n=4" || fail "alloc aligned"
control "alloc vmalloc n=3 size=5000" || fail "alloc vmalloc"
control "alloc vzalloc n=2 size=9000 thread=1" || fail "alloc vzalloc thread=1"
control "alloc vmap n=2 size=16384" || fail "alloc vmap"
control "alloc slow size=3M" || fail "alloc slow"
control "alloc aligned n=2 size=60K align=64K keep=0" || fail "alloc aligned keep=0"
echo 0 >"$T/events/kasan/kasan_vmalloc_populate/enable"
echo nostacktrace >"$T/trace_options"
cat "$WL/log"
grep -q ' ret=-' "$WL/log" && fail "an allocation failed"

# The log: ids, functions and processes as asked.
awk '$2 == "op=alloc" { split($3, f, "="); split($6, c, "="); n[f[2] " " c[2]]++ }
	$2 == "op=free" { split($3, f, "="); nf[f[2]]++ }
	END {
		want["kvshadow_wl_aligned sh"] = 6; want["kvshadow_wl_vmalloc sh"] = 3
		want["kvshadow_wl_vzalloc kvshadow_wl"] = 2; want["kvshadow_wl_vmap sh"] = 2
		want["kvshadow_wl_slow sh"] = 1
		for (k in want) if (n[k] != want[k]) { print "log: " n[k] + 0 " allocations by " k ", want " want[k]; bad = 1 }
		if (nf["kvshadow_wl_free"] != 2) { print "log: " nf["kvshadow_wl_free"] + 0 " frees, want 2 (keep=0)"; bad = 1 }
		exit bad
	}' "$WL/log" || fail "the log does not say what was asked"
grep 'op=alloc fn=kvshadow_wl_aligned .* align=65536 ' "$WL/log" |
	awk '{ split($9, s, "="); split($10, e, "="); if ((s[2] + 0) % 65536 || (e[2] - s[2]) != 65536) bad = 1 } END { exit bad }' ||
	fail "align=64K size=60K areas are not 64 KiB aligned 64 KiB areas"

# /proc/vmallocinfo knows every kept area: same start, end and caller.
workload_areas >/tmp/areas || fail "workload_areas"
awk 'FNR == NR { split($1, r, "-"); fn = $3; sub(/\+.*/, "", fn); v[r[1]] = r[2] " " fn; next }
	{
		if (!($3 in v)) { print "area " $1 " (" $3 ") not in /proc/vmallocinfo"; bad = 1; next }
		if (v[$3] != $4 " " $2) { print "area " $1 ": vmallocinfo says " v[$3] ", the module " $4 " " $2; bad = 1 }
		n++
	}
	END { print n " kept areas match /proc/vmallocinfo (start, end, caller)"; exit bad || n != 15 }' \
	/tmp/vmallocinfo.wl "$WL/areas" || fail "the module's areas disagree with /proc/vmallocinfo"

# The populate events: one per area (nested page arrays included), at its
# start, over its size, in the logged process, the function on the stack,
# as many pages allocated as it mapped (populate allocates only for the
# shadow PTEs it finds empty, and nothing races the module's areas), at
# most the G shadow pages the area touches.
awk '/kasan_vmalloc_populate:/ {
		if (ev) print ev, fn
		comm = $1; sub(/-[0-9]+$/, "", comm); ev = ""; fn = "-"
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^addr=/) { sub(/^addr=/, "", $i); a = $i }
			if ($i ~ /^size=/) { sub(/^size=/, "", $i); s = $i }
			if ($i ~ /^nr_allocated=/) { sub(/^nr_allocated=/, "", $i); na = $i }
			if ($i ~ /^nr_populated=/) { sub(/^nr_populated=/, "", $i); np = $i }
		}
		ev = a " " s " " na " " comm " " np
		next
	}
	/^ => kvshadow_wl_/ && fn == "-" { fn = $2 }
	END { if (ev) print ev, fn }' "$T/trace" >/tmp/events
# /tmp/events: ADDR SIZE NR_ALLOCATED COMM NR_POPULATED FUNCTION
ptdump_save /tmp/now
ptdump_areas /tmp/now </tmp/areas >/tmp/g
awk 'FILENAME == "/tmp/events" { ev[$1] = $0; next }
	FILENAME == "/tmp/g" { g[$1] = $2; next }
	{
		id = $1; a = $2; size = ($3 + 0) - ($2 + 0)
		if (!(a in ev)) { print "area " id ": no populate event at " a; bad = 1; next }
		split(ev[a], e, " ")
		if (e[2] != size) { print "area " id ": populate size " e[2] ", area " size; bad = 1 }
		if (e[3] != e[5]) { print "area " id ": nr_allocated " e[3] ", nr_populated " e[5]; bad = 1 }
		if (e[3] > g[id]) { print "area " id ": nr_allocated " e[3] ", the area touches " g[id] " shadow pages"; bad = 1 }
		if (e[6] == "-") { print "area " id ": no kvshadow_wl_ function on the populate stack"; bad = 1 }
		n++
	}
	END { print n " areas have their populate event (size, pages, stack)"; exit bad }' \
	/tmp/events /tmp/g /tmp/areas || { cat /tmp/events; fail "populate events disagree with the areas"; }
# Per function: the populate calls the trace saw, by process and stack.
awk '{ n[$6 " " $4]++ } END { for (k in n) print "populate calls " k ": " n[k] }' /tmp/events | sort
awk 'FILENAME == "/tmp/events" { ev[$1] = $6 " " $4; next }
	$2 == "op=alloc" {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (!(f["start"] in ev)) { print "area " f["id"] ": no populate event"; bad = 1; next }
		if (ev[f["start"]] != f["fn"] " " f["comm"]) {
			print "area " f["id"] ": the stack and process say " ev[f["start"]] ", the log " f["fn"] " " f["comm"]; bad = 1
		}
	}
	END { exit bad }' /tmp/events "$WL/log" || fail "callers or processes differ between the trace and the log"

# stats add up; unloading frees every kept area.
while read -r k v; do eval "st_$k=$v"; done <"$WL/stats"
echo "stats: allocs=$st_allocs failures=$st_failures frees=$st_frees live=$st_live live_bytes=$st_live_bytes"
[ "$st_allocs" = 17 ] && [ "$st_failures" = 0 ] && [ "$st_frees" = 2 ] && [ "$st_live" = 15 ] ||
	fail "stats do not match 17 allocations, 2 freed"
modprobe -r kvshadow_workload || fail "modprobe -r kvshadow_workload"
read -r kr </proc/sys/kernel/kptr_restrict
echo 1 >/proc/sys/kernel/kptr_restrict
left=$(grep -c 'kvshadow_wl_' /proc/vmallocinfo)
echo "$kr" >/proc/sys/kernel/kptr_restrict
[ "$left" = 0 ] || fail "$left areas of the module are still in /proc/vmallocinfo after unload"
echo "workload OK"
