# SPDX-License-Identifier: GPL-2.0
# Shared by the tests in tests/prom/ (sourced, not run): a scratch directory,
# background processes killed on exit, free loopback ports, bounded waits,
# and the .prom files of every producer that exists.
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/bin
promgen=$top/build/tests/prom/promgen
work=$(mktemp -d "${TMPDIR:-/tmp}/kvshadow-promtest.XXXXXX")
pids=()
mounts=()

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	for p in "${mounts[@]}"; do
		umount "$p" 2>/dev/null
	done
	kptr_restrict_restore
	chmod -R u+w "$work" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

fail() { echo "FAIL: $*"; exit 1; }
# shellcheck source=tests/sysctl.sh
. "$top/tests/sysctl.sh"
skip() { echo "SKIP: $*"; exit 77; }
# shellcheck source=tests/common.sh
. "$top/tests/common.sh"

[ -x "$promgen" ] || fail "$promgen missing: run make test-bins"

# shellcheck source=tests/server.sh
. "$top/tests/server.sh"

# A debugfs file as the kvshadow kernel writes it (docs/interfaces.md §2).
debugfs_fixture() {
	cat >"$1" <<'EOT'
shadow_pages 63
shadow_pages_peak 70
pages_populated 140
pages_released 77
pages_allocated 148
populate_calls 37
populate_failures 0
release_calls 6
EOT
}

# need_producers: every producer must be there; kvshadowtop needs root for
# BPF, so without root the test cannot run (and says so).
need_producers() {
	[ -x "$bin/kvshadowstat" ] || fail "$bin/kvshadowstat not built (make all)"
	[ -x "$bin/kvshadowtop" ] || fail "$bin/kvshadowtop not built (make all)"
	[ "$(id -u)" = 0 ] || skip "kvshadowtop needs root for BPF: run as root"
}

# prom_files DIR: writes DIR/<producer>.prom from every producer: promgen
# (exact and estimate), kvshadowstat (from a fixture file) and kvshadowtop
# (estimate mode on this host).
prom_files() {
	local dir=$1
	need_producers
	mkdir -p "$dir"
	"$promgen" >"$dir/promgen.prom" || fail "promgen failed"
	"$promgen" -m estimate >"$dir/promgen-estimate.prom" || fail "promgen -m estimate failed"
	debugfs_fixture "$work/vmalloc_shadow"
	"$bin/kvshadowstat" --file "$work/vmalloc_shadow" \
		--prom-file "$dir/kvshadowstat.prom" >/dev/null ||
		fail "kvshadowstat --prom-file failed"
	with_kptr_restrict 1 timeout 60 "$bin/kvshadowtop" -b -n 2 -d 0.5 --mode estimate \
		--prom-file "$dir/kvshadowtop.prom" >/dev/null ||
		fail "kvshadowtop --prom-file failed"
	# kptr_restrict=0: the seed from sizes alone, with its bound.
	with_kptr_restrict 0 timeout 60 "$bin/kvshadowtop" -b -n 2 -d 0.5 --mode estimate \
		--prom-file "$dir/kvshadowtop-approx.prom" >/dev/null ||
		fail "kvshadowtop --prom-file at kptr_restrict=0 failed"
}

# with_kptr_restrict VALUE CMD...: run CMD with kernel.kptr_restrict=VALUE
# (see tests/sysctl.sh), then put back exactly what was there.
with_kptr_restrict() {
	local rc=0
	kptr_restrict_for_test "$1" || return 1
	shift
	"$@" || rc=$?
	kptr_restrict_restore
	return $rc
}


# writer_metrics FILE: every sample name kvshadow writes, one a line, from
# the writer itself (promgen fills every family of its mode; exact and
# estimate together have them all); histograms as _bucket/_sum/_count.
# Leaves the files in $work/writer*.prom.
writer_metrics() {
	"$promgen" >"$work/writer.prom" || fail "promgen"
	"$promgen" -m estimate >"$work/writer-estimate.prom" || fail "promgen -m estimate"
	awk '/^# TYPE / {
		if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" }
		else print $3 }' "$work/writer.prom" "$work/writer-estimate.prom" | sort -u >"$1"
}

# check_metric_names EXPRS ALLOWED: each line of EXPRS is a PromQL
# expression that must name at least one metric of ALLOWED (one a line)
# and no metric outside it. Prints FAIL lines; returns 1 on any.
check_metric_names() {
	local exprs=$1 allowed=$2 expr rest tok named rc=0
	# Identifiers PromQL itself owns.
	local keywords=" rate irate increase delta sum max min avg count topk bottomk histogram_quantile by without on ignoring group_left group_right and or unless bool offset label_values clamp_min clamp_max abs vector time "
	while IFS= read -r expr; do
		# Drop strings, label matchers, ranges, grouping lists and
		# variables; what is left is functions, numbers, operators and
		# metric names.
		rest=$(sed -E -e 's/"[^"]*"//g' -e 's/\{[^}]*\}//g' -e 's/\[[^]]*\]//g' \
			-e 's/\b(by|without|on|ignoring|group_left|group_right) *\([^)]*\)/\1/g' \
			-e 's/\$[A-Za-z_]+//g' \
			-e 's/label_values\(([A-Za-z_:][A-Za-z0-9_:]*).*\)/\1/' <<<"$expr")
		named=0
		for tok in $(grep -oE '[A-Za-z_:][A-Za-z0-9_:]*' <<<"$rest"); do
			[[ $keywords == *" $tok "* ]] && continue
			if grep -qx "$tok" "$allowed"; then
				named=1
			else
				echo "FAIL: '$tok' is not a metric kvshadow writes, in: $expr"
				rc=1
			fi
		done
		[ $named = 1 ] || { echo "FAIL: no kvshadow metric in: $expr"; rc=1; }
	done <"$exprs"
	return $rc
}
