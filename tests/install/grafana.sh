#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# contrib/grafana/kvshadow.json is valid JSON, and every PromQL expression in
# it names only metrics kvshadow writes. The list of those comes from the
# writer itself (promgen renders every family of lib/kvshadow_prom.c), not
# from a copy kept here. When Prometheus is installed, every expression is
# also parsed by a real one.
set -uo pipefail
# Scratch dir, promgen, start_server, fail/skip, cleanup on exit.
. "$(dirname "$0")/../prom/lib.sh"
dash=${KVSHADOW_DASHBOARD:-$top/contrib/grafana/kvshadow.json}

command -v jq >/dev/null || skip "jq missing (apt-get install jq)"

jq -e '.panels | length > 0' "$dash" >/dev/null || fail "$dash is not valid JSON with panels"
[ "$(jq -r '[.panels[].id] | length == (unique | length)' "$dash")" = true ] ||
	fail "panel ids are not unique"

# What the writer produces: sample names, histograms as _bucket/_sum/_count.
"$promgen" >"$work/all.prom" || fail "promgen"
awk '/^# TYPE / {
	if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" }
	else print $3 }' "$work/all.prom" | sort -u >"$work/metrics"
echo "the writer produces $(wc -l <"$work/metrics") metric names"

# Every expression: panel targets and template variable queries.
jq -r '.. | .expr? // empty' "$dash" >"$work/exprs"
jq -r '.templating.list[] | .definition // empty' "$dash" >>"$work/exprs"
[ -s "$work/exprs" ] || fail "no expressions found in $dash"

# Identifiers PromQL itself owns, and Grafana's variables.
keywords=" rate irate increase delta sum max min avg count topk bottomk histogram_quantile by without on ignoring group_left group_right and or unless bool offset label_values clamp_min clamp_max abs vector time "
rc=0
n=0
while IFS= read -r expr; do
	n=$((n + 1))
	# Drop strings, label matchers, ranges, grouping lists and variables;
	# what is left is functions, numbers, operators and metric names.
	rest=$(sed -E -e 's/"[^"]*"//g' -e 's/\{[^}]*\}//g' -e 's/\[[^]]*\]//g' \
		-e 's/\b(by|without|on|ignoring|group_left|group_right) *\([^)]*\)/\1/g' \
		-e 's/\$[A-Za-z_]+//g' -e 's/label_values\(([A-Za-z_:][A-Za-z0-9_:]*).*\)/\1/' <<<"$expr")
	named=0
	for tok in $(grep -oE '[A-Za-z_:][A-Za-z0-9_:]*' <<<"$rest"); do
		[[ $keywords == *" $tok "* ]] && continue
		if grep -qx "$tok" "$work/metrics"; then
			named=1
		else
			echo "FAIL: '$tok' is not a metric kvshadow writes, in: $expr"
			rc=1
		fi
	done
	[ $named = 1 ] || { echo "FAIL: no kvshadow metric in: $expr"; rc=1; }
done <"$work/exprs"
echo "checked $n expressions"

# Every family the writer has appears on the dashboard somewhere.
for m in $(awk '/^# TYPE / { print $3 }' "$work/all.prom"); do
	grep -q "$m" "$work/exprs" || echo "note: $m is not on the dashboard"
done

if command -v prometheus >/dev/null && command -v curl >/dev/null; then
	cat >"$work/p.yml" <<'EOT'
global:
  scrape_interval: 15s
EOT
	READY_PATH=/-/ready start_server prometheus "$work/prometheus.log" \
		prometheus --config.file="$work/p.yml" --storage.tsdb.path="$work/tsdb" \
		--web.listen-address=127.0.0.1:@PORT@
	while IFS= read -r expr; do
		case $expr in label_values*) continue ;; esac
		q=$(sed -e 's/\$__rate_interval/1m/g' -e 's/\$instance/.*/g' <<<"$expr")
		out=$(curl -sS --max-time 5 -G "http://127.0.0.1:$port/api/v1/query" \
			--data-urlencode "query=$q")
		[ "$(jq -r .status <<<"$out")" = success ] ||
			{ echo "FAIL: Prometheus rejects: $q: $(jq -r .error <<<"$out")"; rc=1; }
	done <"$work/exprs"
	echo "Prometheus parsed every expression"
else
	echo "note: prometheus not installed: expressions not parsed"
fi
[ $rc = 0 ] && echo PASS
exit $rc
