#!/bin/bash
# Build the kvshadow test kernel from Debian's linux-source-6.12, in one of
# three flavours of the same config:
#   kvshadow    with the kvshadow patches (default)
#   stock       without them (--stock): A/B benchmarks and stock mode
#   novmalloc   without them and without KASAN_VMALLOC/VMAP_STACK
#               (--novmalloc): what KASAN_VMALLOC itself costs
#   firstN      with only the first N patches of the series (--patches N):
#               what one patch costs or saves on its own (the benchmark
#               boots the series up to the populate fast path)
#
# Every flavour also builds the workload module (tests/vm/workload/) out of
# tree against itself and installs the modules tree (modules_install of the
# kernel and of the workload module, with modules.dep) that kernel/vm/run.sh
# ships in the initramfs, so `modprobe` works in the guest.
#
# The result lives in a cache keyed by everything that decides it: the
# source package version, the config fragment, the patches in series order,
# the flavour, this script and the workload module's sources. A second
# `make kernel` with nothing changed costs a hash; a changed patch rebuilds
# with ccache warm, so only what the patch touches is compiled again; a
# changed workload module alone reuses the built kernel tree (when it is
# still the one for this key) and only builds the module again.
#
#   kernel/build.sh [--stock|--novmalloc|--patches N] [--print-dir]
#
# Environment: KVSHADOW_CACHE (default /var/cache/kvshadow), KVSHADOW_CCACHE
# (default $KVSHADOW_CACHE/ccache), JOBS. Builds of one flavour in one cache
# are serialised with a lock: they share a source tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
flavor=kvshadow
print_only=0
npatches=
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
	--print-dir) print_only=1 ;;
	*) echo "kernel/build.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
	shift
done

cache=${KVSHADOW_CACHE:-/var/cache/kvshadow}
jobs=${JOBS:-$(($(nproc) + 1))}
tarball=/usr/src/linux-source-6.12.tar.xz
fragment=$here/configs/kvshadow.config
# The novmalloc flavour merges this on top of the fragment.
novmalloc_fragment=$here/configs/novmalloc.config
fragments=("$fragment")
[ "$flavor" = novmalloc ] && fragments+=("$novmalloc_fragment")
series=$here/patches/series
workload=$top/tests/vm/workload

die() { echo "kernel/build.sh: $*" >&2; exit 1; }

[ -r "$tarball" ] || die "$tarball missing: install the Debian package linux-source-6.12 (make deps)"
export PATH=$PATH:/usr/sbin:/sbin
for tool in gcc make flex bison bc pahole cpio xz ccache depmod; do
	command -v "$tool" >/dev/null || die "'$tool' not found: run 'make deps' (as root)"
done
[ -r "$series" ] || die "$series missing"
[ -r "$workload/Makefile" ] || die "$workload/Makefile missing"

patches=()
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	[ -r "$here/patches/$p" ] || die "series names '$p', which is not in kernel/patches/"
	patches+=("$here/patches/$p")
done <"$series"
if [ -n "$npatches" ]; then
	[ "$npatches" -le "${#patches[@]}" ] || die "--patches $npatches: the series has ${#patches[@]}"
	patches=("${patches[@]:0:$npatches}")
fi
# Which flavours carry (some of) the patches.
patched=0
case $flavor in kvshadow|first*) patched=1 ;; esac

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %s "$tarball")
# kkey decides the kernel tree; key adds the workload module (names and
# contents of every file in its directory).
kkey=$({
	echo "flavor=$flavor srcver=$srcver"
	cat "${fragments[@]}" "$0"
	if [ "$patched" = 1 ]; then cat "${patches[@]}"; fi
} | sha256sum | cut -c1-16)
workload_key() {
	(cd "$1" && find . -type f \( -name "*.[ch]" -o -name Makefile -o -name Kbuild \) -print |
		LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
}
wkey=$(workload_key "$workload")
key=$(echo "$kkey $wkey" | sha256sum | cut -c1-16)
out=$cache/kernels/$flavor-$key

if [ "$print_only" = 1 ]; then
	echo "$out"
	exit 0
fi

if [ -r "$out/bzImage" ]; then
	echo "kernel: $flavor up to date ($out)"
	exit 0
fi

ccache_dir=${KVSHADOW_CCACHE:-$cache/ccache}
mkdir -p "$cache/kernels" "$cache/tree" "$ccache_dir"
# Two builds of one flavour would share (and wipe) one tree: one at a time.
exec 9>"$cache/tree/$flavor.lock"
flock 9
if [ -r "$out/bzImage" ]; then
	echo "kernel: $flavor up to date ($out), built while we waited"
	exit 0
fi
# One tree per flavour at a fixed path, objects in a direct subdirectory so
# kbuild uses relative source paths: ccache then hits across flavours and
# across re-extracts (the cwd is not hashed).
tree=$cache/tree/$flavor
obj=$tree/_build
log=$cache/tree/$flavor.log

export CCACHE_DIR=$ccache_dir CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$tree
kmake() {
	make -C "$tree" O=_build ARCH=x86_64 CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP="2026-01-01 00:00:00 UTC" KBUILD_BUILD_USER=kvshadow \
		KBUILD_BUILD_HOST=kvshadow "$@"
}

# Extract, patch, configure and build this flavour's kernel in $tree; the
# stamp says which kernel key the tree holds once the build succeeded.
build_kernel() {
	echo "kernel: building $flavor kernel $kkey (log: $log)"
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xf "$tarball" -C "$tree" --strip-components=1

	if [ "$patched" = 1 ]; then
		for p in "${patches[@]}"; do
			if ! patch -d "$tree" -p1 -N --batch --fuzz=0 --quiet <"$p" >"$log.patch" 2>&1; then
				cat "$log.patch" >&2
				die "patch $(basename "$p") does not apply to linux-source-6.12 $srcver"
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
	if ! kmake -j"$jobs" bzImage modules >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | head -20 >&2 || true
		tail -20 "$log" >&2
		die "kernel build failed (full log: $log)"
	fi
	echo "kernel: built in $(($(date +%s) - start)) s"
	echo "$kkey" >"$tree/.kvshadow-kkey"
}

# The tree of this flavour may already hold this very kernel (only the
# workload module changed): then only the module is built again.
stamp=$tree/.kvshadow-kkey
if [ -r "$stamp" ] && [ "$(cat "$stamp")" = "$kkey" ] && [ -r "$obj/arch/x86/boot/bzImage" ]; then
	echo "kernel: $flavor kernel $kkey already built in $tree; building the workload module"
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
wdir=$cache/tree/$flavor-workload
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
echo "kernel: $flavor ready in $out"
