#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# contrib/grafana/kvshadow.json is valid JSON, and every PromQL expression in
# it names only metrics kvshadow writes. The list of those comes from the
# writer itself (promgen renders every family of lib/kvshadow_prom.c), not
# from a copy kept here. Every expression is also parsed by a real
# Prometheus (make deps installs it).
set -uo pipefail
# Scratch dir, promgen, start_server, fail/skip, cleanup on exit.
# shellcheck source=tests/prom/lib.sh
. "$(dirname "$0")/../prom/lib.sh"
dash=${KVSHADOW_DASHBOARD:-$top/contrib/grafana/kvshadow.json}

need jq prometheus curl

jq -e '.panels | length > 0' "$dash" >/dev/null || fail "$dash is not valid JSON with panels"
[ "$(jq -r '[.panels[].id] | length == (unique | length)' "$dash")" = true ] ||
	fail "panel ids are not unique"

writer_metrics "$work/metrics"
echo "the writer produces $(wc -l <"$work/metrics") metric names"

# Every expression: panel targets and template variable queries.
jq -r '.. | .expr? // empty' "$dash" >"$work/exprs"
jq -r '.templating.list[] | .definition // empty' "$dash" >>"$work/exprs"
[ -s "$work/exprs" ] || fail "no expressions found in $dash"

rc=0
check_metric_names "$work/exprs" "$work/metrics" || rc=1
n=$(wc -l <"$work/exprs")
echo "checked $n expressions"

# Every family the writer has appears on the dashboard somewhere.
for m in $(awk '/^# TYPE / { print $3 }' "$work/writer.prom"); do
	grep -q "$m" "$work/exprs" || echo "note: $m is not on the dashboard"
done

# Every expression parsed by a real Prometheus.
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
[ $rc = 0 ] && echo PASS
exit $rc
