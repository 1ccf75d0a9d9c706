#!/bin/bash
# Print the path of the kernel source tarball for a version, fetching it
# first when it is missing:
#   6.12, 6.1   Debian 12's linux-source-6.12 / linux-source-6.1 packages
#               (/usr/src/linux-source-X.tar.xz; installed as root)
#   7.2         linux-source-7.2 from Debian's unstable suite (sid), the
#               newest kernel Debian ships. It is downloaded, never
#               installed: apt reads a private sources list and state
#               directory under the cache (the machine's own apt sources
#               and package lists stay as they are), and `dpkg-deb -x`
#               unpacks the .deb into $KVSHADOW_CACHE/src/. The mirror is
#               the one the machine's apt sources already use.
#
#   kernel/source.sh KVER            print the tarball's path
#   kernel/source.sh --version KVER  print the source's version
#
# Environment: KVSHADOW_CACHE (default /var/cache/kvshadow).
set -euo pipefail

die() { echo "kernel/source.sh: $*" >&2; exit 1; }

want_version=0
if [ "${1:-}" = --version ]; then
	want_version=1
	shift
fi
kver=${1:-}
cache=${KVSHADOW_CACHE:-/var/cache/kvshadow}

# The Debian mirror of the machine's apt sources (deb822 or one-line).
debian_mirror() {
	local uri
	uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v -- '-security' | head -n 1)
	[ -n "$uri" ] || uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) .*/\2/p' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v -- '-security' | head -n 1)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	echo "$uri"
}

# A bookworm package: installed like any other dependency.
bookworm_source() {
	local pkg=linux-source-$1 tarball=/usr/src/linux-source-$1.tar.xz
	if [ ! -r "$tarball" ]; then
		[ "$(id -u)" = 0 ] || die "$tarball missing: as root, apt-get install $pkg"
		echo "kernel/source.sh: installing $pkg" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -q --no-install-recommends "$pkg" >/dev/null 2>&1 ||
			{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$pkg" >&2; } ||
			die "cannot install $pkg"
	fi
	if [ "$want_version" = 1 ]; then
		dpkg-query -W -f='${Version}\n' "$pkg"
	else
		echo "$tarball"
	fi
}

# linux-source-7.2 from sid, kept in the cache once fetched: a later run
# works offline, and the source does not change under a built kernel.
sid_source() {
	local pkg=linux-source-$1 dir=$cache/src tarball ver apt_dir deb
	tarball=$dir/linux-source-$1.tar.xz
	if [ ! -r "$tarball" ] || [ ! -r "$tarball.version" ]; then
		command -v apt-get >/dev/null || die "apt-get not found: $pkg comes from Debian's archive"
		mkdir -p "$dir" || die "cannot create $dir"
		apt_dir=$(mktemp -d "$dir/apt.XXXXXX")
		# shellcheck disable=SC2064 # expand now: the local is gone at exit
		trap "rm -rf '$apt_dir'" EXIT
		mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) sid main" \
			>"$apt_dir/sources.list"
		local opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
			-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache::archives=$apt_dir/archives"
			-o APT::Sandbox::User=root)
		echo "kernel/source.sh: fetching $pkg from Debian unstable (private apt lists in $apt_dir)" >&2
		apt-get "${opts[@]}" update >"$apt_dir/update.log" 2>&1 ||
			{ cat "$apt_dir/update.log" >&2; die "apt-get update of the sid list failed"; }
		(cd "$apt_dir" && apt-get "${opts[@]}" download "$pkg") >"$apt_dir/download.log" 2>&1 ||
			{ cat "$apt_dir/download.log" >&2; die "cannot download $pkg from sid"; }
		deb=$(find "$apt_dir" -maxdepth 1 -name "${pkg}_*_all.deb" | head -n 1)
		[ -n "$deb" ] || die "apt-get download left no ${pkg}_*.deb"
		ver=$(dpkg-deb -f "$deb" Version) || die "$deb is not a Debian package"
		mkdir -p "$apt_dir/x"
		dpkg-deb -x "$deb" "$apt_dir/x" || die "cannot unpack $deb"
		[ -r "$apt_dir/x/usr/src/$pkg.tar.xz" ] || die "$deb holds no usr/src/$pkg.tar.xz"
		# Tarball first, version last: a version file means a whole tarball.
		mv "$apt_dir/x/usr/src/$pkg.tar.xz" "$tarball.tmp" && mv "$tarball.tmp" "$tarball" &&
			echo "$ver" >"$tarball.version.tmp" && mv "$tarball.version.tmp" "$tarball.version" ||
			die "cannot store $tarball"
		echo "kernel/source.sh: $pkg $ver in $tarball" >&2
		rm -rf "$apt_dir"
		trap - EXIT
	fi
	if [ "$want_version" = 1 ]; then
		cat "$tarball.version"
	else
		echo "$tarball"
	fi
}

case $kver in
7.2) sid_source 7.2 ;;
6.12|6.1) bookworm_source "$kver" ;;
'') die "usage: kernel/source.sh [--version] 7.2|6.12|6.1" ;;
*) die "unknown kernel version '$kver' (7.2, 6.12 or 6.1)" ;;
esac
