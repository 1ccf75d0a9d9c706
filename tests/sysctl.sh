# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests (not run). kvshadowtop never writes a sysctl; estimate
# mode reads area addresses from /proc/vmallocinfo, which only
# kernel.kptr_restrict=1 shows to root. A test that runs estimate mode sets
# it for its own run and puts back exactly the old value, also on failure
# (call kptr_restrict_restore from the EXIT trap).
kptr_restrict_saved=

# kptr_restrict_for_test VALUE
kptr_restrict_for_test() {
	kptr_restrict_saved=$(cat /proc/sys/kernel/kptr_restrict) || return 1
	echo "$1" >/proc/sys/kernel/kptr_restrict
}

kptr_restrict_restore() {
	if [ -n "$kptr_restrict_saved" ]; then
		echo "$kptr_restrict_saved" >/proc/sys/kernel/kptr_restrict
		kptr_restrict_saved=
	fi
}
