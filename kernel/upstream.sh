#!/bin/bash
# Export the kvshadow series as a maintainer gets it: kernel/patches/ applied
# to a git tree of Linux 7.2 (kernel/source.sh), each patch committed under
# YOUR git identity with your Signed-off-by (the stored patches carry none:
# the Developer's Certificate of Origin is yours to give), then
# `git format-patch --cover-letter` with the stored cover letter's subject
# and text, To: the maintainers and Cc: the reviewers and lists that
# scripts/get_maintainer.pl names for the series, and checkpatch.pl
# --strict run on exactly the files written.
#
#   kernel/upstream.sh OUTDIR      (make upstream: OUTDIR=build/upstream)
#
# Send with: git send-email OUTDIR/*.patch
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
die() { echo "upstream: $*" >&2; exit 1; }

[ $# = 1 ] || die "usage: kernel/upstream.sh OUTDIR"
outdir=$1
patchdir=$here/patches
cover=$patchdir/0000-cover-letter.patch

# The identity that signs off: the user's own, never one made up here.
name=$(git -C "$here" config user.name || true)
email=$(git -C "$here" config user.email || true)
if [ -z "$name" ] || [ -z "$email" ]; then
	cat >&2 <<'EOF'
upstream: no git identity: the series is signed off by the person who sends it.
upstream: set yours first, e.g.
upstream:   git config --global user.name "Your Name"
upstream:   git config --global user.email "you@example.com"
EOF
	exit 1
fi
command -v perl >/dev/null || die "perl not found (checkpatch.pl and get_maintainer.pl need it)"
[ -r "$patchdir/series" ] || die "$patchdir/series missing"
[ -r "$cover" ] || die "$cover missing"
# The patches in series order, read once.
patches=()
while read -r p; do
	case $p in ''|'#'*) continue ;; esac
	[ -r "$patchdir/$p" ] || die "series names $p, which does not exist"
	patches+=("$patchdir/$p")
done <"$patchdir/series"
[ ${#patches[@]} -gt 0 ] || die "empty series"

tarball=$("$here/source.sh" 7.2) || die "no Linux 7.2 source"
srcver=$("$here/source.sh" --version 7.2)
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-upstream.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/linux
mkdir -p "$tree"
echo "upstream: unpacking linux-source-7.2 $srcver"
tar -xf "$tarball" -C "$tree" --strip-components=1 || die "cannot unpack $tarball"

g() { git -C "$tree" -c user.name="$name" -c user.email="$email" -c core.autocrlf=false "$@"; }
# The base commit holds the files the series touches, not all 90k (a
# minute to commit): format-patch's output depends only on those, and
# get_maintainer.pl reads the unpacked tree. -f: Debian's linux-source
# .gitignore ignores the whole top level.
echo "upstream: committing the files the series touches as the base"
g init -q
sed -n 's|^diff --git a/\([^ ]*\) b/.*|\1|p' "${patches[@]}" | sort -u | while read -r path; do
	[ ! -e "$tree/$path" ] || printf '%s\0' "$path"
done | g add -f --pathspec-from-file=- --pathspec-file-nul || die "cannot add the base files"
g commit -q --allow-empty -m "Linux $srcver (Debian linux-source-7.2): the files the series touches"
base=$(g rev-parse HEAD)

for f in "${patches[@]}"; do
	p=${f##*/}
	# mailinfo takes the subject (without its [PATCH i/N]) and the message.
	subject=$(git mailinfo "$work/msg" "$work/diff" <"$f" | sed -n 's/^Subject: //p')
	[ -n "$subject" ] || die "$p has no Subject"
	g apply --index "$work/diff" || die "$p does not apply to linux-source-7.2 $srcver"
	{ echo "$subject"; echo; cat "$work/msg"; } >"$work/commit-msg"
	g commit -q -s -F "$work/commit-msg" || die "cannot commit $p"
done

# To: the maintainers, Cc: everyone else get_maintainer.pl names.
g format-patch -q -o "$work/probe" "$base..HEAD" >/dev/null
roles=$(cd "$tree" && ./scripts/get_maintainer.pl --nogit --nogit-fallback "$work"/probe/*.patch) ||
	die "get_maintainer.pl failed"
to=() cc=()
while IFS= read -r line; do
	addr=${line%% (*}  # the role may nest parentheses: MGLRU (MULTI-GEN LRU)
	[ -n "$addr" ] || continue
	case $line in
	*"(maintainer:"*) to+=(--to="$addr") ;;
	*) cc+=(--cc="$addr") ;;
	esac
done <<<"$roles"
[ ${#to[@]} -gt 0 ] || die "get_maintainer.pl names no maintainer for the series"

rm -rf "$outdir"
mkdir -p "$outdir"
g format-patch -q --cover-letter --signoff --thread=shallow -o "$outdir" "${to[@]}" "${cc[@]}" "$base..HEAD" ||
	die "git format-patch failed"

# The cover letter: the stored subject and text in place of the template's.
out_cover=$(find "$outdir" -name '0000-cover-letter.patch')
[ -n "$out_cover" ] || die "format-patch wrote no cover letter"
cover_subject=$(sed -n 's/^Subject: \[PATCH 0\/[0-9]*\] //p' "$cover")
[ -n "$cover_subject" ] || die "$cover has no [PATCH 0/N] subject"
# The blurb: the text after the headers, up to the stored shortlog (which
# starts with the first patch's subject, perhaps under an author line).
first=$(git mailinfo /dev/null /dev/null <"${patches[0]}" |
	sed -n 's/^Subject: //p')
awk -v first="  $first" '
	body && index($0, first) == 1 { exit }
	body { lines[++n] = $0 }
	!body && /^$/ { body = 1 }
	END {
		# Drop the shortlog author line and blank lines before it.
		while (n > 0 && (lines[n] == "" || lines[n] ~ /^[^ ].* \([0-9]+\):$/)) n--
		for (i = 1; i <= n; i++) print lines[i]
	}' "$cover" >"$work/blurb"
awk -v subject="$cover_subject" -v blurbfile="$work/blurb" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/\*\*\* BLURB HERE \*\*\*/ {
		while ((getline l < blurbfile) > 0) print l
		next
	}
	{ print }' "$out_cover" >"$work/cover" && mv "$work/cover" "$out_cover"

# checkpatch on exactly what was written; a new file's MAINTAINERS warning
# is accepted when the cover letter explains it (as tests/kernel/series.sh).
bad=0
for f in "$outdir"/*.patch; do
	case $f in */0000-cover-letter.patch) continue ;; esac
	out=$(cd "$tree" && ./scripts/checkpatch.pl --strict "$f" 2>&1) || true
	total=$(echo "$out" | grep '^total:' || echo "total: (none)")
	echo "upstream: $(basename "$f"): $total"
	case $total in
	"total: 0 errors, 0 warnings, 0 checks"*) ;;
	"total: 0 errors, 1 warnings, 0 checks"*)
		echo "$out" | grep -q 'does MAINTAINERS need updating' && grep -q MAINTAINERS "$out_cover" ||
			{ echo "$out"; bad=1; }
		;;
	*) echo "$out"; bad=1 ;;
	esac
done
[ "$bad" = 0 ] || die "checkpatch --strict is not clean on the exported series"
echo "upstream: ${#patches[@]} patches and a cover letter in $outdir, signed off by $name <$email>"
echo "upstream: To: ${to[*]#--to=}"
echo "upstream: send with: git send-email $outdir/*.patch"
