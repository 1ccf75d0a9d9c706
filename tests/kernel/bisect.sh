#!/bin/bash
# Bisectability of both kernel series: after each patch, in order, the C
# code it touches builds with W=1 and without a single warning, in the test
# kernel's configuration (kernel/configs/kvshadow.config on tinyconfig,
# merged again after a patch that changes a Kconfig file, so that an option
# it adds, such as the KUnit suite's, is built from that patch on).
#
#   7.2:  kernel/patches      on the tarball `kernel/source.sh 7.2` prints
#   6.12: kernel/patches-6.12 on /usr/src/linux-source-6.12.tar.xz
#
# What is built after a patch: mm/kasan/ always, plus the object of every
# other .c file the patch changes (mm/vmstat.o...): objects, not whole
# directories, so that a W=1 warning upstream already has elsewhere in mm/
# is not ours. The whole 7.2 series is then built again, the same objects,
# with CONFIG_DEBUG_FS=n and with CONFIG_TRACEPOINTS=n: it must build, and
# count (the vmstat item), without either.
#
# Objects stay between steps, so each step compiles only what the patch
# changed; ccache ($KVSHADOW_CCACHE, default $KVSHADOW_CACHE/ccache) makes a
# second run quick. KVSHADOW_TARBALL_7_2 overrides kernel/source.sh.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
fragment=$top/kernel/configs/kvshadow.config
fail() { echo "FAIL: $*"; exit 1; }

export PATH=$PATH:/usr/sbin:/sbin
# shellcheck source=tests/common.sh
. "$top/tests/common.sh"
need gcc make flex bison bc ccache

tarball612=/usr/src/linux-source-6.12.tar.xz
[ -r "$tarball612" ] || fail "$tarball612 missing: install it (make deps: linux-source-6.12)"
if [ -n "${KVSHADOW_TARBALL_7_2:-}" ]; then
	tarball72=$KVSHADOW_TARBALL_7_2
else
	tarball72=$("$top/kernel/source.sh" 7.2) || fail "kernel/source.sh 7.2 failed"
fi
[ -r "$tarball72" ] || fail "the 7.2 source $tarball72 is missing"

cache=${KVSHADOW_CACHE:-/var/cache/kvshadow}
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-bisect.XXXXXX")
trap 'rm -rf "$work"' EXIT
ccache_dir=${KVSHADOW_CCACHE:-$cache/ccache}
mkdir -p "$ccache_dir" 2>/dev/null || ccache_dir=$work/ccache
export CCACHE_DIR=$ccache_dir CCACHE_NOHASHDIR=1

# Configuration variants of the last step, as fragments merged on top.
printf '# CONFIG_DEBUG_FS is not set\n' >"$work/no-debugfs.config"
# Tracing, BPF and kprobe events select TRACEPOINTS: all of them go.
printf '%s\n' '# CONFIG_FTRACE is not set' '# CONFIG_BPF_EVENTS is not set' \
	'# CONFIG_KPROBE_EVENTS is not set' >"$work/no-tracepoints.config"

# series NAME TARBALL PATCHDIR VARIANT...: check one series.
series() {
	local name=$1 tarball=$2 dir=$3 src=$work/$1/linux log=$work/build.log
	local n=0 p f targets all_targets='mm/kasan/' objs variant option
	shift 3

	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1 || fail "$name: cannot extract $tarball"
	# Objects in a direct subdirectory: kbuild then passes relative source
	# paths, and ccache hits across runs in different temporary directories.
	export CCACHE_BASEDIR=$src
	kmake() { make -C "$src" O=_build ARCH=x86_64 CC="ccache gcc" -j"${JOBS:-$(nproc)}" "$@"; }
	# merge FRAGMENT...: on top of the current configuration.
	merge() {
		"$src/scripts/kconfig/merge_config.sh" -m -O "$src/_build" "$src/_build/.config" "$@" >/dev/null &&
			kmake olddefconfig >/dev/null
	}
	# build STEP TARGET...: W=1, any warning or error fails the step.
	build() {
		local step=$1
		shift
		if ! kmake W=1 "$@" >"$log" 2>&1; then
			grep -E 'error|warning' "$log" | head -20
			tail -5 "$log"
			fail "$name $step: the build of $* failed"
		fi
		if grep -E '(warning|error):' "$log"; then
			fail "$name $step: W=1 warnings in $*"
		fi
	}

	{ kmake tinyconfig >/dev/null && merge "$fragment"; } >"$work/config.log" 2>&1 ||
		{ tail -20 "$work/config.log"; fail "$name: configuring the kernel failed"; }
	build unpatched mm/kasan/
	echo "$name unpatched: mm/kasan/ builds clean with W=1"

	[ -r "$dir/series" ] || fail "$name: no $dir/series"
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		f=$dir/$p
		[ -r "$f" ] || fail "$name: series names $p, which does not exist"
		n=$((n + 1))
		patch -d "$src" -p1 -N --batch --fuzz=0 --quiet <"$f" || fail "$name: $p does not apply"
		targets=$( { echo mm/kasan/
			sed -n 's|^diff --git a/\(.*\)\.c b/.*|\1.o|p' "$f" | grep -v '^mm/kasan/'; } | sort -u)
		all_targets=$(printf '%s\n%s\n' "$all_targets" "$targets" | sort -u)
		# A patch that adds options: merge the fragment again, so they are on.
		if grep -q '^diff --git a/.*Kconfig' "$f"; then
			merge "$fragment" >"$work/config.log" 2>&1 ||
				{ tail -20 "$work/config.log"; fail "$name $p: configuring failed"; }
		fi
		# shellcheck disable=SC2086 # one argument per target
		build "$p" $targets
		objs=$(find "$src/_build/mm/kasan" -name '*.o' ! -name '*.mod.o' | wc -l)
		echo "$name $p: $(echo "$targets" | tr '\n' ' ')built clean with W=1 ($objs objects in mm/kasan/)"
	done <"$dir/series"
	[ "$n" -gt 0 ] || fail "$name: empty series"
	[ -e "$src/_build/mm/kasan/kasan_vmalloc_test.o" ] ||
		fail "$name: the KUnit suite was not built: CONFIG_KASAN_VMALLOC_KUNIT_TEST did not stick"
	echo "$name: $n patches, every step builds clean with W=1"

	for variant in "$@"; do
		merge "$work/$variant.config" >"$work/config.log" 2>&1 ||
			{ tail -20 "$work/config.log"; fail "$name $variant: configuring failed"; }
		case $variant in
		no-debugfs) option=CONFIG_DEBUG_FS ;;
		no-tracepoints) option=CONFIG_TRACEPOINTS ;;
		esac
		grep -q "^$option=y" "$src/_build/.config" && fail "$name $variant: $option is still set"
		grep -q '^CONFIG_KASAN_VMALLOC_KUNIT_TEST=y' "$src/_build/.config" ||
			fail "$name $variant: the KUnit suite is off"
		# shellcheck disable=SC2086 # one argument per target
		build "$variant" $all_targets
		echo "$name $variant: $(echo "$all_targets" | tr '\n' ' ')built clean with W=1 and $option=n"
		merge "$fragment" >"$work/config.log" 2>&1 || fail "$name: configuring back failed"
	done
	rm -rf "$src"
}

series 7.2 "$tarball72" "$top/kernel/patches" no-debugfs no-tracepoints
series 6.12 "$tarball612" "$top/kernel/patches-6.12"
echo "both series build clean at every step (7.2 also without debugfs and without tracepoints)"
