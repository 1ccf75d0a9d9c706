# SPDX-License-Identifier: GPL-2.0
# Guest side (busybox sh): helpers shared by the scripts in this folder.
VS=/sys/kernel/debug/kasan/vmalloc_shadow
T=/sys/kernel/tracing
KEYS="shadow_pages shadow_pages_peak pages_populated pages_released pages_allocated populate_calls populate_failures release_calls"

fail() { echo "FAIL: $*"; exit 1; }

# snap PREFIX: read the debugfs counters into PREFIX_<key> variables with
# shell builtins only. A fork could vmalloc a thread stack and move the
# counters between the snapshot and a trace marker.
snap() {
	while read -r k v; do
		eval "$1_$k=$v"
	done <"$VS"
}

# nap SECONDS: sleep without a fork (busybox sleep is a process, and a
# fork can vmalloc a thread stack): read -t on a fifo nobody writes to.
# Subshells share the fifo ($$ is the script's pid in them too) and may
# create it at the same time: whoever loses finds it there.
_nap_fifo=/tmp/.nap.$$
nap() {
	if [ -z "${_nap_open:-}" ]; then
		[ -p "$_nap_fifo" ] || mkfifo "$_nap_fifo" 2>/dev/null || [ -p "$_nap_fifo" ] ||
			fail "mkfifo $_nap_fifo"
		exec 8<>"$_nap_fifo"
		_nap_open=1
	fi
	read -r -t "$1" _ <&8
	return 0
}

# intervals FILE: how many whole intervals kvshadowtop has written to FILE,
# into $intervals, with builtins only (no fork): a JSON line each, which
# begins with {"ts" (not the {"event":...} lines of --slow records, nor the
# tail of a line cut in two where a test emptied the file), and in the
# batch text each interval ends with an empty line.
intervals() {
	intervals=0
	while IFS= read -r _l; do
		case $_l in
		"" | '{"ts"'*) intervals=$((intervals + 1)) ;;
		esac
	done <"$1"
}

# wait_line FILE ERRFILE: until kvshadowtop wrote its first line to FILE
# (30 s at most; else ERRFILE, its stderr, and fail).
wait_line() {
	_wl=0
	until [ -s "$1" ]; do
		nap 0.1; _wl=$((_wl + 1))
		[ $_wl -lt 300 ] || { cat "$2"; fail "$1: kvshadowtop wrote nothing in 30 s"; }
	done
}

# wait_intervals FILE N [SECONDS]: until FILE holds N whole intervals, at
# most SECONDS (default 30; 1 after that), without a fork. Where a test
# wants "two more intervals": the line after the one in progress, whose
# snapshot is taken after the one in progress was printed (the tool's loop
# is snapshot, print, sleep), so after anything the test did before it
# counted.
wait_intervals() {
	_wi=0
	while intervals "$1"; [ "$intervals" -lt "$2" ]; do
		[ $_wi -lt $((${3:-30} * 10)) ] || return 1
		nap 0.1
		_wi=$((_wi + 1))
	done
	return 0
}

# quiesce: wait until the counters stop moving (lazy purges run from
# workqueues after the workload returns), at most ~20 s.
quiesce() {
	i=0
	while [ $i -lt 20 ]; do
		a=""; while read -r k v; do a="$a $v"; done <"$VS"
		nap 1
		b=""; while read -r k v; do b="$b $v"; done <"$VS"
		[ "$a" = "$b" ] && return 0
		i=$((i + 1))
	done
	fail "counters never settled"
}

# test_vmalloc ARGS...: its init returns -EAGAIN on purpose, so modprobe
# "fails" even when every test passed; the verdict is in the kernel log.
test_vmalloc() {
	modprobe test_vmalloc "$@" 2>/dev/null
	dmesg | grep -q "Summary: .* failed: [1-9]" && fail "test_vmalloc reported failures"
	dmesg | grep -q "Summary: .* passed: " || fail "test_vmalloc printed no summary"
}

