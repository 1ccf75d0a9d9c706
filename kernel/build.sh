#!/bin/bash
# Build a kvshadow test kernel from Debian's kernel sources (kernel/source.sh:
# 7.2 from Debian unstable, 6.12 and 6.1 from Debian 12), in one of these
# flavours of the same config:
#   kvshadow    with the kvshadow patches (default): kernel/patches/ on 7.2,
#               the backport kernel/patches-6.12/ on 6.12
#   stock       without them (--stock): A/B benchmarks and stock mode
#   novmalloc   without them and without KASAN_VMALLOC/VMAP_STACK
#               (--novmalloc): what KASAN_VMALLOC itself costs
#   firstN      with only the first N patches of the series (--patches N):
#               what one patch costs or saves on its own (the benchmark
#               boots the series up to the populate fast path)
# --cpus N builds any flavour for up to N possible CPUs (CONFIG_NR_CPUS=N,
# 2-512; the test kernels have 4), in a tree and cache entry of its own:
# bench/scale's CPU axis boots it with up to 64 possible CPUs.
# 6.1 has no series: only its stock and novmalloc flavours exist.
#
# The config is tinyconfig + kernel/configs/kvshadow.config +
# kernel/configs/debug.config (syzbot's debug options: lockdep, DEBUG_VM,
# page_owner, fake NUMA), except with --nodebug, which the benchmarks use,
# + kernel/configs/KVER.config where a version needs an exception.
#
# Every flavour also builds the workload module (tests/vm/workload/) out of
# tree against itself and installs the modules tree (modules_install of the
# kernel and of the workload module, with modules.dep) that kernel/vm/run.sh
# ships in the initramfs, so `modprobe` works in the guest.
#
# The result lives in a cache keyed by everything that decides it: the
# source package version, the config fragments, the patches in series order,
# the flavour, this script and the workload module's sources. A second
# `make kernel` with nothing changed costs a hash; a changed patch rebuilds
# with ccache warm, so only what the patch touches is compiled again; a
# changed workload module alone reuses the built kernel tree (when it is
# still the one for this key) and only builds the module again. A build
# prints its progress every 30 s (files compiled, of how many last time).
#
#   kernel/build.sh [--kver 7.2|6.12|6.1] [--stock|--novmalloc|--patches N]
#                   [--nodebug|--debug] [--cpus N] [--print-dir]
#
# Environment: KVER (the default of --kver, else 7.2), NODEBUG (non-empty:
# the default is --nodebug; --debug overrides it), KVSHADOW_CACHE
# (default /var/cache/kvshadow), KVSHADOW_CCACHE (default
# $KVSHADOW_CACHE/ccache), JOBS. Builds of one flavour in one cache are
# serialised with a lock: they share a source tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
flavor=kvshadow
print_only=0
npatches=
cpus=
kver=${KVER:-7.2}
debug=1
[ -z "${NODEBUG:-}" ] || debug=0
while [ $# -gt 0 ]; do
	case $1 in
	--stock) flavor=stock ;;
	--novmalloc) flavor=novmalloc ;;
	--patches)
		npatches=${2:-}
		case $npatches in ''|*[!0-9]*|0) echo "kernel/build.sh: --patches needs a count > 0" >&2; exit 2 ;; esac
		flavor=first$npatches
		shift
		;;
	--kver)
		kver=${2:-}
		shift
		;;
	--cpus)
		cpus=${2:-}
		case $cpus in ''|*[!0-9]*) cpus=0 ;; esac
		if [ "$cpus" -lt 2 ] || [ "$cpus" -gt 512 ]; then
			echo "kernel/build.sh: --cpus needs a count of 2 to 512" >&2
			exit 2
		fi
		shift
		;;
	--nodebug) debug=0 ;;
	--debug) debug=1 ;;
	--print-dir) print_only=1 ;;
	*) echo "kernel/build.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "kernel/build.sh: $*" >&2; exit 1; }

cache=${KVSHADOW_CACHE:-/var/cache/kvshadow}
jobs=${JOBS:-$(($(nproc) + 1))}
case $kver in
7.2) patchdir=$here/patches ;;
6.12) patchdir=$here/patches-6.12 ;;
6.1) patchdir= ;;
*) die "unknown kernel version '$kver' (KVER=7.2, 6.12 or 6.1)" ;;
esac
fragments=("$here/configs/kvshadow.config")
[ "$debug" = 1 ] && fragments+=("$here/configs/debug.config")
# The novmalloc flavour merges this on top.
[ "$flavor" = novmalloc ] && fragments+=("$here/configs/novmalloc.config")
# What one version's Kconfig cannot take, merged last.
[ -r "$here/configs/$kver.config" ] && fragments+=("$here/configs/$kver.config")
workload=$top/tests/vm/workload
# Which flavours carry (some of) the patches.
patched=0
case $flavor in kvshadow|first*) patched=1 ;; esac
[ "$patched" = 0 ] || [ -n "$patchdir" ] ||
	die "Linux $kver has no kvshadow series: only its stock (STOCK=1) and novmalloc (NOVMALLOC=1) kernels exist"
