#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# --prom-file with a bad target fails at start, with a message naming the
# path, a non-zero exit, nothing written through a symlink and no stray
# files: a missing directory, a read-only directory, a target that is a
# directory, a planted symlink. For promgen (lib/atomicfile itself),
# kvshadowstat and kvshadowtop (all three: a missing one fails the test).
set -uo pipefail
# shellcheck source=tests/prom/lib.sh
. "$(dirname "$0")/lib.sh"
need setpriv

debugfs_fixture "$work/vmalloc_shadow"
chmod 0711 "$work"	# the read-only case runs as nobody when we are root
# What runs as nobody runs from here: the project may sit where nobody
# cannot reach (a clone under /root, mode 700).
nobody_bin=$work/nobody-bin
mkdir -m 0755 "$nobody_bin" && cp "$promgen" "$bin/kvshadowstat" "$nobody_bin/" &&
	chmod 0755 "$nobody_bin"/* || fail "cannot copy the tools to $nobody_bin"

# A long interval: a tool that only notices at its first write would sit in
# the first interval and be killed by the timeout, which fails the test.
run_tool() {
	local tool=$1 path=$2
	case $tool in
	promgen) "$promgen" -o "$path" -n 1 ;;
	kvshadowstat) "$bin/kvshadowstat" --file "$work/vmalloc_shadow" --prom-file "$path" 30 2 ;;
	kvshadowtop) "$bin/kvshadowtop" -b -n 2 -d 30 --mode estimate --prom-file "$path" ;;
	esac
}

# expect_refusal TOOL CASE PATH DIR [AS_NOBODY]
expect_refusal() {
	local tool=$1 case=$2 path=$3 dir=$4 nobody=${5:-} before after st
	before=$(ls -A "$dir")
	if [ -n "$nobody" ]; then
		# setpriv keeps the environment; only the ids change.
		timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
			bash -c "$(declare -f run_tool); promgen=$nobody_bin/promgen bin=$nobody_bin work=$work run_tool $tool '$path'" \
			>"$work/out" 2>"$work/err"
	else
		timeout 20 bash -c "$(declare -f run_tool); promgen=$promgen bin=$bin work=$work run_tool $tool '$path'" \
			>"$work/out" 2>"$work/err"
	fi
	st=$?
	after=$(ls -A "$dir")
	[ $st -ne 0 ] || fail "$tool, $case: exit 0 (want an error)"
	[ $st -ne 124 ] || fail "$tool, $case: still running after 20 s: it did not check at start"
	grep -qF -- "$path" "$work/err" ||
		fail "$tool, $case: the message does not name $path: $(cat "$work/err")"
	[ "$before" = "$after" ] || fail "$tool, $case: files changed in $dir: before '$before' after '$after'"
	echo "ok: $tool, $case: exit $st: $(head -n1 "$work/err")"
}

need_producers
tools=(promgen kvshadowstat kvshadowtop)

for tool in "${tools[@]}"; do
	d=$work/$tool
	mkdir -p "$d"

	expect_refusal "$tool" "missing directory" "$d/nodir/kvshadow.prom" "$d"

	mkdir "$d/isdir.prom"
	expect_refusal "$tool" "target is a directory" "$d/isdir.prom" "$d"

	echo keep >"$d/victim"
	ln -s "$d/victim" "$d/link.prom"
	expect_refusal "$tool" "planted symlink" "$d/link.prom" "$d"
	[ "$(cat "$d/victim")" = keep ] || fail "$tool wrote through the symlink"

	mkdir -m 0555 "$d/ro"
	chmod 0755 "$d"
	if [ "$(id -u)" != 0 ]; then
		expect_refusal "$tool" "read-only directory" "$d/ro/kvshadow.prom" "$d/ro"
	else
		# Root writes a 0555 directory anyway. What stops root: a read-only
		# mount, and for tools that need no privilege, running as nobody.
		mkdir "$d/rofs"
		if mount -t tmpfs -o ro,size=64k kvshadow-test "$d/rofs" 2>/dev/null; then
			mounts+=("$d/rofs")
			expect_refusal "$tool" "read-only file system" "$d/rofs/kvshadow.prom" "$d/rofs"
		else
			echo "SKIP (this case only): $tool, read-only file system: cannot mount a tmpfs here"
		fi
		if [ "$tool" != kvshadowtop ]; then
			expect_refusal "$tool" "read-only directory (as nobody)" "$d/ro/kvshadow.prom" "$d/ro" nobody
		else
			echo "SKIP (this case only): $tool, 0555 directory: root writes it anyway (needs BPF: cannot run as nobody)"
		fi
	fi

	# And the same tool with a good path does write, and leaves only the file.
	if [ "$tool" != kvshadowtop ]; then
		mkdir "$d/good"
		case $tool in
		promgen) "$promgen" -o "$d/good/kvshadow.prom" -n 3 ;;
		kvshadowstat) "$bin/kvshadowstat" --file "$work/vmalloc_shadow" \
				--prom-file "$d/good/kvshadow.prom" 0.1 3 >/dev/null ;;
		esac || fail "$tool with a good path failed"
		[ "$(ls -A "$d/good")" = kvshadow.prom ] ||
			fail "$tool: $d/good holds: $(ls -A "$d/good")"
		echo "ok: $tool, good path: only kvshadow.prom"
	fi
done
echo PASS
