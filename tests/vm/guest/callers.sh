#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest side of tests/vm/callers.sh (busybox sh): for each CONFIG argument
# (MODE, MODE:nofentry, MODE:foreign, MODE:rows2), kvshadowtop runs twice at
# once (--by caller and --by process) while the workload module makes areas
# of known functions, sizes and processes (MODE:rows2: the caller map holds
# two rows, KVSHADOW_ROWS=2, so it is full). Prints, for the host to judge:
#   @@expect CONFIG FN CALLS PAGES   from the module's areas and the page
#                                    tables just before them (ptdump_areas)
#   @@proc CONFIG COMM CALLS PAGES   the same per process
#   @@caller CONFIG {json} / @@process CONFIG {json}   each tool's last line
#   @@kptr MODE BEFORE RC AFTER APPROX  kernel.kptr_restrict around a run;
#                                      APPROX: lines saying the seed is approximate
# No fork between the page-table dump and the last allocation: a fork may
# vmalloc a thread stack and populate shadow the expectation does not know.
. /kvshadow/tests/lib.sh

# settle [DUMP]: no shadow moves for a second (debugfs where our series is,
# else the page tables); DUMP: the page tables then.
settle() {
	if [ -r "$VS" ]; then
		quiesce
		[ -z "${1:-}" ] || ptdump_save "$1"
		return
	fi
	ptdump_settle "${1:-}"
}

run_config() {
	cfg=$1
	mode=${cfg%%:*}
	opts=""
	rows=""
	case $cfg in *:nofentry*) opts=--no-fentry ;; esac
	case $cfg in *:rows2*) rows=KVSHADOW_ROWS=2 ;; esac
	modprobe kvshadow_workload || fail "$cfg: modprobe kvshadow_workload"
	fpid=""
	case $cfg in
	*:foreign*)
		foreign >/tmp/foreign.out 2>&1 &
		fpid=$!
		i=0
		until grep -q attached /tmp/foreign.out; do
			nap 0.1; i=$((i + 1))
			[ $i -lt 100 ] || { cat /tmp/foreign.out; fail "$cfg: the foreign programs did not attach"; }
		done
		;;
	esac
	# Emptied here, not only by the redirections: wait_line must not find
	# the previous configuration's lines before the new tools truncate.
	: >/tmp/c.json
	: >/tmp/p.json
	# shellcheck disable=SC2086 # $opts, $rows: zero or one word
	env $rows kvshadowtop --mode "$mode" $opts --json -d 0.5 -r 100 --by caller >/tmp/c.json 2>/tmp/c.err &
	cpid=$!
	# shellcheck disable=SC2086
	kvshadowtop --mode "$mode" $opts --json -d 0.5 -r 100 --by process >/tmp/p.json 2>/tmp/p.err &
	ppid=$!
	wait_line /tmp/c.json /tmp/c.err
	wait_line /tmp/p.json /tmp/p.err

	settle /tmp/pre
	echo clear >"$WL/control"
	# The kernel thread (thread=1) may map a new stack's shadow before its
	# areas: they are aligned, so they share no shadow page with it, and
	# they come last, since an unaligned area after them (vmap, first fit)
	# could find part of its shadow mapped by that stack, which the page
	# tables before know nothing of.
	echo "alloc aligned n=4 size=256K" >"$WL/control" &&
		echo "alloc vmalloc n=3 size=200K" >"$WL/control" &&
		echo "alloc vzalloc n=2 size=300K" >"$WL/control" &&
		echo "alloc vmap n=2 size=128K" >"$WL/control" &&
		echo "alloc slow size=3M" >"$WL/control" &&
		echo "alloc aligned n=2 size=192K thread=1" >"$WL/control" || fail "$cfg: alloc commands"
	settle
	# Two more intervals: the lines after the allocations settled.
	intervals /tmp/c.json
	wait_intervals /tmp/c.json $((intervals + 2)) || fail "$cfg: no two more caller lines in 30 s"
	intervals /tmp/p.json
	wait_intervals /tmp/p.json $((intervals + 2)) || fail "$cfg: no two more process lines in 30 s"
	echo "@@caller $cfg $(tail -n 1 /tmp/c.json)"
	echo "@@process $cfg $(tail -n 1 /tmp/p.json)"
	kill -TERM "$cpid" "$ppid"
	wait "$cpid" || { cat /tmp/c.err; fail "$cfg: kvshadowtop --by caller failed"; }
	wait "$ppid" || { cat /tmp/p.err; fail "$cfg: kvshadowtop --by process failed"; }
	cat /tmp/c.err /tmp/p.err
	if [ -n "$fpid" ]; then
		kill -TERM "$fpid"
		wait "$fpid"
		cat /tmp/foreign.out
	fi

	grep -q ' ret=-' "$WL/log" && { cat "$WL/log"; fail "$cfg: an allocation failed"; }
	workload_areas >/tmp/areas || fail "$cfg: workload_areas"
	ptdump_areas /tmp/pre </tmp/areas >/tmp/exp
	# Areas to functions and processes (a nested page array is its parent's).
	awk -v cfg="$cfg" '
		FILENAME == "/tmp/exp" { id = $1; sub(/n$/, "", id); calls[id]++; pages[id] += $5; next }
		$2 == "op=alloc" {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			fc[f["fn"]] += calls[f["id"]]; fp[f["fn"]] += pages[f["id"]]
			pc[f["comm"]] += calls[f["id"]]; pp[f["comm"]] += pages[f["id"]]
		}
		END {
			for (k in fc) print "@@expect", cfg, k, fc[k], fp[k]
			for (k in pc) print "@@proc", cfg, k, pc[k], pp[k]
		}' /tmp/exp "$WL/log"
	echo free >"$WL/control" && echo purge >"$WL/control" || fail "$cfg: free, purge"
	modprobe -r kvshadow_workload || fail "$cfg: modprobe -r kvshadow_workload"
}

read -r kptr_old </proc/sys/kernel/kptr_restrict
for cfg in "$@"; do
	# Estimate mode needs the addresses in /proc/vmallocinfo: 1 for this run.
	case $cfg in estimate*) echo 1 >/proc/sys/kernel/kptr_restrict ;; esac
	run_config "$cfg"
	echo "$kptr_old" >/proc/sys/kernel/kptr_restrict
done

# kvshadowtop never writes kernel.kptr_restrict, whatever it finds there.
for cfg in "$@"; do
	mode=${cfg%%:*}
	case $cfg in *:*) continue ;; esac
	for v in 0 1 2; do
		echo $v >/proc/sys/kernel/kptr_restrict
		kvshadowtop --mode "$mode" -b -n 1 -d 0.2 >/tmp/k.out 2>&1
		rc=$?
		read -r after </proc/sys/kernel/kptr_restrict
		echo "@@kptr $mode $v $rc $after $(grep -c '^  approximate: ' /tmp/k.out)"
		[ "$rc" = 0 ] || sed 's/^/    /' /tmp/k.out
	done
done
echo "$kptr_old" >/proc/sys/kernel/kptr_restrict
echo "@@end"
