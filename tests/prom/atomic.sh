#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Readers never see a partial or empty file: one process rewrites the file
# (through lib/atomicfile, as the tools do) at least 1000 times while this
# script reads it in a loop; every read must be a whole file. Then: no
# temporary file is left, neither after a normal end nor after SIGTERM.
set -uo pipefail
# shellcheck source=tests/prom/lib.sh
. "$(dirname "$0")/lib.sh"

rewrites=${PROM_ATOMIC_REWRITES:-2000}
dir=$work/textfile
f=$dir/kvshadow.prom
mkdir -p "$dir"
"$promgen" -o "$f" -n 1 || fail "first write"
first=$(head -n1 "$f")
last_family='kvshadow_populated_bytes_by_caller_total{caller="other"}'

"$promgen" -o "$f" -n "$rewrites" &
writer=$!
pids+=("$writer")

reads=0 versions=0 prev=""
while kill -0 "$writer" 2>/dev/null || [ $reads -eq 0 ]; do
	# read -d '' takes the whole file, trailing newline included.
	IFS= read -r -d '' content <"$f"
	reads=$((reads + 1))
	[ -n "$content" ] || fail "read $reads: empty file"
	[ "${content:(-1)}" = $'\n' ] || fail "read $reads: no final newline (partial file)"
	[ "${content%%$'\n'*}" = "$first" ] || fail "read $reads: does not start with the first line"
	last=${content%$'\n'}
	last=${last##*$'\n'}
	[ "${last% *}" = "$last_family" ] ||
		fail "read $reads: last line '$last' is not the last series (partial file)"
	[ "$content" != "$prev" ] && versions=$((versions + 1))
	prev=$content
done
wait "$writer" || fail "the writer failed"
echo "ok: $reads reads during $rewrites rewrites, $versions distinct versions, all whole"
[ "$versions" -gt 1 ] || fail "the reader saw only one version: it did not overlap the writer"

left=$(find "$dir" -mindepth 1 ! -name kvshadow.prom)
[ -z "$left" ] || fail "stray files after the writer ended: $left"

# SIGTERM while rewriting in a tight loop: the flag stops the loop, the
# temporary file is cleaned up.
# replaced INODE: the file is another one now (each rewrite renames a new one
# over it): the loop is running.
replaced() { [ "$(stat -c %i "$f")" != "$1" ]; }
for sig in TERM INT; do
	ino=$(stat -c %i "$f")
	"$promgen" -o "$f" -n 0 &
	w=$!
	pids+=("$w")
	wait_until 10 replaced "$ino" || fail "SIG$sig: promgen -n 0 did not rewrite the file in 10 s"
	kill -"$sig" "$w"
	wait "$w"
	st=$?
	[ $st -eq 0 ] || fail "promgen exit $st after SIG$sig (want a clean exit)"
	left=$(find "$dir" -mindepth 1 ! -name kvshadow.prom)
	[ -z "$left" ] || fail "stray files after SIG$sig: $left"
	echo "ok: SIG$sig: clean exit, no temporary file left"
done
echo PASS
