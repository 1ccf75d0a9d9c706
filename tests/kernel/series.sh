#!/bin/bash
# The kernel series as upstream would see it, on Linux 7.2 (kernel/patches/)
# and as the 6.12 backport (kernel/patches-6.12/):
#  - every patch in series order applies to a fresh linux-source without
#    fuzz, carries a commit message that explains why, and checkpatch.pl
#    --strict from the same tree reports nothing, with one exception
#    upstream accepts: "added file, does MAINTAINERS need updating?" for a
#    new file that an existing MAINTAINERS entry already covers, which the
#    cover letter must explain;
#  - no stored patch carries an identity (From:, Signed-off-by:): whoever
#    sends the series signs it off (make upstream), nobody is made up here;
#  - the 7.2 cover letter is filled in, names every patch and carries the
#    benchmark table;
#  - `make upstream` (kernel/upstream.sh) refuses to run without a git
#    identity and, under a test identity, writes a series whose every patch
#    is signed off by it, addressed to the KASAN maintainers, and
#    checkpatch clean as written.
# tests/kernel/bisect.sh builds each step.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-series.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

maintainers_warning='WARNING: added, moved or deleted file(s), does MAINTAINERS need updating?'

# check_series KVER PATCHDIR: the stored patches on a fresh tree.
check_series() {
	local kver=$1 dir=$2 tarball src cover n=0 accepted=0 p f body subject out new
	tarball=$("$top/kernel/source.sh" "$kver") || fail "no source for Linux $kver"
	src=$work/linux-$kver
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1 || fail "cannot extract $tarball"
	cover=$dir/0000-cover-letter.patch
	[ -r "$dir/series" ] || fail "$dir/series missing"
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		case $p in 0000-*) fail "$dir/series lists the cover letter $p: it applies nothing" ;; esac
		f=$dir/$p
		[ -r "$f" ] || fail "$dir/series names $p, which does not exist"
		n=$((n + 1))
		patch -d "$src" -p1 -N --batch --fuzz=0 --quiet <"$f" || fail "$kver: $p does not apply"
		grep -qE '^(Signed-off-by|From): ' "$f" && fail "$kver: $p carries an identity (From:/Signed-off-by:)"
		grep -q '^From [0-9a-f]\{40\} ' "$f" && fail "$kver: $p has an mbox From line"
		# The body between the Subject and the diffstat must explain why.
		body=$(sed -n '/^Subject:/,/^---$/p' "$f" | sed '1d;$d' | grep -c '[a-z]')
		[ "$body" -ge 3 ] || fail "$kver: $p has (almost) no commit message"
		subject=$(git mailinfo /dev/null /dev/null <"$f" | sed -n 's/^Subject: //p')
		[ -n "$subject" ] || fail "$kver: $p has no subject"
		grep -q '^Subject: \[PATCH [0-9]*/[0-9]*\] ' "$f" || fail "$kver: $p has no [PATCH i/N] subject"
		if [ -r "$cover" ]; then
			grep -qF "  $subject" "$cover" || fail "$kver: the cover letter does not list '$subject'"
		fi

		out=$(cd "$src" && ./scripts/checkpatch.pl --strict --no-signoff "$f" 2>/dev/null)
		echo "$kver $p: $(echo "$out" | grep '^total:')"
		if echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
			continue
		fi
		if echo "$out" | grep -q '^total: 0 errors, 1 warnings, 0 checks' &&
			echo "$out" | grep -qxF "$maintainers_warning"; then
			while read -r new; do
				(cd "$src" && ./scripts/get_maintainer.pl --nogit --nogit-fallback -f "$new") |
					grep -q '(maintainer:' || fail "$kver: $p adds $new, which no MAINTAINERS entry covers"
			done < <(sed -n 's/^ create mode [0-7]* //p' "$f")
			accepted=$((accepted + 1))
			continue
		fi
		echo "$out"
		fail "$kver: $p is not checkpatch --strict clean"
	done <"$dir/series"
	[ "$n" -gt 0 ] || fail "$kver: empty series"
	if [ "$kver" = 7.2 ]; then
		[ -r "$cover" ] || fail "no cover letter: $cover"
		grep -qE '^(Signed-off-by|From): ' "$cover" && fail "the cover letter carries an identity"
		grep -q "^Subject: \[PATCH 0/$n\] " "$cover" || fail "the cover letter is not [PATCH 0/$n]"
		grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$cover" && fail "the cover letter is the unfilled template"
		if [ "$accepted" -gt 0 ]; then
			grep -q 'MAINTAINERS' "$cover" ||
				fail "$accepted patch(es) leave checkpatch's MAINTAINERS warning, which the cover letter does not explain"
		fi
		# The benchmark table: the KASAN_VMALLOC tax before and after.
		if ! grep -qi 'KASAN_VMALLOC' "$cover" || ! grep -qE '^ *total .*x' "$cover"; then
			fail "the cover letter has no benchmark table (a 'total' row with ratios)"
		fi
	fi
	echo "$kver: $n patches apply and are checkpatch clean ($accepted with the MAINTAINERS warning the cover letter explains)"
	nseries[$kver]=$n
}

