#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end: a .prom file in a textfile directory, a real node_exporter
# serving it (node_textfile_scrape_error 0), a real Prometheus scraping that
# every second, and PromQL answering kvshadow_shadow_bytes and every other
# family with the file's series and values (the file's values against the
# kernel are the VM tests' part: prom_exact, stock). Everything runs on
# free loopback ports and is killed on exit.
set -uo pipefail
# shellcheck source=tests/prom/lib.sh
. "$(dirname "$0")/lib.sh"

need prometheus-node-exporter prometheus curl jq

# One producer's file: two would both claim kvshadow_info for this node.
# The most real producer there is: kvshadowtop, kvshadowstat, then promgen.
textdir=$work/textfile
prom_files "$work/out"
mkdir -p "$textdir"
for producer in kvshadowtop kvshadowstat promgen; do
	[ -f "$work/out/$producer.prom" ] && break
done
cp "$work/out/$producer.prom" "$textdir/kvshadow.prom" || fail "copying $producer.prom"
echo "serving the file $producer wrote"

READY_PATH=/metrics start_server node_exporter "$work/node_exporter.log" \
	prometheus-node-exporter --web.listen-address=127.0.0.1:@PORT@ \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$textdir"
ne_port=$port
curl -fsS --max-time 5 "http://127.0.0.1:$ne_port/metrics" >"$work/scrape.txt" ||
	fail "scraping node_exporter"

grep -q '^node_textfile_scrape_error 0$' "$work/scrape.txt" ||
	fail "node_textfile_scrape_error is not 0: $(grep -i 'textfile\|error' "$work/scrape.txt" | head; tail -n 5 "$work/node_exporter.log")"
# Every family the file has, node_exporter serves.
for fam in $(awk '/^# TYPE kvshadow_/ { print $3 }' "$textdir/kvshadow.prom"); do
	grep -q "^# TYPE $fam " "$work/scrape.txt" || fail "node_exporter does not serve $fam"
done
echo "ok: node_exporter on :$ne_port serves the kvshadow families, scrape_error 0"

cat >"$work/prometheus.yml" <<EOT
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$ne_port']
EOT
promtool check config "$work/prometheus.yml" >/dev/null || fail "promtool check config"
READY_PATH=/-/ready start_server prometheus "$work/prometheus.log" \
	prometheus --config.file="$work/prometheus.yml" \
	--storage.tsdb.path="$work/tsdb" --web.listen-address=127.0.0.1:@PORT@
pr_port=$port

# query EXPR: the JSON result array of an instant query.
query() {
	curl -fsS --max-time 5 -G "http://127.0.0.1:$pr_port/api/v1/query" \
		--data-urlencode "query=$1" | jq -c '.data.result'
}

deadline=$((SECONDS + 30))
result='[]'
while [ $SECONDS -lt $deadline ]; do
	result=$(query kvshadow_shadow_bytes) || result='[]'
	[ "$result" != '[]' ] && break
	sleep 0.5
done
[ "$result" != '[]' ] || fail "PromQL kvshadow_shadow_bytes returned nothing in 30 s: $(tail -n 5 "$work/prometheus.log")"
echo "ok: PromQL kvshadow_shadow_bytes -> $result"
[ "$(query 'up{job="node"}' | jq -r '.[0].value[1]')" = 1 ] || fail "node target not up"

# Every family's values as Prometheus stored them against the file's: as
# many series, and the same sum of values. (Sums, not series by series, so
# that the test need not parse label sets; 1e-9 relative: awk and
# Prometheus add the same float64 values in different orders.)
awk '!/^#/ && NF { name = $1; sub(/\{.*/, "", name); n[name]++; s[name] += $NF }
	END { for (k in n) printf "%s %d %.17g\n", k, n[k], s[k] }' "$textdir/kvshadow.prom" |
	sort >"$work/file.sums"
sel='{__name__=~"kvshadow_.*",job="node"}'
paste -d ' ' <(query "count by (__name__) ($sel)" | jq -r '.[] | "\(.metric.__name__) \(.value[1])"' | sort) \
	<(query "sum by (__name__) ($sel)" | jq -r '.[] | "\(.metric.__name__) \(.value[1])"' | sort) |
	awk '$1 == $3 { print $1, $2, $4 }' >"$work/prom.sums"
echo "per family: series and sum of values, the file's then Prometheus's"
join "$work/file.sums" "$work/prom.sums"
[ "$(wc -l <"$work/file.sums")" -gt 0 ] || fail "the file has no samples"
[ "$(cut -d' ' -f1 "$work/file.sums")" = "$(cut -d' ' -f1 "$work/prom.sums")" ] ||
	fail "the families differ: $(diff <(cut -d' ' -f1 "$work/file.sums") <(cut -d' ' -f1 "$work/prom.sums") | tr '\n' ' ')"
join "$work/file.sums" "$work/prom.sums" | awk '{
		d = $3 - $5; if (d < 0) d = -d; m = $3 < 0 ? -$3 : $3
		if ($2 != $4 || d > 1e-9 * m) { print "  " $1 ": file " $2 " series, sum " $3 "; Prometheus " $4 ", " $5; bad = 1 } }
	END { exit bad }' || fail "Prometheus does not hold the file's values"
echo "ok: Prometheus holds every family of the file, series and values"

# The dashboard's kinds of queries work on these series too (the first two
# only where the producer has histograms and callers).
queries=('kvshadow_shadow_bytes * on (instance) group_left (mode) kvshadow_info')
grep -q '^kvshadow_populate_duration_seconds_bucket' "$textdir/kvshadow.prom" &&
	queries+=('histogram_quantile(0.99, sum by (le) (kvshadow_populate_duration_seconds_bucket))')
grep -q '^kvshadow_populated_bytes_by_caller_total' "$textdir/kvshadow.prom" &&
	queries+=('topk(3, kvshadow_populated_bytes_by_caller_total)')
for q in "${queries[@]}"; do
	r=$(query "$q") || fail "query $q"
	[ "$r" != '[]' ] || fail "query $q returned nothing"
	echo "ok: $q"
done
echo PASS