name=$kver-$flavor
[ "$debug" = 1 ] || name=$name-nodebug
[ -z "$cpus" ] || name=$name-cpus$cpus

export PATH=$PATH:/usr/sbin:/sbin
for tool in gcc make flex bison bc pahole cpio xz ccache depmod; do
	command -v "$tool" >/dev/null || die "'$tool' not found: run 'make deps' (as root)"
done
[ -r "$workload/Makefile" ] || die "$workload/Makefile missing"

patches=()
if [ "$patched" = 1 ]; then
	[ -r "$patchdir/series" ] || die "$patchdir/series missing"
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		[ -r "$patchdir/$p" ] || die "series names '$p', which is not in $patchdir/"
		patches+=("$patchdir/$p")
	done <"$patchdir/series"
	if [ -n "$npatches" ]; then
		[ "$npatches" -le "${#patches[@]}" ] || die "--patches $npatches: the series has ${#patches[@]}"
		patches=("${patches[@]:0:$npatches}")
	fi
fi

# kkey decides the kernel tree; key adds the workload module (names and
# contents of every file in its directory).
srcver=$("$here/source.sh" --version "$kver") || die "no source for Linux $kver"
kkey=$({
	echo "kver=$kver flavor=$flavor debug=$debug srcver=$srcver${cpus:+ cpus=$cpus}"
	cat "${fragments[@]}" "$0"
	if [ "$patched" = 1 ]; then cat "${patches[@]}"; fi
} | sha256sum | cut -c1-16)
workload_key() {
	(cd "$1" && find . -type f \( -name "*.[ch]" -o -name Makefile -o -name Kbuild \) -print |
		LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}
wkey=$(workload_key "$workload")
key=$(echo "$kkey $wkey" | sha256sum | cut -c1-16)
out=$cache/kernels/$name-$key

if [ "$print_only" = 1 ]; then
	echo "$out"
	exit 0
fi

if [ -r "$out/bzImage" ]; then
	echo "kernel: $name up to date ($out)"
	exit 0
fi

ccache_dir=${KVSHADOW_CCACHE:-$cache/ccache}
mkdir -p "$cache/kernels" "$cache/tree" "$ccache_dir"
# Two builds of one flavour would share (and wipe) one tree: one at a time.
exec 9>"$cache/tree/$name.lock"
flock 9
if [ -r "$out/bzImage" ]; then
	echo "kernel: $name up to date ($out), built while we waited"
	exit 0
fi
# One tree per flavour at a fixed path, objects in a direct subdirectory so
# kbuild uses relative source paths: ccache then hits across flavours and
# across re-extracts (the cwd is not hashed).
tree=$cache/tree/$name
obj=$tree/_build
log=$cache/tree/$name.log

export CCACHE_DIR=$ccache_dir CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$tree
kmake() {
	make -C "$tree" O=_build ARCH=x86_64 CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP="2026-01-01 00:00:00 UTC" KBUILD_BUILD_USER=kvshadow \
		KBUILD_BUILD_HOST=kvshadow "$@"
}

# kbuild's quiet log has a line per step ("  CC      mm/kasan/shadow.o").
build_steps() { grep -c '^  [A-Z][A-Z0-9_]* ' "$log" 2>/dev/null || echo 0; }

# A cold build takes ten minutes: say how far it is every 30 s, against the
# steps of the last build of this version (the first build has no total).
progress() {
	local start=$1 total=$2 secs
	while sleep 30; do
		secs=$(($(date +%s) - start))
		echo "kernel: $name: building for $((secs / 60))m$((secs % 60))s, $(build_steps)${total:+ of about $total} steps"
	done
}

# Extract, patch, configure and build this flavour's kernel in $tree; the
# stamp says which kernel key the tree holds once the build succeeded.
build_kernel() {
	echo "kernel: building $name kernel $kkey from linux-source-$kver $srcver (log: $log)"
	local tarball
	tarball=$("$here/source.sh" "$kver") || die "no source for Linux $kver"
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xf "$tarball" -C "$tree" --strip-components=1
	# --cpus: the last fragment (the key has it from the command line).
	if [ -n "$cpus" ]; then
		echo "CONFIG_NR_CPUS=$cpus" >"$tree/.kvshadow-cpus.config"
		fragments+=("$tree/.kvshadow-cpus.config")
	fi

	if [ "$patched" = 1 ]; then
		for p in "${patches[@]}"; do
			if ! patch -d "$tree" -p1 -N --batch --fuzz=0 --quiet <"$p" >"$log.patch" 2>&1; then
				cat "$log.patch" >&2
				die "patch $(basename "$p") does not apply to linux-source-$kver $srcver"
			fi
		done
	fi

	ccache -M 8G >/dev/null
	{
		kmake tinyconfig
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}"
		kmake olddefconfig
	} >"$log" 2>&1 || { tail -20 "$log" >&2; die "configuring the kernel failed"; }

	# A fragment option that Kconfig silently dropped would give a kernel
	# that boots but does not test what we think it tests. Later fragments
	# override earlier ones; the patches' own option exists only in the
	# kvshadow flavour.
	local missing=0 f line sym start
	declare -A want=()
	for f in "${fragments[@]}"; do
		while read -r line; do
			case $line in
			CONFIG_*=*) want[${line%%=*}]=$line ;;
			"# CONFIG_"*" is not set") sym=${line#\# }; want[${sym%% *}]=$line ;;
			esac
		done <"$f"
	done
	for sym in "${!want[@]}"; do
		line=${want[$sym]}
		if [ "$sym" = CONFIG_KASAN_VMALLOC_KUNIT_TEST ] &&
			! grep -q "^config KASAN_VMALLOC_KUNIT_TEST" "$tree/lib/Kconfig.kasan"; then
			continue
		fi
		case $line in
		"# "*) ! grep -q "^$sym=" "$obj/.config" ;;
		*) grep -qx "$line" "$obj/.config" ;;
		esac || { echo "kernel/build.sh: '$line' did not stick" >&2; missing=1; }
	done
	[ "$missing" = 0 ] || die "config fragment not satisfied (see above); check dependencies in Kconfig"

	start=$(date +%s)
	local steps_file=$cache/tree/$kver.steps ticker rc=0
	progress "$start" "$(cat "$steps_file" 2>/dev/null || true)" &
	ticker=$!
	kmake -j"$jobs" bzImage modules >>"$log" 2>&1 || rc=$?
	kill "$ticker" 2>/dev/null || true
	wait "$ticker" 2>/dev/null || true
	if [ "$rc" != 0 ]; then
		grep -E 'error|Error' "$log" | head -20 >&2 || true
		tail -20 "$log" >&2
		die "kernel build failed (full log: $log)"
	fi
	build_steps >"$steps_file" || true
	echo "kernel: $name built in $(($(date +%s) - start)) s ($(build_steps) build steps)"
	echo "$kkey" >"$tree/.kvshadow-kkey"
}

