#!/bin/sh
# Install the Debian packages kvshadow needs, by group. Idempotent and quick
# when everything is present: dpkg is asked first, apt only when needed.
#
#   scripts/deps.sh [GROUP...]     groups: build kernel vm test bench (default: all but bench)
set -eu

pkgs_build="build-essential pkg-config clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libncurses-dev libjansson-dev"
pkgs_kernel="build-essential flex bison bc libssl-dev libelf-dev dwarves cpio xz-utils kmod ccache python3 linux-source-6.12"
pkgs_vm="qemu-system-x86 busybox-static cpio gzip"
# systemd and man-db: tests/install/install.sh verifies the unit and its
# man page with systemd-analyze verify --man=yes (a minimal Debian has neither).
pkgs_test="libcmocka-dev prometheus prometheus-node-exporter tmux curl jq libclang-rt-dev systemd man-db"
# bench/bpf-cost compares kvshadowtop with the bpftrace one-liners it replaces.
pkgs_bench="bpftrace"

groups=${*:-build kernel vm test}
want=""
for g in $groups; do
	case $g in
	build) want="$want $pkgs_build" ;;
	kernel) want="$want $pkgs_kernel" ;;
	vm) want="$want $pkgs_vm" ;;
	test) want="$want $pkgs_test" ;;
	bench) want="$want $pkgs_bench" ;;
	*) echo "deps.sh: unknown group '$g' (build kernel vm test bench)" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$missing" >&2
	echo "deps.sh: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be absent on a fresh machine: refresh once.
# shellcheck disable=SC2086 # $missing is a list of names
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	if ! apt-get install -y -q --no-install-recommends $missing; then
		case " $missing " in
		*" linux-source-6.12 "*)
			echo "deps.sh: linux-source-6.12 comes from bookworm-security (and bookworm-updates):" >&2
			echo "deps.sh: a standard Debian 12 has them in /etc/apt/sources.list; add them if yours does not" >&2
			;;
		esac
		exit 1
	fi
fi
# prometheus packages start daemons where an init system runs; tests start
# their own on loopback, so stop any the install started.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
	systemctl stop prometheus prometheus-node-exporter >/dev/null 2>&1 || true
fi
