# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the VM tests: boot the test kernel with a command, keep the
# console, and check the console for reports nobody asked for.
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-vmtest.XXXXXX")
# VM_TEST_KEEPDIR=DIR keeps the test's files (guest output, console) there.
trap '[ -n "${VM_TEST_KEEPDIR:-}" ] && cp -r "$work" "$VM_TEST_KEEPDIR"; rm -rf "$work"' EXIT
console=$work/console.log
# The VM tests boot Linux 7.2 (the series, and stock) without syzbot's
# debug options, unless they ask for others (vm_run --debug): KUnit, the
# stress test and the per-node vmstat test boot the patched 7.2 debug
# kernel with page_owner on. Not the debug kernel for all: under TCG
# lockdep, DEBUG_VM and KASAN together made the page-table test 3x slower
# and the caller test miss its waits. KVER=6.12 runs them on the backport.
export KVER=${KVER-7.2} NODEBUG=${NODEBUG-1}

fail() { echo "FAIL: $*"; exit 1; }
# shellcheck source=tests/common.sh
. "$top/tests/common.sh"

# works_where MODE CHECKED-AGAINST: once a test's check of MODE on the
# kernel it last booted passed, one row of the table of what works where
# (tests/run.sh makes docs/works-where.md of them: it cannot claim what
# no test checked).
works_where() {
	[ -n "${KVSHADOW_WORKS_WHERE:-}" ] || return 0
	printf '%s\t%s\t%s\t%s\n' "$(cat "$work/kernel")" "$1" "$2" "vm/$(basename "$0" .sh)" \
		>>"$KVSHADOW_WORKS_WHERE"
}

# vm_run [run.sh options...] -- CMD: runs CMD in the guest, output on stdout.
# The kernel it boots is named in $work/kernel, for works_where.
vm_run() {
	local opts=() kver=$KVER flavour=patched debug=
	[ "${NODEBUG:-}" = 1 ] || debug=", debug options"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		--kver) kver=$2 ;;
		--stock) flavour=stock ;;
		--novmalloc) flavour=novmalloc ;;
		--debug) debug=", debug options" ;;
		--nodebug) debug= ;;
		esac
		opts+=("$1")
		shift
	done
	shift
	echo "Linux $kver $flavour$debug" >"$work/kernel"
	"$top/kernel/vm/run.sh" --timeout "${VM_TEST_TIMEOUT:-600}" \
		--console "$console" "${opts[@]}" --cmd "$*"
}

# A KASAN report, WARNING (lockdep's splats among them), BUG, Oops, RCU
# stall or hung task outside the KUnit suite that provokes reports on
# purpose (kasan) fails the test: a stall the debug kernel reports is a
# failure, never retried away. Lines that match the ERE in
# console_allow are expected (say, the messages of injected faults).
console_clean() {
	tr -d '\r' <"$console" | awk -v allow="${console_allow:-}" '
		/# Subtest: kasan$/ { in_kasan = 1 }
		in_kasan && /^ *(not )?ok [0-9]+ kasan$/ { in_kasan = 0; next }
		/^ok [0-9]+ kasan$/ { in_kasan = 0 }
		allow != "" && $0 ~ allow { next }
		!in_kasan && /(BUG: KASAN|WARNING:|BUG:|Oops|Kernel panic|general protection fault|rcu: INFO:|detected stalls? on CPU|self-detected stall|INFO: task .* blocked for more than|INFO: trying to register non-static key|DEBUG_LOCKS_WARN_ON)/ {
			print "unexpected on the console: " $0; bad = 1
		}
		END { exit bad }'
}

# section FILE NAME: the lines of a guest script's ==NAME== section in FILE.
section() { sed -n "/^==$2==\$/,/^==/p" "$1" | sed '1d;$d'; }

# log2_quantile FILE KEY Q: the Q quantile of the durations in FILE's
# "KEY DURATION_NS" lines as kvshadowtop computes it from its histograms:
# each duration in its log2 slot [2^i, 2^(i+1)) ([0, 2) for slot 0; a
# zero duration is not filed, as in bpf/exact.bpf.c), then linear inside
# the slot that holds the Q-th event (kvs_hist_quantile). "none" when
# KEY has no duration.
log2_quantile() {
	awk -v key="$2" -v q="$3" '$1 == key && $2 > 0 {
			s = 0; while (s < 31 && 2 ^ (s + 1) <= $2) s++
			c[s]++; n++ }
		END {
			if (!n) { print "none"; exit }
			t = q * n
			for (i = 0; i < 32; i++) {
				if (!c[i]) continue
				if (seen + c[i] >= t) {
					lo = i ? 2 ^ i : 0; fr = (t - seen) / c[i]; if (fr < 0) fr = 0
					printf "%.3f\n", lo + (2 ^ (i + 1) - lo) * fr; exit
				}
				seen += c[i]
			}
		}' "$1"
}
