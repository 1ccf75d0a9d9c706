# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What bench/bpf-cost and bench/scale share: the tools side by side (as a
# user would run them), their programs' run time by event from the
# kernel's BPF statistics, a process's CPU time. The caller sets tool
# (kvshadowtop's path) and work (a scratch directory), and pid is the
# running tool's.

# The tools, as a user would run them. The bpftrace lines count and sum
# by process what kvshadowtop shows (calls, bytes), with and without the
# stack that names the caller.
bt_common='@calls[comm] = count(); @bytes[comm] = sum(args->size); }
tracepoint:vmalloc:free_vmap_area_noflush { @frees[comm] = count(); }
tracepoint:vmalloc:purge_vmap_area_lazy { @purges[comm] = count(); }'
bt_stack="tracepoint:vmalloc:alloc_vmap_area { @callers[kstack(8)] = count(); $bt_common"
bt_nostack="tracepoint:vmalloc:alloc_vmap_area { $bt_common"
# shellcheck disable=SC2034 # the callers use them
tools=(kvshadowtop bpftrace_stack bpftrace_nostack)
# shellcheck disable=SC2034
events=(alloc free purge)

start_tool() {
	case $1 in
	kvshadowtop)
		"$tool" --json -d 1 --mode estimate >"$work/out" 2>"$work/err" </dev/null &
		pid=$!
		for _ in $(seq 200); do [ -s "$work/out" ] && return 0; sleep 0.05; done ;;
	bpftrace_*)
		local prog=$bt_stack
		[ "$1" = bpftrace_nostack ] && prog=$bt_nostack
		bpftrace -e "$prog" >"$work/out" 2>"$work/err" </dev/null &
		pid=$!
		for _ in $(seq 400); do grep -q '^Attaching' "$work/out" && { sleep 0.5; return 0; }; sleep 0.05; done ;;
	esac
	cat "$work/err" >&2
	echo "bench: $1 did not start" >&2
	exit 1
}

stop_tool() {
	# kvshadowtop keeps the SIGINT a background job starts with ignored: TERM.
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	# A tool that does not end on TERM within 5 s (bpftrace, seen once) is killed.
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
}

# The tool's programs by event: "alloc run_cnt run_time_ns" lines.
prog_stats() {
	local sel
	case $1 in
	kvshadowtop) sel='startswith("kvs_alloc_va") or startswith("kvs_free_va") or startswith("kvs_purge")' ;;
	*) sel='startswith("alloc_vmap_area") or startswith("free_vmap_area") or startswith("purge_vmap_area")' ;;
	esac
	bpftool -j prog show | jq -r ".[] | select(.name // \"\" | $sel) |
		\"\\(.name | if test(\"alloc\") then \"alloc\" elif test(\"free\") then \"free\" else \"purge\" end) \\(.run_cnt // 0) \\(.run_time_ns // 0)\"" |
		awk '{ c[$1] += $2; t[$1] += $3 } END { for (e in c) printf "%s %.0f %.0f\n", e, c[e], t[e] }'
}

# The process's CPU time in seconds, all its threads (schedstat: ns, not ticks).
cpu_s() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ ns += $1 } END { printf "%.6f\n", ns / 1e9 }'
}

now_s() { date +%s.%N; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