# ---------------------------------------------------------------------------
# Shadow pages from the kernel page tables: a truth independent of the
# kvshadow counters (and the one stock mode has).
#
# /sys/kernel/debug/page_tables/kernel (CONFIG_PTDUMP_DEBUGFS) lists init_mm's
# mappings as "0xSTART-0xEND  SIZE  ATTRS LEVEL" lines, consecutive entries
# with equal attributes merged, between "---[ MARKER ]---" lines; a line
# without attributes is not present. The first line after a marker starts at
# the marker's address (the dump breaks lines there), which gives:
#   VMALLOC_START  "vmalloc() Area"        VMEMMAP_START  "Vmemmap"
#   MODULES_VADDR  "Modules"               MODULES_END    "End Modules"
#   KASAN_SHADOW_END "KASAN shadow end"
# VMALLOC_END + 1 is VMALLOC_START + (VmallocTotal + 1) KiB (/proc/meminfo;
# x86_64 defines VMALLOC_END as START + SIZE - 1), bounded by VMEMMAP_START.
# Generic KASAN maps address A to shadow A / 8 + OFFSET, and the shadow of
# the whole address space ends at KASAN_SHADOW_END = 2^64 / 8 + OFFSET, so
# OFFSET = KASAN_SHADOW_END - 2^61 (0xdffffc0000000000 on x86_64).
#
# Counted: present, writable, 4 KiB (pte level) entries inside
#   [shadow(VMALLOC_START), shadow(VMALLOC_END + 1)) and
#   [shadow(MODULES_VADDR), shadow(MODULES_END)),
# the two ranges kasan_populate_vmalloc() maps pages into. Lines are clipped
# to the ranges: their neighbours are the early shadow (one zero page mapped
# read-only over and over: not vmalloc shadow), the shadow of the direct map
# and of the kernel image (real pages, partly 2 MiB mappings) and of the CPU
# entry area. Read-only or large entries inside the ranges are not vmalloc
# shadow either; ptdump_shadow_detail reports them so a test can insist on 0.
#
# busybox awk computes in doubles: page-aligned addresses near 2^64 are exact
# (the spacing of doubles there is 2 KiB), and so is everything below, which
# only ever adds, subtracts or divides by 8 such numbers.
PT=/sys/kernel/debug/page_tables/kernel
_pt_awk='
function parse_marker(line) {
	sub(/^---\[ /, "", line); sub(/ \]---$/, "", line); return line
}
# Pass over the dump: markers and the present entries.
FNR == NR {
	if ($0 ~ /^---\[ /) { pend = parse_marker($0); next }
	if ($1 !~ /^0x/) next
	split($1, r, "-"); s = r[1] + 0; e = r[2] + 0
	if (e == 0) e = 18446744073709551616
	if (pend != "") { mk[pend] = s; pend = "" }
	if (NF <= 3) next
	n++; ps[n] = s; pe[n] = e; lvl[n] = $NF; rw[n] = 0
	for (i = 3; i < NF; i++) if ($i == "RW") rw[n] = 1
	next
}
function ranges(    vs, ve, vme, ms, me, ke, ks, off, i) {
	if (done) return
	done = 1
	vs = mk["vmalloc() Area"]; vme = mk["Vmemmap"]
	ms = mk["Modules"]; me = mk["End Modules"]
	ks = mk["KASAN shadow"]; ke = mk["KASAN shadow end"]
	if (vs == "" || vme == "" || ms == "" || me == "" || ks == "" || ke == "") {
		print "ptdump: markers missing (vmalloc() Area, Vmemmap, Modules, End Modules, KASAN shadow[ end])" > "/dev/stderr"
		bad = 1; exit 2
	}
	ve = vme
	if (vtotal > 0 && vs + (vtotal + 1) * 1024 < vme) ve = vs + (vtotal + 1) * 1024
	off = ke - 2305843009213693952
	lo[1] = vs / 8 + off; hi[1] = ve / 8 + off
	lo[2] = ms / 8 + off; hi[2] = me / 8 + off
	if (!(ks <= lo[1] && lo[1] < hi[1] && hi[1] <= lo[2] && lo[2] < hi[2] && hi[2] <= ke)) {
		print "ptdump: shadow ranges outside the KASAN shadow: layout not understood" > "/dev/stderr"
		bad = 1; exit 2
	}
	OFF = off
	for (i = 1; i <= n; i++) clip(i)
}
# The part of entry i inside the two ranges, by kind.
function clip(i,    k, a, b, p) {
	for (k = 1; k <= 2; k++) {
		a = ps[i] > lo[k] ? ps[i] : lo[k]
		b = pe[i] < hi[k] ? pe[i] : hi[k]
		if (b <= a) continue
		p = (b - a) / 4096
		if (lvl[i] != "pte") large += p
		else if (!rw[i]) ro += p
		else {
			cnt[k] += p
			m++; ss[m] = a; se[m] = b
		}
	}
}
# mapped(A): 1 when the shadow page at A is mapped (4 KiB, RW, in range);
# the kept entries are in address order: binary search.
function mapped(A,    l, h, j) {
	l = 1; h = m
	while (l <= h) {
		j = int((l + h) / 2)
		if (A < ss[j]) h = j - 1
		else if (A >= se[j]) l = j + 1
		else return 1
	}
	return 0
}'

# _pt_vtotal: VmallocTotal in KiB, with shell builtins.
_pt_vtotal() {
	while read -r k v u; do
		[ "$k" = VmallocTotal: ] && echo "$v" && return
	done </proc/meminfo
	echo 0
}

# ptdump_save FILE: one read of the page tables into FILE, with shell
# builtins only (a fork could vmalloc a thread stack in the middle).
ptdump_save() {
	while IFS= read -r l; do
		echo "$l"
	done <"$PT" >"$1"
}

# ptdump_shadow_detail [DUMP]: "vmalloc=N modules=N ro_aliases=N large=N"
# for DUMP (default: the live page tables): the 4 KiB shadow pages mapped in
# the shadow of the vmalloc and of the module area, and what else is mapped
# inside those ranges (read-only entries such as early-shadow aliases; large
# entries, in 4 KiB units): both are expected to be 0.
ptdump_shadow_detail() {
	awk -v vtotal="$(_pt_vtotal)" "$_pt_awk"'
	END {
		if (bad) exit 2
		ranges()
		printf "vmalloc=%d modules=%d ro_aliases=%d large=%d\n", cnt[1], cnt[2], ro, large
	}' "${1:-$PT}" </dev/null
}

# ptdump_shadow_pages [DUMP]: the number of pages backing the KASAN shadow of
# the vmalloc and module areas, from the page tables: what debugfs
# shadow_pages must equal at a quiescent moment (and what stock mode must
# find without the kvshadow patches).
ptdump_shadow_pages() {
	awk -v vtotal="$(_pt_vtotal)" "$_pt_awk"'
	END {
		if (bad) exit 2
		ranges()
		printf "%d\n", cnt[1] + cnt[2]
	}' "${1:-$PT}" </dev/null
}

# ptdump_page_list DUMP: the address of every shadow page mapped in DUMP
# (the pages ptdump_shadow_pages counts), one decimal number per line.
ptdump_page_list() {
	awk -v vtotal="$(_pt_vtotal)" "$_pt_awk"'
	END {
		if (bad) exit 2
		ranges()
		for (j = 1; j <= m; j++)
			for (a = ss[j]; a < se[j]; a += 4096)
				printf "%.0f\n", a
	}' "$1" </dev/null
}

# ptdump_gone A B: how many shadow pages mapped in dump A are not in dump B
# (what was released between them, as the page tables tell it).
ptdump_gone() {
	ptdump_page_list "$1" >/tmp/pt.gone.a || return 1
	ptdump_page_list "$2" >/tmp/pt.gone.b || return 1
	awk 'NR == FNR { b[$1] = 1; next } !($1 in b) { n++ } END { print n + 0 }' \
		/tmp/pt.gone.b /tmp/pt.gone.a
}

# ptdump_settle [DUMP]: wait until the KASAN shadow part of the page tables
# did not change for a second (where no debugfs counters can say it), 20 s
# at most, and leave the last read of the page tables, whole, in DUMP
# (default /tmp/settle.dump), and its KASAN shadow part in $_sv: the tables
# as they stood at the end of the quiet second, so that a caller needs no
# read of its own (each read walks every kernel page table: ~5 s in TCG).
# No fork: a fork may map a thread stack and its shadow. Within the "KASAN
# shadow" markers only the vmalloc and module shadow ever changes (the rest
# of the shadow is mapped once at boot); the rest of the dump moves with
# every vmalloc.
# _pt_shadow_var DUMP: that part of DUMP (a saved dump, or $PT: the live
# tables) into $_sv, one string.
_pt_shadow_var() {
	_in=0 _sv=""
	while IFS= read -r l; do
		case $l in
		"---[ KASAN shadow ]---") _in=1 ;;
		"---[ KASAN shadow end ]---") _in=0 ;;
		*) [ $_in = 1 ] && _sv="$_sv$l;" ;;
		esac
	done <"$1"
}

