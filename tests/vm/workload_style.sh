#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The workload modules are kernel code: GPL-2.0 (SPDX line and
# MODULE_LICENSE in each) and scripts/checkpatch.pl --strict from the very tree it
# is built against (Debian's linux-source-6.12) reports nothing. It builds
# with W=1 -Werror in kernel/build.sh.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-wlstyle.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

[ -r "$tarball" ] || fail "$tarball missing: install it (make deps: linux-source-6.12)"
src=$top/tests/vm/workload
for f in "$src"/*.c; do
	head -n 1 "$f" | grep -qx '// SPDX-License-Identifier: GPL-2.0' || fail "$f: no GPL-2.0 SPDX line"
	grep -q '^MODULE_LICENSE("GPL");$' "$f" || fail "$f: no MODULE_LICENSE(\"GPL\")"
done
tar -xf "$tarball" -C "$work" --strip-components=1 || fail "cannot extract $tarball"
for f in "$src"/*.c "$src"/Makefile; do
	out=$(cd "$work" && ./scripts/checkpatch.pl --strict -f "$f" 2>&1)
	echo "$(basename "$f"): $(echo "$out" | grep '^total:')"
	echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks' || { echo "$out"; fail "$f is not checkpatch --strict clean"; }
done
echo PASS
