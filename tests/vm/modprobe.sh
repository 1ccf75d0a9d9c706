#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# modprobe works in the guest as on any system: the initramfs carries the
# test kernel's modules tree with modules.dep, so test_vmalloc and the
# workload module load by name (with parameters), unload, and an unknown
# name is an error.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

# shellcheck disable=SC2016 # expanded in the guest
vm_run -- '
d=/lib/modules/$(uname -r)
echo "@@dep $(grep -c "\.ko:" $d/modules.dep)"
grep -o "[a-z_]*\.ko:" $d/modules.dep | sort | sed "s/^/@@mod /"
modprobe test_vmalloc run_test_mask=1 test_loop_count=20 2>/tmp/err
echo "@@tv $? $(cat /tmp/err)"
dmesg | grep "Summary: fix_size_alloc_test" | sed "s/^.*Summary/@@summary Summary/"
lsmod | grep -q "^test_vmalloc " && echo "@@tv still loaded"
modprobe kvshadow_workload fn=vmalloc n=2; echo "@@wl $?"
lsmod | grep -c "^kvshadow_workload " | sed "s/^/@@lsmod /"
echo "@@log $(grep -c "op=alloc fn=kvshadow_wl_vmalloc .* comm=modprobe .* ret=0 " /sys/kernel/debug/kvshadow_workload/log)"
modinfo kvshadow_workload | grep -E "^(license|parm):" | sed "s/^/@@info /"
modprobe -r kvshadow_workload; echo "@@rm $? $(lsmod | grep -c "^kvshadow_workload ")"
modprobe no_such_module 2>/dev/null; echo "@@nosuch $?"
' >"$work/out" || { cat "$work/out"; fail "guest run failed"; }
cat "$work/out"
val() { sed -n "s/^@@$1 //p" "$work/out"; }

[ "$(val dep)" -ge 2 ] 2>/dev/null || fail "modules.dep lists $(val dep) modules"
val mod | grep -qx 'test_vmalloc.ko:' || fail "test_vmalloc is not in modules.dep"
val mod | grep -qx 'kvshadow_workload.ko:' || fail "kvshadow_workload is not in modules.dep"
# test_vmalloc's init returns -EAGAIN on purpose, after running its tests.
case $(val tv) in
"1 "*"Resource temporarily unavailable"*) ;;
*) fail "modprobe test_vmalloc: '$(val tv)', want status 1 with EAGAIN (its tests ran)" ;;
esac
val summary | grep -q 'passed: 1 failed: 0 \(xfailed: 0 \)\{0,1\}repeat: 1 loops: 20' || fail "test_vmalloc did not run with the parameters given"
! grep -q '^@@tv still loaded' "$work/out" || fail "test_vmalloc stayed loaded"
[ "$(val wl)" = 0 ] || fail "modprobe kvshadow_workload: status $(val wl)"
[ "$(val lsmod)" = 1 ] || fail "kvshadow_workload is not in lsmod"
[ "$(val log)" = 2 ] || fail "the load-time parameters did not make 2 vmalloc areas"
val info | grep -q '^license: *GPL' || fail "modinfo: no GPL license"
[ "$(val rm)" = "0 0" ] || fail "modprobe -r kvshadow_workload: '$(val rm)'"
[ "$(val nosuch)" != 0 ] || fail "modprobe of an unknown module succeeded"
console_clean || fail "unexpected report on the console"
echo PASS
