#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make vm CMD='...'` runs the command in the guest verbatim: make does not
# expand $ in it ($(uname -r), $?, $((i+1)), $$ reach the guest's shell),
# quotes survive, the output comes back, and the command's exit status
# fails the make (run.sh returns it as is).
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

kdir=$("$top/kernel/build.sh" --print-dir) || fail "kernel/build.sh --print-dir"
krel=$(cat "$kdir/kernel.release" 2>/dev/null) || fail "no test kernel built ($kdir): run make kernel"

# shellcheck disable=SC2016 # for the guest's shell, verbatim
cmd='false; echo "status=$?"; i=41; echo "sum=$((i+1))"; echo "rel=$(uname -r)"
echo '\''single $HOME "double"'\''; printf "%s|" "a b" c; echo; echo "pid=$$"; exit 3'
make -s -C "$top" vm CMD="$cmd" >"$work/out" 2>"$work/err"
rc=$?
cat "$work/out"
# shellcheck disable=SC2016 # literal: what the guest prints
want=(status=1 sum=42 "rel=$krel" 'single $HOME "double"' 'a b|c|')
for w in "${want[@]}"; do
	grep -qxF -- "$w" "$work/out" || fail "the guest did not print '$w': make expanded or requoted the command"
done
grep -qx 'pid=[0-9][0-9]*' "$work/out" || fail "\$\$ did not reach the guest's shell as \$\$"
[ "$rc" != 0 ] || fail "make vm succeeded although the command exited 3"
grep -q 'Error 3' "$work/err" || { cat "$work/err"; fail "make did not report the command's status 3"; }
# run.sh itself returns the command's status.
"$top/kernel/vm/run.sh" --cmd 'exit 3' >/dev/null 2>&1
rc=$?
[ "$rc" = 3 ] || fail "kernel/vm/run.sh --cmd 'exit 3' returned $rc"
# shellcheck disable=SC2016 # for the guest's shell
make -s -C "$top" vm CMD='echo "ok $((6 * 7))"' >"$work/out2" 2>&1 || { cat "$work/out2"; fail "make vm with a succeeding command failed"; }
grep -qx 'ok 42' "$work/out2" || { cat "$work/out2"; fail "make vm CMD='echo \"ok \$((6 * 7))\"' did not print ok 42"; }
echo PASS