ptdump_settle() {
	_ps_dump=${1:-/tmp/settle.dump}
	_ps_prev="" i=0
	while [ $i -le 20 ]; do
		ptdump_save "$_ps_dump"
		_pt_shadow_var "$_ps_dump"
		[ $i -gt 0 ] && [ "$_sv" = "$_ps_prev" ] && return 0
		_ps_prev=$_sv
		i=$((i + 1))
		nap 1
	done
	fail "the page tables never settled"
}

# ptdump_areas DUMP: reads "ID START END" lines (vmap areas [START, END),
# hex, in the order they were allocated) on stdin and prints "ID G W P NEW PW"
# for each: G the shadow pages the area touches (what populating it
# allocates), W those wholly inside it (what purging it releases), P how
# many of the G are mapped in DUMP, NEW how many are neither mapped in DUMP
# nor touched by an earlier line: what populating the area maps, when DUMP
# was taken just before these allocations, and PW how many of the W are
# mapped in DUMP (after a purge of the freed areas: 0, since the purge
# releases exactly the shadow pages wholly inside each; a page the area
# shares with a neighbour may stay mapped).
ptdump_areas() {
	awk -v vtotal="$(_pt_vtotal)" "$_pt_awk"'
	FNR != NR {
		ranges()
		s = $2 + 0; e = $3 + 0
		g0 = s - s % 32768; g1 = e - e % 32768; if (g1 < e) g1 += 32768
		w0 = s - s % 32768; if (w0 < s) w0 += 32768; w1 = e - e % 32768
		w = w1 > w0 ? (w1 - w0) / 32768 : 0
		p = 0; nw = 0; pw = 0
		for (g = g0; g < g1; g += 32768) {
			if (mapped(g / 8 + OFF)) {
				p++
				if (g >= w0 && g < w1) pw++
			} else if (!((g / 32768) in seen)) nw++
			seen[g / 32768] = 1
		}
		printf "%s %d %d %d %d %d\n", $1, (g1 - g0) / 32768, w, p, nw, pw
	}' "$1" -
}

