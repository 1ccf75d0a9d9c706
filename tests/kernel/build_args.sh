#!/bin/bash
# kernel/build.sh's command line: every bad argument is refused with exit
# status 2 and a message naming it, before anything is built; --cpus N
# names a cache entry and tree of its own (its config differs in
# CONFIG_NR_CPUS, so it must never share a key or a tree with the test
# kernels), and each count gets its own.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/kernel/build.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-build-args.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# refused WORD ARGS...: exit 2, a message with WORD, no output on stdout.
refused() {
	local word=$1 out err rc
	shift
	out=$("$build" "$@" 2>"$work/err")
	rc=$?
	err=$(cat "$work/err")
	[ "$rc" = 2 ] || fail "kernel/build.sh $* exited $rc, not 2"
	[ -z "$out" ] || fail "kernel/build.sh $* printed '$out' on stdout"
	case $err in *"$word"*) ;; *) fail "kernel/build.sh $*: '$err' does not name $word" ;; esac
	echo "refused: $* ($err)"
}
refused --cpus --cpus
refused --cpus --cpus 1
refused --cpus --cpus 513
refused --cpus --cpus 8x
refused --cpus --cpus -4
refused --patches --patches 0
refused --frob --frob

plain=$("$build" --nodebug --stock --print-dir) || fail "--print-dir"
c64=$("$build" --nodebug --stock --cpus 64 --print-dir) || fail "--cpus 64 --print-dir"
c16=$("$build" --nodebug --stock --cpus 16 --print-dir) || fail "--cpus 16 --print-dir"
echo "entries: $plain $c64 $c16"
case $(basename "$c64") in 7.2-stock-nodebug-cpus64-????????????????) ;; *) fail "--cpus 64 names '$c64'" ;; esac
case $(basename "$c16") in 7.2-stock-nodebug-cpus16-????????????????) ;; *) fail "--cpus 16 names '$c16'" ;; esac
[ "${c64##*-}" != "${plain##*-}" ] || fail "--cpus 64 has the test kernel's key"
[ "${c64##*-}" != "${c16##*-}" ] || fail "--cpus 64 and --cpus 16 have one key"
echo PASS
