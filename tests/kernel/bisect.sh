#!/bin/bash
# Bisectability: after each patch of the series, in order, the C code it
# touches builds with W=1 and without a single warning, in the test
# kernel's configuration (kernel/configs/kvshadow.config on tinyconfig,
# merged again after a patch that changes a Kconfig file, so that an option
# it adds, such as the KUnit suite's, is built from that patch on). What is built after a
# patch: mm/kasan/ always, plus every other directory whose .c files the
# patch changes. Objects stay between steps, so each step compiles only what
# the patch changed; ccache ($KVSHADOW_CCACHE, default
# $KVSHADOW_CACHE/ccache) makes a second run quick.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
fragment=$top/kernel/configs/kvshadow.config
fail() { echo "FAIL: $*"; exit 1; }

[ -r "$tarball" ] || { echo "SKIP: $tarball missing (apt-get install linux-source-6.12)"; exit 77; }
export PATH=$PATH:/usr/sbin:/sbin
for tool in gcc make flex bison bc ccache; do
	command -v "$tool" >/dev/null || { echo "SKIP: '$tool' not found (make deps)"; exit 77; }
done

cache=${KVSHADOW_CACHE:-/var/cache/kvshadow}
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-bisect.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/linux
mkdir -p "$src"
tar -xf "$tarball" -C "$src" --strip-components=1 || fail "cannot extract $tarball"

# Objects in a direct subdirectory: kbuild then passes relative source
# paths, and ccache hits across runs in different temporary directories.
ccache_dir=${KVSHADOW_CCACHE:-$cache/ccache}
mkdir -p "$ccache_dir" 2>/dev/null || ccache_dir=$work/ccache
export CCACHE_DIR=$ccache_dir CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$src
kmake() { make -C "$src" O=_build ARCH=x86_64 CC="ccache gcc" -j"${JOBS:-$(nproc)}" "$@"; }
reconfigure() {
	"$src/scripts/kconfig/merge_config.sh" -m -O "$src/_build" "$src/_build/.config" "$fragment" >/dev/null &&
		kmake olddefconfig >/dev/null
}
configure() { kmake tinyconfig >/dev/null && reconfigure; }

# build STEP DIR...: W=1, any warning or error fails the step.
build() {
	local step=$1 log=$work/build.log
	shift
	if ! kmake W=1 "$@" >"$log" 2>&1; then
		grep -E 'error|warning' "$log" | head -20
		tail -5 "$log"
		fail "$step: the build of $* failed"
	fi
	if grep -E '(warning|error):' "$log"; then
		fail "$step: W=1 warnings in $*"
	fi
}

configure >"$work/config.log" 2>&1 || { tail -20 "$work/config.log"; fail "configuring the kernel failed"; }
build "unpatched" mm/kasan/
echo "unpatched: mm/kasan/ builds clean with W=1"

n=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	f=$top/kernel/patches/$p
	[ -r "$f" ] || fail "series names $p, which does not exist"
	n=$((n + 1))
	patch -d "$src" -p1 -N --batch --fuzz=0 --quiet <"$f" || fail "$p does not apply"
	dirs=$( { echo mm/kasan/; sed -n 's|^diff --git a/\(.*/\)[^/]*\.c b/.*|\1|p' "$f"; } | sort -u)
	# A patch that adds options: merge the fragment again, so they are on.
	if grep -q '^diff --git a/.*Kconfig' "$f"; then
		reconfigure >"$work/config.log" 2>&1 || { tail -20 "$work/config.log"; fail "$p: configuring failed"; }
	fi
	# shellcheck disable=SC2086 # one argument per directory
	build "$p" $dirs
	objs=$(find "$src/_build/mm/kasan" -name '*.o' ! -name '*.mod.o' | wc -l)
	echo "$p: $(echo "$dirs" | tr '\n' ' ')built clean with W=1 ($objs objects in mm/kasan/)"
done <"$top/kernel/patches/series"
[ "$n" -gt 0 ] || fail "empty series"
[ -e "$src/_build/mm/kasan/kasan_vmalloc_test.o" ] ||
	fail "the KUnit suite was not built: CONFIG_KASAN_VMALLOC_KUNIT_TEST did not stick"
echo "$n patches: every step builds clean with W=1"