# ptdump_blocks_mapped DUMP: how many of the shadow pages named on stdin
# (one per line: a vmalloc address / 32 KiB) are mapped in DUMP.
ptdump_blocks_mapped() {
	awk -v vtotal="$(_pt_vtotal)" "$_pt_awk"'
	FNR != NR { ranges(); if (mapped($1 * 4096 + OFF)) nmapped++ }
	END { if (!bad) print nmapped + 0; exit bad }' "$1" -
}

# workload_areas: "ID START END" of every area the workload module's log
# reports (op=alloc, ret=0), in allocation order, each followed by its
# nested page-array area ("IDn START END") when it has one: the module
# knows its size, /proc/vmallocinfo (read with kptr_restrict 1, restored
# after) where it is. With several nested areas of one function and size
# they are matched in address order.
WL=/sys/kernel/debug/kvshadow_workload
workload_areas() {
	read -r _kr </proc/sys/kernel/kptr_restrict
	echo 1 >/proc/sys/kernel/kptr_restrict
	cp /proc/vmallocinfo /tmp/vmallocinfo.wl
	echo "$_kr" >/proc/sys/kernel/kptr_restrict
	awk '
	FNR == NR {
		split($1, r, "-"); fn = $3; sub(/\+.*/, "", fn)
		k = fn " " $2; nv[k]++; vs[k, nv[k]] = r[1]; ve[k, nv[k]] = r[2]
		next
	}
	$2 == "op=alloc" && $11 == "ret=0" {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		print f["id"], f["start"], f["end"]
		if (f["nested"] > 0) {
			k = f["fn"] " " f["nested"]
			if (!(k in used)) used[k] = 0
			j = ++used[k]
			if (j > nv[k]) { print "workload_areas: nested area of " f["fn"] " not in /proc/vmallocinfo" > "/dev/stderr"; exit 1 }
			print f["id"] "n", vs[k, j], ve[k, j]
		}
	}' /tmp/vmallocinfo.wl "$WL/log"
}

# counters VAR: the debugfs counters on one line into VAR, with builtins
# only (no fork: see snap).
counters() {
	_c=""
	while read -r k v; do _c="$_c $k=$v"; done <"$VS"
	eval "$1=\"\${_c# }\""
}

# ptdump_check LABEL: at a quiescent moment, debugfs shadow_pages equals the
# shadow pages in the page tables, exactly. Quiescent: the counters did not
# move for a second, and not while the page tables were read (else again,
# up to 5 times). Fails loudly with both numbers; leaves the dump in
# /tmp/ptdump.last and the count in $pt_pages.
ptdump_check() {
	tries=0
	while :; do
		quiesce
		counters before
		ptdump_save /tmp/ptdump.last
		counters after
		[ "$before" = "$after" ] && break
		tries=$((tries + 1))
		[ $tries -lt 5 ] || fail "$1: the counters moved while the page tables were read, $tries times"
	done
	snap pc
	pt_pages=$(ptdump_shadow_pages /tmp/ptdump.last) || fail "$1: cannot count the page tables"
	detail=$(ptdump_shadow_detail /tmp/ptdump.last)
	echo "$1: page tables $pt_pages ($detail), debugfs shadow_pages $pc_shadow_pages"
	[ "$pt_pages" = "$pc_shadow_pages" ] ||
		fail "$1: the page tables map $pt_pages shadow pages but debugfs shadow_pages is $pc_shadow_pages ($after)"
	case $detail in
	*" ro_aliases=0 large=0") ;;
	*) fail "$1: unexpected mappings inside the vmalloc/module shadow: $detail" ;;
	esac
	[ "$pc_shadow_pages" -eq $((pc_pages_populated - pc_pages_released)) ] ||
		fail "$1: shadow_pages $pc_shadow_pages != pages_populated $pc_pages_populated - pages_released $pc_pages_released"
}