declare -A nseries=()
check_series 7.2 "$top/kernel/patches"
check_series 6.12 "$top/kernel/patches-6.12"

# make upstream: no identity, no series.
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$work/gitconfig
: >"$GIT_CONFIG_GLOBAL"
if out=$("$top/kernel/upstream.sh" "$work/none" 2>&1); then
	fail "kernel/upstream.sh ran without a git identity"
fi
echo "$out" | grep -q 'git config --global user.name' || fail "no identity, but no hint how to set one: $out"
[ ! -e "$work/none" ] || fail "kernel/upstream.sh wrote $work/none without an identity"

# Under a test identity: signed off by it, addressed, checkpatch clean.
git config --global user.name "Series Test"
git config --global user.email "series-test@localhost"
"$top/kernel/upstream.sh" "$work/upstream" >"$work/upstream.log" 2>&1 ||
	{ cat "$work/upstream.log"; fail "kernel/upstream.sh failed"; }
cat "$work/upstream.log"
n=${nseries[7.2]}
exported=$(find "$work/upstream" -name '0*.patch' ! -name '0000-*' | wc -l)
[ "$exported" = "$n" ] || fail "make upstream wrote $exported patches, the series has $n"
# Headers with their folded continuation lines joined: a long Cc goes on.
unfold() { awk '/^$/ { exit } NR > 1 && !/^[ \t]/ { print "" } { printf "%s", $0 } END { print "" }' "$1"; }
for f in "$work/upstream"/0*.patch; do
	b=$(basename "$f")
	grep -qx 'From: Series Test <series-test@localhost>' "$f" || fail "$b: not from the test identity"
	unfold "$f" | grep -q '^To: .*Andrey Ryabinin' || fail "$b: not addressed to the KASAN maintainer"
	unfold "$f" | grep -q '^Cc: .*kasan-dev@googlegroups.com' || fail "$b: kasan-dev is not on Cc"
	case $b in 0000-*) continue ;; esac
	grep -qx 'Signed-off-by: Series Test <series-test@localhost>' "$f" || fail "$b: not signed off by the test identity"
	[ "$(grep -c '^Signed-off-by: ' "$f")" = 1 ] || fail "$b: more than one Signed-off-by"
done
c=$work/upstream/0000-cover-letter.patch
grep -qF "Subject: [PATCH 0/$n] $(sed -n 's/^Subject: \[PATCH 0\/[0-9]*\] //p' "$top/kernel/patches/0000-cover-letter.patch" | cut -c1-40)" "$c" ||
	fail "the exported cover letter lost the stored subject"
grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$c" && fail "the exported cover letter is the unfilled template"
grep -qE '^ *total .*x' "$c" || fail "the exported cover letter lost the benchmark table"
echo "make upstream: $n patches and a cover letter, signed off, addressed and checkpatch clean"
