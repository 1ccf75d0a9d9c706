#!/bin/bash
# Boot the kvshadow test kernel in QEMU with a busybox initramfs.
#
#   kernel/vm/run.sh [--kver 7.2|6.12|6.1] [--stock|--novmalloc|--patches N]
#                    [--nodebug|--debug] [--page-owner]
#                    [--cmd 'COMMAND' | --cmd-file FILE | --demo SECONDS]
#                    [--console FILE] [--kunit GLOB] [--timeout SECONDS]
#                    [--append ARGS] [--add FILE]...
#
# Without --cmd: a shell on the console (exit it to power off).
# With --cmd (or --cmd-file, the command in a file, as `make vm CMD=...`
# passes it): runs COMMAND in the guest verbatim (proc, sys, debugfs and
# tracefs mounted; the project's static binaries on PATH; the kernel's
# modules tree with modules.dep, so `modprobe test_vmalloc` and `modprobe
# kvshadow_workload` work), prints its output and exits with its status.
# A guest that hangs or panics is killed after the timeout (default 600 s)
# and reported with the tail of its console; the status is then 124 or 1.
# With --demo: the demo (kernel/vm/demo.sh): a mixed workload and
# kvshadowtop live on the console for SECONDS, the TUI when this terminal
# is one (its size and TERM go to the guest), batch otherwise.
#
# The guest sees the project tree's tests/vm/guest/ as /kvshadow/tests;
# --add copies a file into /kvshadow/bin. KVSHADOW_KDIR=DIR boots the
# kernel built in DIR (kernel/build.sh --print-dir) instead of this tree's.
# --kver, --nodebug, --debug (and KVER, NODEBUG) choose the kernel as for
# kernel/build.sh; a kernel with the debug options boots with numa=fake=2,
# and with --page-owner (or VM_PAGE_OWNER=1) also page_owner=on.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
flavor=()
kopts=()
page_owner=${VM_PAGE_OWNER:-0}
cmd=""
have_cmd=0
demo=""
console=""
kunit=""
timeout=${VM_TIMEOUT:-600}
append=""
adds=()
while [ $# -gt 0 ]; do
	case $1 in
	--stock|--novmalloc) flavor=("$1") ;;
	--patches) flavor=("$1" "$2"); shift ;;
	--kver) kopts+=("$1" "$2"); shift ;;
	--nodebug|--debug) kopts+=("$1") ;;
	--page-owner) page_owner=1 ;;
	--cmd) cmd=$2; have_cmd=1; shift ;;
	--cmd-file) cmd=$(cat "$2") || exit 2; have_cmd=1; shift ;;
	--demo) demo=$2; shift ;;
	--console) console=$2; shift ;;
	--kunit) kunit=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--append) append=$2; shift ;;
	--add) adds+=("$2"); shift ;;
	-h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $timeout in ''|*[!0-9]*) echo "run.sh: --timeout needs whole seconds" >&2; exit 2 ;; esac
case $demo in *[!0-9]*) echo "run.sh: --demo needs whole seconds" >&2; exit 2 ;; esac
if [ -n "$demo" ] && [ "$have_cmd" = 1 ]; then
	echo "run.sh: --demo and --cmd exclude each other" >&2
	exit 2
fi

die() { echo "run.sh: $*" >&2; exit 1; }
export PATH=$PATH:/usr/sbin:/sbin
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: install qemu-system-x86 (make deps)"
# The initramfs has no libc: busybox must be the static build.
if [ ! -x /bin/busybox ] || readelf -l /bin/busybox 2>/dev/null | grep -q INTERP; then
	die "/bin/busybox is missing or dynamic: install busybox-static (make deps)"
fi

if [ -n "${KVSHADOW_KDIR:-}" ]; then
	kdir=$KVSHADOW_KDIR
else
	kdir=$("$top/kernel/build.sh" "${kopts[@]}" "${flavor[@]}" --print-dir) || exit 1
