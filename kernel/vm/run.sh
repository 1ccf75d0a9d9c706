#!/bin/bash
# Boot the kvshadow test kernel in QEMU with a busybox initramfs.
#
#   kernel/vm/run.sh [--stock|--novmalloc] [--cmd 'COMMAND'] [--console FILE]
#                    [--kunit GLOB] [--timeout SECONDS] [--append ARGS]
#
# Without --cmd: a shell on the console (exit it to power off).
# With --cmd: runs COMMAND in the guest (proc, sys, debugfs and tracefs
# mounted; the project's static binaries on PATH; test_vmalloc.ko in
# /lib/modules/$(uname -r)), prints its output and exits with its status.
# A guest that hangs or panics is killed after the timeout (default 600 s)
# and reported with the tail of its console; the status is then 124 or 1.
#
# The guest sees the project tree's tests/vm/guest/ as /kvshadow/tests.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
flavor=()
cmd=""
have_cmd=0
console=""
kunit=""
timeout=${VM_TIMEOUT:-600}
append=""
while [ $# -gt 0 ]; do
	case $1 in
	--stock|--novmalloc) flavor=("$1") ;;
	--cmd) cmd=$2; have_cmd=1; shift ;;
	--console) console=$2; shift ;;
	--kunit) kunit=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--append) append=$2; shift ;;
	-h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $timeout in ''|*[!0-9]*) echo "run.sh: --timeout needs whole seconds" >&2; exit 2 ;; esac

die() { echo "run.sh: $*" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found: install qemu-system-x86 (make deps)"
# The initramfs has no libc: busybox must be the static build.
if [ ! -x /bin/busybox ] || readelf -l /bin/busybox 2>/dev/null | grep -q INTERP; then
	die "/bin/busybox is missing or dynamic: install busybox-static (make deps)"
fi

kdir=$("$top/kernel/build.sh" "${flavor[@]}" --print-dir)
[ -r "$kdir/bzImage" ] || die "no kernel in $kdir: run 'make kernel${flavor:+ $(echo "${flavor[0]#--}" | tr a-z A-Z)=1}' first"
krel=$(cat "$kdir/kernel.release")

work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-vm.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root,kvshadow/bin,lib/modules/"$krel"}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
cp "$kdir/test_vmalloc.ko" "$root/lib/modules/$krel/"
if [ -d "$top/build/static/bin" ]; then
	cp -a "$top/build/static/bin/." "$root/kvshadow/bin/"
fi
if [ -d "$top/tests/vm/guest" ]; then
	cp -a "$top/tests/vm/guest" "$root/kvshadow/tests"
fi
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
if [ "$have_cmd" = 1 ]; then
	printf '%s\n' "$cmd" >"$root/kvshadow/cmd"
fi
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

# KUnit suites run at boot only when asked for: most boots are for tools.
if [ -n "$kunit" ]; then
	kargs="kunit.filter_glob=$kunit"
else
	kargs="kunit.enable=0"
fi
kargs="console=ttyS0 panic=-1 loglevel=7 $kargs $append"

# TCG by default: it is what CI has, and nested KVM on these machines has
# been seen to hang at "Booting from ROM". VM_ACCEL=kvm opts in.
case ${VM_ACCEL:-tcg} in
tcg) accel=(-accel tcg -cpu max) ;;
kvm) accel=(-accel kvm -cpu host) ;;
*) die "VM_ACCEL must be tcg or kvm" ;;
esac
# VM_QEMU_ARGS adds QEMU options (the benchmark uses -icount for a guest
# clock that counts instructions instead of the host's noisy wall time).
read -r -a extra <<<"${VM_QEMU_ARGS:-}"
qemu=(qemu-system-x86_64 "${accel[@]}" -m 1024 -smp 2 -nographic -no-reboot
	-kernel "$kdir/bzImage" -initrd "$work/initramfs.gz" -append "$kargs" "${extra[@]}")

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
