# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared by the VM tests: boot the test kernel with a command, keep the
# console, and check the console for reports nobody asked for.
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-vmtest.XXXXXX")
trap 'rm -rf "$work"' EXIT
console=$work/console.log
# The VM tests boot the 6.12 kernels (the backport series, and stock)
# without syzbot's debug options, unless they ask for others (vm_run
# --kver 7.2 --debug): KUnit and the per-node vmstat test boot the patched
# 7.2 debug kernel with page_owner on. Not 7.2 for the tool's tests yet: on
# 7.2 (nodebug and debug alike, under TCG) a vmalloc that runs through
# kvshadowtop's BPF trampoline on __vmalloc_node_range_noprof (nine
# arguments, three on the stack) returned the function's own address or
# jumped to an argument's value (RIP 0x32000000000000) when the tool was
# started a second time in one boot (tests/vm/slow.sh, tests/vm/stress.sh);
# not seen on 6.12. Not the debug kernel for them: under TCG lockdep,
# DEBUG_VM and KASAN together made the page-table test 3x slower and the
# caller test miss its waits.
export KVER=${KVER-6.12} NODEBUG=${NODEBUG-1}

fail() { echo "FAIL: $*"; exit 1; }

# vm_run [run.sh options...] -- CMD: runs CMD in the guest, output on stdout.
vm_run() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
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
