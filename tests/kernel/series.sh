#!/bin/bash
# The kernel series as upstream would see it: every patch in series order
# applies to a fresh linux-source-6.12 without fuzz, carries a commit
# message and a Signed-off-by, and checkpatch.pl --strict from the same
# tree reports nothing at all.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-series.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

[ -r "$tarball" ] || { echo "SKIP: $tarball missing (apt-get install linux-source-6.12)"; exit 77; }
tar -xf "$tarball" -C "$work" --strip-components=1 || fail "cannot extract $tarball"

n=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	f=$top/kernel/patches/$p
	[ -r "$f" ] || fail "series names $p, which does not exist"
	n=$((n + 1))
	patch -d "$work" -p1 -N --batch --fuzz=0 --quiet <"$f" || fail "$p does not apply"
	grep -q '^Signed-off-by: ' "$f" || fail "$p has no Signed-off-by"
	# The body between the Subject and the first Signed-off-by must explain why.
	body=$(sed -n '/^Subject:/,/^Signed-off-by:/p' "$f" | sed '1d;$d' | grep -c '[a-z]')
	[ "$body" -ge 3 ] || fail "$p has (almost) no commit message"
	out=$(cd "$work" && ./scripts/checkpatch.pl --strict "$f" 2>/dev/null)
	echo "$p: $(echo "$out" | grep '^total:')"
	echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks' || {
		echo "$out"
		fail "$p is not checkpatch --strict clean"
	}
done <"$top/kernel/patches/series"
[ "$n" -gt 0 ] || fail "empty series"
echo "$n patches apply and are checkpatch clean"
