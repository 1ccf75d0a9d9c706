#!/bin/bash
# Build the kvshadow test kernel from Debian's linux-source-6.12, in one of
# three flavours of the same config:
#   kvshadow    with the kvshadow patches (default)
#   stock       without them (--stock): A/B benchmarks and stock mode
#   novmalloc   without them and without KASAN_VMALLOC/VMAP_STACK
#               (--novmalloc): what KASAN_VMALLOC itself costs
#
# The result lives in a cache keyed by everything that decides it: the
# source package version, the config fragment, the patches in series order,
# the flavour and this script. A second `make kernel` with nothing changed
# costs a hash; a changed patch rebuilds with ccache warm, so only what the
# patch touches is compiled again.
#
#   kernel/build.sh [--stock|--novmalloc] [--print-dir]
#
# Environment: KVSHADOW_CACHE (default /var/cache/kvshadow), KVSHADOW_CCACHE
# (default $KVSHADOW_CACHE/ccache), JOBS. Builds of one flavour in one cache
# are serialised with a lock: they share a source tree.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
flavor=kvshadow
print_only=0
for a in "$@"; do
	case $a in
	--stock) flavor=stock ;;
	--novmalloc) flavor=novmalloc ;;
	--print-dir) print_only=1 ;;
	*) echo "kernel/build.sh: unknown argument '$a'" >&2; exit 2 ;;
	esac
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

die() { echo "kernel/build.sh: $*" >&2; exit 1; }

[ -r "$tarball" ] || die "$tarball missing: install the Debian package linux-source-6.12 (make deps)"
for tool in gcc make flex bison bc pahole cpio xz ccache; do
	command -v "$tool" >/dev/null || die "'$tool' not found: run 'make deps' (as root)"
done
[ -r "$series" ] || die "$series missing"

patches=()
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	[ -r "$here/patches/$p" ] || die "series names '$p', which is not in kernel/patches/"
	patches+=("$here/patches/$p")
done <"$series"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %s "$tarball")
key=$({
	echo "flavor=$flavor srcver=$srcver"
	cat "${fragments[@]}" "$0"
	if [ "$flavor" = kvshadow ]; then cat "${patches[@]}"; fi
} | sha256sum | cut -c1-16)
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

echo "kernel: building $flavor kernel $key (log: $log)"
rm -rf "$tree"
mkdir -p "$tree"
tar -xf "$tarball" -C "$tree" --strip-components=1

if [ "$flavor" = kvshadow ]; then
	for p in "${patches[@]}"; do
		if ! patch -d "$tree" -p1 -N --batch --fuzz=0 --quiet <"$p" >"$log.patch" 2>&1; then
			cat "$log.patch" >&2
			die "patch $(basename "$p") does not apply to linux-source-6.12 $srcver"
		fi
	done
fi

export CCACHE_DIR=$ccache_dir CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$tree
ccache -M 8G >/dev/null
kmake() {
	make -C "$tree" O=_build ARCH=x86_64 CC="ccache gcc" \
		KBUILD_BUILD_TIMESTAMP="2026-01-01 00:00:00 UTC" KBUILD_BUILD_USER=kvshadow \
		KBUILD_BUILD_HOST=kvshadow "$@"
}

{
	kmake tinyconfig
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${fragments[@]}"
	kmake olddefconfig
} >"$log" 2>&1 || { tail -20 "$log" >&2; die "configuring the kernel failed"; }

# A fragment option that Kconfig silently dropped would give a kernel that
# boots but does not test what we think it tests. Later fragments override
# earlier ones; the patches' own option exists only in the kvshadow flavour.
missing=0
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
	if [ "$flavor" != kvshadow ] && [ "$sym" = CONFIG_KASAN_VMALLOC_KUNIT_TEST ]; then
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

staging=$out.tmp.$$
rm -rf "$staging"
mkdir -p "$staging"
kmake INSTALL_MOD_PATH="$staging/modroot" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1 ||
	die "modules_install failed (full log: $log)"
cp "$obj/arch/x86/boot/bzImage" "$obj/System.map" "$obj/.config" "$staging/"
cp "$obj/include/config/kernel.release" "$staging/kernel.release"
find "$staging/modroot" -name test_vmalloc.ko -exec cp {} "$staging/" \;
[ -r "$staging/test_vmalloc.ko" ] || die "test_vmalloc.ko was not built"
rm -rf "$out"
mv "$staging" "$out"
echo "kernel: $flavor ready in $out"
