#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The real kvshadowtop in a terminal (tmux): header, table, help, keys,
# pause, delay, resize, NO_COLOR, exit with q or SIGTERM and the terminal
# given back; batch text where the terminal cannot show the TUI (TERM=dumb),
# the terminal given back after SIGHUP and crash signals. Estimate mode:
# any kernel, but root and BPF.
set -u
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/tui/lib.sh
. tests/tui/lib.sh

# KVSHADOWTOP: test another build, e.g. an installed one.
top=${KVSHADOWTOP:-build/bin/kvshadowtop}
need tmux
[ -x "$top" ] || { echo "FAIL: $top is not built (make)"; exit 1; }
"$top" --help >/dev/null 2>&1 || { echo "FAIL: $top --help fails"; exit 1; }
[ "$(id -u)" = 0 ] || skip "estimate mode needs root for BPF"
[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF: estimate mode cannot load here"
kptr_restrict_for_test 1 || skip "cannot set kernel.kptr_restrict for estimate mode"
# Probe once without a terminal: with root and BTF, estimate mode runs on
# any kernel (host/ tests say so too), so a failure here is the tool's,
# said before the terminal checks and not counted as theirs.
if ! out=$(timeout 30 "$top" -b -n 1 -d 0.2 --mode estimate 2>&1 </dev/null); then
	echo "FAIL: kvshadowtop --mode estimate does not run without a terminal: $(echo "$out" | tail -n 1)"
	exit 1
fi

tui_suite kvshadowtop ESTIMATE "$top" -d 0.5 --mode estimate
# Issue 12 #7 #8: main's choice of view, and the real signal handling.
tui_batch_fallback kvshadowtop '^[0-9:]+ estimate \(estimate: what KASAN_VMALLOC would map\)' \
	"$top" -d 0.3 -n 3 --mode estimate
tui_signals kvshadowtop "$top" -d 0.5 --mode estimate

# Issue 19: at kptr_restrict=0 (addresses hashed) the seed is from sizes:
# the screen says APPROXIMATE, the bound and how to get the exact seed.
kptr_restrict_restore
kptr_restrict_for_test 0 || skip "cannot set kernel.kptr_restrict"
tui_start 160 30 "$top" -d 0.5 --mode estimate || fail "tmux did not start"
expect "kptr_restrict=0: the approximate seed, its bound and the hint" \
	'^APPROXIMATE between [0-9]+ and [0-9]+ pages \(kernel\.kptr_restrict=0 hides the area addresses: seeded from sizes; exact seed: sysctl kernel\.kptr_restrict=1\)'
keys q
wait_exit || fail "kptr_restrict=0: no exit after q"
[ "$(cat /proc/sys/kernel/kptr_restrict)" = 0 ] || fail "kernel.kptr_restrict changed from 0"
[ "$tui_failed" -eq 0 ] || { echo "$tui_failed checks failed"; exit 1; }
echo "all checks passed"
