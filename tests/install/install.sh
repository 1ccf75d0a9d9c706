#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make install DESTDIR=... PREFIX=/usr/local installs exactly the expected
# files with the right modes, the unit passes systemd-analyze verify and its
# security review, the completions complete; make uninstall removes exactly
# what install put there.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
dest=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-install.XXXXXX")
trap 'rm -rf "$dest"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# shellcheck source=tests/common.sh
. "$top/tests/common.sh"
need systemd-analyze man

prefix=usr/local
expected="$prefix/lib/systemd/system/kvshadow-exporter.service 644
$prefix/sbin/kvshadowstat 755
$prefix/sbin/kvshadowtop 755
$prefix/share/bash-completion/completions/kvshadowstat 644
$prefix/share/bash-completion/completions/kvshadowtop 644
$prefix/share/kvshadow/grafana/kvshadow.json 644
$prefix/share/kvshadow/prometheus/kvshadow-alerts.yml 644
$prefix/share/man/man8/kvshadowstat.8 644
$prefix/share/man/man8/kvshadowtop.8 644"

make -s install DESTDIR="$dest" PREFIX=/usr/local >"$dest.log" 2>&1 ||
	{ cat "$dest.log"; rm -f "$dest.log"; fail "make install"; }
rm -f "$dest.log"
got=$(cd "$dest" && find . \( -type f -o -type l \) -printf '%P %m\n' | sort)
if [ "$got" != "$expected" ]; then
	diff <(echo "$expected") <(echo "$got") | sed 's/^/    /'
	fail "installed files differ from the list (< expected, > installed)"
fi
echo "ok: make install: the $(wc -l <<<"$expected") expected files, modes as listed"

unit=$dest/$prefix/lib/systemd/system/kvshadow-exporter.service
grep -q '@[A-Z]*@' "$unit" && fail "unit has unsubstituted @VARS@: $(grep '@[A-Z]*@' "$unit")"
grep -qx 'ExecStart=/usr/local/sbin/kvshadowtop -b -n 0 -d 15 --prom-file /var/lib/prometheus/node-exporter/kvshadow.prom' "$unit" ||
	fail "unit ExecStart is not the installed kvshadowtop: $(grep ExecStart "$unit")"

# verify wants ExecStart's binary where the unit says: point a copy at
# the DESTDIR one. The man page it documents must render from DESTDIR.
mkdir -p "$dest.unit"
sed "s|/usr/local/sbin/|$dest/$prefix/sbin/|" "$unit" >"$dest.unit/kvshadow-exporter.service"
out=$(MANPATH=$dest/$prefix/share/man systemd-analyze verify --man=yes \
	"$dest.unit/kvshadow-exporter.service" 2>&1)
st=$?
if [ $st -ne 0 ] || [ -n "$out" ]; then
	rm -rf "$dest.unit"
	fail "systemd-analyze verify (exit $st): $out"
fi
echo "ok: systemd-analyze verify --man=yes: clean"
# Exposure on systemd's 0-10 scale; keep it at "OK" (below 3.0).
out=$(systemd-analyze security --offline=yes --threshold=30 \
	"$dest.unit/kvshadow-exporter.service" 2>&1)
st=$?
rm -rf "$dest.unit"
[ $st -eq 0 ] || fail "systemd-analyze security: exposure above 3.0: $(tail -n 2 <<<"$out")"
echo "ok: $(grep -o 'Overall exposure level.*' <<<"$out")"

# The completions load in bash and complete.
comp=$dest/$prefix/share/bash-completion/completions
r=$(bash -c '. "$1"; COMP_WORDS=(kvshadowtop --mode e); COMP_CWORD=2; _kvshadowtop; echo "${COMPREPLY[*]}"' _ "$comp/kvshadowtop")
[ "$r" = "exact estimate" ] || fail "kvshadowtop --mode e<TAB> gave '$r'"
# Generated from the tables: every mode, sort, --by word and option completes.
top() { bash -c '. "$1"; shift; COMP_WORDS=(kvshadowtop "$@"); COMP_CWORD=$#; _kvshadowtop; echo "${COMPREPLY[*]}"' _ "$comp/kvshadowtop" "$@"; }
[ "$(top --mode '')" = "exact stock estimate debugfs" ] || fail "kvshadowtop --mode <TAB> gave '$(top --mode '')'"
[ "$(top -s '')" = "pages calls rate vp50 vp99 pp50 pp99 name" ] || fail "kvshadowtop -s <TAB> gave '$(top -s '')'"
[ "$(top --sort p)" = "pages pp50 pp99" ] || fail "kvshadowtop --sort p<TAB> gave '$(top --sort p)'"
[ "$(top --by '')" = "caller process" ] || fail "kvshadowtop --by <TAB> gave '$(top --by '')'"
for opt in --slow --self-stats --no-fentry --file --prom-file --top --json; do
	grep -qw -- "$opt" <<<"$(top --)" || fail "kvshadowtop --<TAB> lacks $opt"
done
r=$(bash -c '. "$1"; COMP_WORDS=(kvshadowstat --pr); COMP_CWORD=1; _kvshadowstat; echo "${COMPREPLY[*]}"' _ "$comp/kvshadowstat")
[ "$r" = "--prom-file" ] || fail "kvshadowstat --pr<TAB> gave '$r'"
echo "ok: bash completions complete"

make -s uninstall DESTDIR="$dest" PREFIX=/usr/local || fail "make uninstall"
left=$(cd "$dest" && find . \( -type f -o -type l \) -printf '%P\n')
[ -z "$left" ] || fail "make uninstall left: $left"
echo "ok: make uninstall removed every installed file"
echo PASS
