#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The observer's own shadow (issue 22, item 4): self_shadow_pages, the
# shadow pages only kvshadowtop's own BPF maps and programs keep mapped,
# in the patched test kernel, against what the kernel shows
# (tests/vm/guest/self_shadow.sh): the vmap areas that came with the tool
# and were made by a map allocator or bpf_prog_alloc() (/proc/vmallocinfo
# before it started and while it runs), the shadow pages they touch and
# no other live area does, exactly, and its Prometheus gauge the same in
# bytes; each of those pages mapped in the page tables while it runs;
# after it exited and a purge ran, only those its areas cover in part (a
# purge releases the shadow pages wholly inside a purged area: the others
# stay, stale, until an area that covers them wholly is purged). Once
# where the tool finds the areas by walking the kernel's vmap lists
# (kernel.kptr_restrict=0) and once from /proc/vmallocinfo (1).
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"

out=$work/out
vm_run -- 'sh /kvshadow/tests/self_shadow.sh 0 1' >"$out" || { cat "$out"; fail "guest run failed"; }
grep -v '^@@line ' "$out"
grep -q '^@@end$' "$out" || fail "the guest script did not finish"
console_clean || fail "unexpected report on the console"
[ "$(grep -c '^@@self ' "$out")" = 2 ] || fail "not both rounds ran"
while read -r kptr tool truth during after partial prom; do
	echo "kptr_restrict $kptr: self_shadow_pages $tool; its maps' and programs' areas: $truth shadow pages only they touch, $during of them mapped while it ran, $after after it exited and a purge ($partial they cover in part); Prometheus $prom bytes"
	[ "$truth" -gt 0 ] || fail "kptr_restrict $kptr: no shadow page only its maps touch: nothing to check"
	[ "$tool" = "$truth" ] || fail "kptr_restrict $kptr: self_shadow_pages $tool, the kernel's areas say $truth"
	[ "$prom" = $((truth * 4096)) ] || fail "kptr_restrict $kptr: kvshadow_self_shadow_bytes $prom, the kernel's areas say $((truth * 4096))"
	[ "$during" = "$truth" ] || fail "kptr_restrict $kptr: $during of those $truth pages mapped while it ran"
	[ "$after" = "$partial" ] ||
		fail "kptr_restrict $kptr: $after of those pages still mapped after its exit and a purge; the $partial its areas covered in part should be, no more"
done < <(sed -n 's/^@@self //p' "$out")
works_where "exact: self_shadow_pages" "its maps' and programs' vmap areas in /proc/vmallocinfo and the page tables, while it runs and after"
echo PASS
