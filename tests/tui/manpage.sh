#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvshadowtop(8)'s KEYS section names every key of the TUI's key table (the
# table that also dispatches the keys and draws the help), as the help
# names it: q, F10, ^L, PgDn, Space... (Options, modes and sorts:
# tests/unit/test_manpage.c.)
set -u
cd "$(dirname "$0")/../.." || exit 1

driver=build/tests/tui/tuidriver
page=tools/kvshadowtop/kvshadowtop.8
[ -x "$driver" ] || { echo "FAIL: $driver is not built"; exit 1; }
keys=$("$driver" --list-keys) || { echo "FAIL: $driver --list-keys"; exit 1; }
[ -n "$keys" ] || { echo "FAIL: no keys listed"; exit 1; }

# The KEYS section as words: font macros, quotes, commas and slashes gone.
words=$(sed -n '/^\.SH KEYS/,/^\.SH /p' "$page" |
	sed -e 's/^\.[A-Z]*//' -e 's/\\-/-/g' -e 's/["(),;/]/ /g' | tr -s ' \t' '\n\n')
failed=0
while IFS= read -r k; do
	if ! grep -qxF -- "$k" <<<"$words"; then
		echo "FAIL: the KEYS section of $page does not name the key '$k'"
		failed=1
	fi
done <<<"$keys"
[ "$failed" = 0 ] && echo "ok: $page names all $(wc -l <<<"$keys") keys"
exit "$failed"
