#!/bin/bash
# kvshadowtop says what is missing instead of showing made-up numbers:
# without BPF rights it falls back to debugfs mode, and where debugfs cannot
# be read either (not root, or a kernel without the patches) it exits 1.
# Runs on the plain and the sanitized build (lib.sh).
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

tool=$bin/kvshadowtop
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to drop to an unprivileged user"; exit 77; }
[ -r /sys/kernel/debug/kasan/vmalloc_shadow ] &&
	{ echo "SKIP: this kernel has the kvshadow debugfs file; the test needs one without"; exit 77; }

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" -b -n 1 -d 0.2 2>&1)
rc=$?
echo "$out"
san_clean <(printf '%s\n' "$out")
[ "$rc" = 1 ] || fail "unprivileged run exited $rc, want 1"
grep -q "falling back to debugfs mode" <<<"$out" || fail "no word of the debugfs fallback"
grep -q "CAP_BPF" <<<"$out" || fail "does not say which capability is missing"
grep -q "shadow_pages" <<<"$out" && fail "printed numbers it could not know"

out=$("$tool" -b -n 1 --mode debugfs 2>&1)
rc=$?
echo "$out"
san_clean <(printf '%s\n' "$out")
[ "$rc" = 1 ] || fail "--mode debugfs without the file exited $rc, want 1"
grep -q "kvshadow patches" <<<"$out" || fail "does not say the kernel lacks the patches"

for args in "-d 0" "-d x" "-n -1" "--mode bogus" "--by nobody" "-s nothing" "-r x" "extra"; do
	# shellcheck disable=SC2086
	timeout 10 "$tool" $args >/dev/null 2>&1
	rc=$?
	[ "$rc" = 2 ] || fail "'kvshadowtop $args' exited $rc, want 2 (usage error)"
done
echo "errors OK"