# The tree of this flavour may already hold this very kernel (only the
# workload module changed): then only the module is built again.
stamp=$tree/.kvshadow-kkey
if [ -r "$stamp" ] && [ "$(cat "$stamp")" = "$kkey" ] && [ -r "$obj/arch/x86/boot/bzImage" ]; then
	echo "kernel: $name kernel $kkey already built in $tree; building the workload module"
	: >"$log"
else
	build_kernel
fi

staging=$out.tmp.$$
rm -rf "$staging"
mkdir -p "$staging"
trap 'rm -rf "$staging"' EXIT
krel=$(cat "$obj/include/config/kernel.release")
modroot=$staging/modroot
kmake INSTALL_MOD_PATH="$modroot" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1 ||
	die "modules_install failed (full log: $log)"

# The workload module, out of tree against this kernel, from a copy of its
# sources (nothing is written into the project tree). W=1 and -Werror: it
# must build clean, like the kernel's own code.
wdir=$cache/tree/$name-workload
rm -rf "$wdir"
cp -a "$workload" "$wdir"
[ "$(workload_key "$wdir")" = "$wkey" ] ||
	die "tests/vm/workload changed while the kernel was building: run it again"
if ! kmake M="$wdir" W=1 KCFLAGS=-Werror modules >>"$log" 2>&1; then
	grep -E 'error|warning' "$log" | tail -20 >&2 || true
	die "the workload module did not build (full log: $log)"
fi
kmake M="$wdir" INSTALL_MOD_PATH="$modroot" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1 ||
	die "modules_install of the workload module failed (full log: $log)"

# modules_install runs depmod when it finds it; make sure, so that the
# guest's modprobe finds both modules by name.
moddir=$modroot/lib/modules/$krel
depmod -b "$modroot" -F "$obj/System.map" "$krel" >>"$log" 2>&1 || die "depmod failed (full log: $log)"
for m in test_vmalloc kvshadow_workload; do
	grep -q "/$m\.ko:" "$moddir/modules.dep" || die "$m is not in $moddir/modules.dep"
done
rm -f "$moddir/build" "$moddir/source"

cp "$obj/arch/x86/boot/bzImage" "$obj/System.map" "$obj/.config" "$staging/"
echo "$krel" >"$staging/kernel.release"
find "$modroot" \( -name test_vmalloc.ko -o -name kvshadow_workload.ko \) -exec cp {} "$staging/" \;
[ -r "$staging/test_vmalloc.ko" ] || die "test_vmalloc.ko was not built"
[ -r "$staging/kvshadow_workload.ko" ] || die "kvshadow_workload.ko was not built"
rm -rf "$out"
mv "$staging" "$out"
trap - EXIT
echo "kernel: $name ready in $out"