fi
if [ ! -r "$kdir/bzImage" ]; then
	case ${flavor[0]:-} in
	--patches) how="make kernel PATCHES=${flavor[1]}" ;;
	--*) how="make kernel $(echo "${flavor[0]#--}" | tr '[:lower:]' '[:upper:]')=1" ;;
	*) how="make kernel" ;;
	esac
	for o in "${kopts[@]}"; do
		case $o in --nodebug) how="$how NODEBUG=1" ;; --debug|--kver) ;; *) how="$how KVER=$o" ;; esac
	done
	die "no kernel in $kdir: run '$how' first"
fi
krel=$(cat "$kdir/kernel.release")

work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,kvshadow/bin,lib/modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod 755 "$root/init"

# The kernel's modules tree (modules_install of the kernel and the workload
# module, with modules.dep), as on any system: modprobe finds modules by
# name. A kernel directory from before the modules tree existed has only
# test_vmalloc.ko: depmod indexes it here.
moddir=$root/lib/modules/$krel
if [ -d "$kdir/modroot/lib/modules/$krel" ]; then
	cp -a "$kdir/modroot/lib/modules/$krel" "$moddir"
else
	mkdir -p "$moddir/kernel"
	cp "$kdir"/*.ko "$moddir/kernel/"
fi
if [ ! -s "$moddir/modules.dep" ]; then
	command -v depmod >/dev/null || die "depmod not found: install kmod (make deps)"
	depmod -b "$root" "$krel" || die "depmod failed for $moddir"
fi
# The path older scripts insmod (bench/kernel-overhead): a link, made after
# depmod so the index has each module once.
tv=$(cd "$moddir" && find . -name test_vmalloc.ko | head -n 1)
[ -n "$tv" ] || die "test_vmalloc.ko is not in the modules tree of $kdir"
[ -e "$moddir/test_vmalloc.ko" ] || ln -s "${tv#./}" "$moddir/test_vmalloc.ko"

if [ -d "$top/build/static/bin" ]; then
	cp -a "$top/build/static/bin/." "$root/kvshadow/bin/"
fi
for f in "${adds[@]}"; do
	cp "$f" "$root/kvshadow/bin/" || die "--add $f: cannot copy"
done
if [ -d "$top/tests/vm/guest" ]; then
	cp -a "$top/tests/vm/guest" "$root/kvshadow/tests"
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
if [ "$have_cmd" = 1 ]; then
	printf '%s\n' "$cmd" >"$root/kvshadow/cmd"
fi

tty=0
if [ -n "$demo" ]; then
	[ -x "$root/kvshadow/bin/kvshadowtop" ] || die "build/static/bin/kvshadowtop missing: run 'make static'"
	cp "$here/demo.sh" "$root/kvshadow/demo.sh"
	rows=24 cols=80 term=${TERM:-vt100}
	if [ -t 0 ] && [ -t 1 ]; then
		tty=1
		read -r rows cols < <(stty size 2>/dev/null) || true
	fi
	# The static ncurses looks in /lib/terminfo and /usr/share/terminfo:
	# give it the host's entry for TERM (and a fallback).
	for t in "$term" vt100 xterm-256color; do
		for d in "$HOME/.terminfo" /etc/terminfo /lib/terminfo /usr/share/terminfo; do
			f=$d/${t:0:1}/$t
			[ -r "$f" ] || continue
			mkdir -p "$root/lib/terminfo/${t:0:1}"
			cp -L "$f" "$root/lib/terminfo/${t:0:1}/"
			break
		done
	done
	[ -r "$root/lib/terminfo/${term:0:1}/$term" ] || term=vt100
	cat >"$root/kvshadow/demo.env" <<EOF
DEMO_SECONDS=$demo
DEMO_TTY=$tty
DEMO_ROWS=${rows:-24}
DEMO_COLS=${cols:-80}
DEMO_TERM=$term
EOF
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

# KUnit suites run at boot only when asked for: most boots are for tools.
if [ -n "$kunit" ]; then
	kargs="kunit.filter_glob=$kunit"
else
	kargs="kunit.enable=0"
fi
# The debug kernel boots as syzbot boots its KASAN kernels: two NUMA nodes
# and, when asked, page_owner on (kernel/configs/debug.config). page_owner
# saves a stack for every page allocated: under TCG it makes a 2-thread
# test_vmalloc 2.8x slower (132 s against 47 s), so only the tests that
# need it, or are there to run under it, turn it on.
if grep -q '^CONFIG_NUMA_EMU=y' "$kdir/.config" 2>/dev/null; then
	kargs="numa=fake=2 $kargs"
fi
if [ "$page_owner" = 1 ]; then
	grep -q '^CONFIG_PAGE_OWNER=y' "$kdir/.config" 2>/dev/null ||
		die "--page-owner: $kdir was built without CONFIG_PAGE_OWNER (NODEBUG?)"
	kargs="page_owner=on $kargs"
fi
# The demo's console is the screen: only serious kernel messages on it.
if [ -n "$demo" ]; then
	kargs="console=ttyS0 panic=-1 loglevel=3 $kargs $append"
else
	kargs="console=ttyS0 panic=-1 loglevel=7 $kargs $append"
fi

# TCG by default: it is what CI has, and nested KVM on these machines has
# been seen to hang at "Booting from ROM". VM_ACCEL=kvm opts in;
# VM_ACCEL=tcg-single emulates every vCPU in one host thread, in turn.
case ${VM_ACCEL:-tcg} in
tcg) accel=(-accel tcg -cpu max) ;;
tcg-single) accel=(-accel tcg,thread=single -cpu max) ;;
kvm) accel=(-accel kvm -cpu host) ;;
*) die "VM_ACCEL must be tcg, tcg-single or kvm" ;;
esac
# VM_QEMU_ARGS adds QEMU options (the benchmark uses -icount for a guest
# clock that counts instructions instead of the host's noisy wall time).
read -r -a extra <<<"${VM_QEMU_ARGS:-}"
qemu=(qemu-system-x86_64 "${accel[@]}" -m 1024 -smp 2 -nographic -no-reboot -nic none
	-kernel "$kdir/bzImage" -initrd "$work/initramfs.gz" -append "$kargs" "${extra[@]}")

if [ -n "$demo" ]; then
	# Bounded: boot, the demo, slack.
	limit=$((demo + 180))
	rc=0
	if [ "$tty" = 1 ]; then
		# Live on this terminal: the TUI on the console, q reaches it.
		timeout --foreground -k 5 "$limit" "${qemu[@]}" -serial mon:stdio -serial null || rc=$?
		[ "$rc" = 124 ] || [ "$rc" = 137 ] && stty sane 2>/dev/null
	else
		# Batch, streamed: the demo writes to the second serial port, the
		# console (BIOS, kernel) goes to a file.
		log=${console:-$work/console.log}
		timeout -k 5 "$limit" "${qemu[@]}" -monitor none -serial "file:$log" -serial stdio \
			</dev/null 2>"$work/qemu.err" || rc=$?
		if [ "$rc" != 0 ]; then
			cat "$work/qemu.err" >&2
			echo "run.sh: console tail:" >&2
			tail -n 30 "$log" >&2
		fi
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		die "the demo did not end within $limit s"
	fi
	exit "$rc"
fi

if [ "$have_cmd" = 0 ]; then
	# Interactive: the console is this terminal.
	exec "${qemu[@]}" -serial mon:stdio -serial null
fi

log=${console:-$work/console.log}
out=$work/cmd.out
: >"$log"
rc=0
timeout -k 5 "$timeout" "${qemu[@]}" -monitor none -serial "file:$log" \
	-serial "file:$out" </dev/null >/dev/null 2>"$work/qemu.err" || rc=$?
# Serial output is raw: drop the carriage returns of the guest's tty.
tr -d '\r' <"$out"
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "run.sh: guest did not finish within ${timeout}s; console tail:" >&2
	tail -n 30 "$log" >&2
	exit 124
fi
if [ "$rc" != 0 ]; then
	cat "$work/qemu.err" >&2
	die "qemu failed with status $rc"
fi
status=$(tr -d '\r' <"$log" | sed -n 's/.*KVSHADOW_RC=\([0-9][0-9]*\).*/\1/p' | tail -n 1)
if [ -z "$status" ]; then
	echo "run.sh: guest stopped before the command finished; console tail:" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
exit "$status"
