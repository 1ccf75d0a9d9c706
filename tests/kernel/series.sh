#!/bin/bash
# The kernel series as upstream would see it: every patch in series order
# applies to a fresh linux-source-6.12 without fuzz, carries a commit
# message and a Signed-off-by, and checkpatch.pl --strict from the same
# tree reports nothing, with one exception upstream accepts: "added file,
# does MAINTAINERS need updating?" for a new file that an existing
# MAINTAINERS entry already covers, which the cover letter must explain.
#
# The cover letter (kernel/patches/0000-cover-letter.patch, git
# format-patch --cover-letter) is not in the series, as it applies
# nothing: it must exist, be filled in, name every patch of the series and
# carry the benchmark table. tests/kernel/bisect.sh builds each step.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tarball=/usr/src/linux-source-6.12.tar.xz
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-series.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

[ -r "$tarball" ] || { echo "SKIP: $tarball missing (apt-get install linux-source-6.12)"; exit 77; }
tar -xf "$tarball" -C "$work" --strip-components=1 || fail "cannot extract $tarball"

cover=$top/kernel/patches/0000-cover-letter.patch
[ -r "$cover" ] || fail "no cover letter: $cover"
grep -q '^Subject: \[PATCH 0/[0-9]*\] ' "$cover" || fail "the cover letter has no [PATCH 0/N] subject"
grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$cover" && fail "the cover letter is the unfilled template"

maintainers_warning='WARNING: added, moved or deleted file(s), does MAINTAINERS need updating?'
n=0 accepted=0
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	case $p in 0000-*) fail "the series lists the cover letter $p: it applies nothing" ;; esac
	f=$top/kernel/patches/$p
	[ -r "$f" ] || fail "series names $p, which does not exist"
	n=$((n + 1))
	patch -d "$work" -p1 -N --batch --fuzz=0 --quiet <"$f" || fail "$p does not apply"
	grep -q '^Signed-off-by: ' "$f" || fail "$p has no Signed-off-by"
	# The body between the Subject and the first Signed-off-by must explain why.
	body=$(sed -n '/^Subject:/,/^Signed-off-by:/p' "$f" | sed '1d;$d' | grep -c '[a-z]')
	[ "$body" -ge 3 ] || fail "$p has (almost) no commit message"
	# The cover letter names every patch (its shortlog).
	subject=$(sed -n 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //p' "$f")
	[ -n "$subject" ] || fail "$p has no [PATCH i/N] subject"
	grep -qF "  $subject" "$cover" || fail "the cover letter does not list '$subject'"

	out=$(cd "$work" && ./scripts/checkpatch.pl --strict "$f" 2>/dev/null)
	echo "$p: $(echo "$out" | grep '^total:')"
	if echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
		continue
	fi
	# The one accepted warning: a new file under a MAINTAINERS entry.
	if echo "$out" | grep -q '^total: 0 errors, 1 warnings, 0 checks' &&
		echo "$out" | grep -qxF "$maintainers_warning"; then
		while read -r new; do
			(cd "$work" && ./scripts/get_maintainer.pl --nogit --nogit-fallback -f "$new") |
				grep -q '(maintainer:' || fail "$p adds $new, which no MAINTAINERS entry covers"
		done < <(sed -n 's/^ create mode [0-7]* //p' "$f")
		accepted=$((accepted + 1))
		continue
	fi
	echo "$out"
	fail "$p is not checkpatch --strict clean"
done <"$top/kernel/patches/series"
[ "$n" -gt 0 ] || fail "empty series"
grep -q "Subject: \[PATCH 0/$n\] " "$cover" || fail "the cover letter is not 0/$n"
if [ "$accepted" -gt 0 ]; then
	grep -q 'MAINTAINERS' "$cover" ||
		fail "$accepted patch(es) leave checkpatch's MAINTAINERS warning, which the cover letter does not explain"
fi
# The benchmark table: the KASAN_VMALLOC tax before and after the series.
if ! grep -qi 'KASAN_VMALLOC' "$cover" || ! grep -qE '^ *total .*x' "$cover"; then
	fail "the cover letter has no benchmark table (a 'total' row with ratios)"
fi
echo "$n patches apply and are checkpatch clean ($accepted with the MAINTAINERS warning the cover letter explains)"
