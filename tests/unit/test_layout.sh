#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The layout the README promises, checked on the tree as built:
#  - pipeline/ (both tools) includes nothing from tools/, libbpf or ncurses;
#  - pipeline/views/ includes nothing from pipeline/sources/ either: views
#    read the model only;
#  - kvshadowstat links neither libbpf nor ncurses, so it runs where BPF
#    cannot.
# Headers are followed transitively (cc -M), system headers included.
# Installed as build/tests/unit/test_layout; run from the top of the tree.
set -uo pipefail
cd "${KVSHADOW_TOP:-.}" || exit 1
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
fail=0

bad() { printf 'FAIL: %s\n' "$*"; fail=1; }

# deps FILE INCLUDE-FLAGS...: every header FILE reaches, one a line.
deps() {
	local f=$1
	shift
	# shellcheck disable=SC2046 # pkg-config prints several words on purpose
	"$CC" -std=gnu11 -D_GNU_SOURCE "$@" $("$PKG_CONFIG" --cflags jansson 2>/dev/null) \
		-M "$f" | tr ' \\' '\n\n' | sed '/^$/d;/:$/d'
}

forbidden_sys='(^|/)(bpf/(libbpf|bpf|btf)\.h|n?curses[^/]*\.h|ncursesw/|term\.h)'

# Everything pipeline/ compiles sees lib/, bpf/'s shared types and itself.
pipe_inc=(-Ilib -Ibpf -Ipipeline -Ipipeline/sources -Ipipeline/views)
for f in pipeline/*.[ch] pipeline/sources/*.[ch]; do
	if ! d=$(deps "$f" "${pipe_inc[@]}" 2>&1); then
		bad "$f needs something outside lib/, bpf/ and pipeline/: $d"
		continue
	fi
	if grep -qE "$forbidden_sys|tools/" <<<"$d"; then
		bad "$f reaches: $(grep -E "$forbidden_sys|tools/" <<<"$d" | tr '\n' ' ')"
	fi
done

# Views: not even the sources.
view_inc=(-Ilib -Ibpf -Ipipeline -Ipipeline/views)
for f in pipeline/views/*.[ch]; do
	if ! d=$(deps "$f" "${view_inc[@]}" 2>&1); then
		bad "$f includes something outside lib/, bpf/, pipeline/ and views/: $d"
		continue
	fi
	if grep -E "$forbidden_sys|pipeline/sources/|tools/" <<<"$d" >/dev/null; then
		bad "$f reaches: $(grep -E "$forbidden_sys|pipeline/sources/|tools/" <<<"$d" | tr '\n' ' ')"
	fi
done

# The binaries, dynamic and static.
for bin in build/bin/kvshadowstat build/static/bin/kvshadowstat build/san/bin/kvshadowstat; do
	if [ ! -f "$bin" ]; then
		bad "$bin not built"
		continue
	fi
	if readelf -d "$bin" | grep -E 'NEEDED.*(libbpf|ncurses|tinfo)'; then
		bad "$bin links libbpf or ncurses"
	fi
	if nm "$bin" 2>/dev/null | grep -E ' [TtWw] (bpf_object__open|bpf_prog_load|initscr|newterm)$'; then
		bad "$bin contains libbpf or ncurses code"
	fi
done

# The test of the test: the same check on kvshadowtop must find both.
if ! readelf -d build/bin/kvshadowtop | grep -qE 'NEEDED.*libbpf' ||
   ! readelf -d build/bin/kvshadowtop | grep -qE 'NEEDED.*ncurses'; then
	bad "the check does not see libbpf and ncurses in kvshadowtop: it proves nothing"
fi

[ "$fail" = 0 ] && echo "layout: pipeline/ and views/ keep to their side; kvshadowstat has no libbpf or ncurses"
exit "$fail"
