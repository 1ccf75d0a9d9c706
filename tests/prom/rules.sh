#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# contrib/prometheus/kvshadow-alerts.yml: promtool accepts it, its
# expressions name only metrics kvshadow writes (plus node_exporter's
# textfile mtime), and `promtool test rules` sees each alert fire on
# synthetic series and stay quiet on healthy ones.
set -uo pipefail
# shellcheck source=tests/prom/lib.sh
. "$(dirname "$0")/lib.sh"

need promtool
rules=$top/contrib/prometheus/kvshadow-alerts.yml

out=$(promtool check rules "$rules" 2>&1) || fail "promtool check rules: $out"
echo "ok: promtool check rules"

writer_metrics "$work/metrics"
echo node_textfile_mtime_seconds >>"$work/metrics"
# One expression a line: the rules file has only single-line expr values.
sed -n 's/^ *expr: *//p' "$rules" >"$work/exprs"
[ "$(wc -l <"$work/exprs")" = "$(grep -c -- '- alert:' "$rules")" ] ||
	fail "an expr spans lines: this test reads one a line"
check_metric_names "$work/exprs" "$work/metrics" || fail "rules name unknown metrics"
echo "ok: every expression names kvshadow metrics only"

# Instance a is in trouble, instance b is healthy.
cat >"$work/test.yml" <<EOT
rule_files: ['$rules']
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'kvshadow_shadow_bytes{instance="a"}'
        values: '300000000x40'
      - series: 'kvshadow_shadow_bytes{instance="b"}'
        values: '1000000x40'
      - series: 'kvshadow_shadow_overhead_ratio{instance="a"}'
        values: '0.5x40'
      - series: 'kvshadow_shadow_overhead_ratio{instance="b"}'
        values: '0.13x40'
      - series: 'kvshadow_populate_failures_total{instance="a"}'
        values: '0 0 0 0 1 1 1 1 1 1'
      - series: 'kvshadow_populate_failures_total{instance="b"}'
        values: '0x40'
      - series: 'kvshadow_debugfs_drift_bytes{instance="a"}'
        values: '2000000x40'
      - series: 'kvshadow_debugfs_drift_bytes{instance="b"}'
        values: '0x40'
      - series: 'kvshadow_events_lost_total{instance="a"}'
        values: '0 0 0 0 5 5 5 5 5 5'
      - series: 'kvshadow_events_lost_total{instance="b"}'
        values: '0x40'
      - series: 'kvshadow_purge_stalls_total{instance="a"}'
        values: '0 0 0 0 1 1 1 1 1 1'
      - series: 'kvshadow_purge_stalls_total{instance="b"}'
        values: '0x40'
      - series: 'node_textfile_mtime_seconds{instance="a",file="kvshadow.prom"}'
        values: '0x40'
      - series: 'node_textfile_mtime_seconds{instance="b",file="/var/lib/prometheus/node-exporter/kvshadow.prom"}'
        values: '0+60x40'
    alert_rule_test:
EOT
# Each alert fires for instance a only; annotations as rendered.
cat >>"$work/test.yml" <<'EOT'
      - eval_time: 20m
        alertname: KvshadowShadowBytesHigh
        exp_alerts:
          - exp_labels: { instance: a, severity: warning }
            exp_annotations:
              summary: KASAN vmalloc shadow above 256 MiB on a
              description: 286.1MiB of shadow memory backs vmalloc space.
      - eval_time: 10m
        alertname: KvshadowShadowBytesHigh
        exp_alerts: []
      - eval_time: 35m
        alertname: KvshadowShadowOverheadHigh
        exp_alerts:
          - exp_labels: { instance: a, severity: info }
            exp_annotations:
              summary: Shadow is 50% of VmallocUsed on a
      - eval_time: 6m
        alertname: KvshadowPopulateFailures
        exp_alerts:
          - exp_labels: { instance: a, severity: warning }
            exp_annotations:
              summary: kasan_populate_vmalloc failed on a
              description: vmalloc calls fail when their shadow cannot be populated (memory pressure).
      - eval_time: 3m
        alertname: KvshadowPopulateFailures
        exp_alerts: []
      - eval_time: 15m
        alertname: KvshadowDebugfsDrift
        exp_alerts:
          - exp_labels: { instance: a, severity: info }
            exp_annotations:
              summary: kvshadowtop's tracepoint count and the kernel counter disagree on a
      - eval_time: 6m
        alertname: KvshadowEstimateEventsLost
        exp_alerts:
          - exp_labels: { instance: a, severity: info }
            exp_annotations:
              summary: "kvshadowtop lost trace events on a: the estimate is low"
      - eval_time: 6m
        alertname: KvshadowPurgeStall
        exp_alerts:
          - exp_labels: { instance: a, severity: warning }
            exp_annotations:
              summary: A lazy vmap purge stalled on a
              description: "Purges of freed vmap areas (shadow release and TLB flushes) ran past the stall threshold; kvshadowtop --slow logs which."
      - eval_time: 3m
        alertname: KvshadowPurgeStall
        exp_alerts: []
      - eval_time: 10m
        alertname: KvshadowExporterStale
        exp_alerts:
          - exp_labels: { instance: a, severity: warning, file: kvshadow.prom }
            exp_annotations:
              summary: kvshadow.prom on a has not been rewritten for 10m 0s
EOT

out=$(promtool test rules "$work/test.yml" 2>&1)
st=$?
if [ $st -ne 0 ]; then
	echo "$out"
	fail "promtool test rules"
fi
echo "ok: promtool test rules"
echo PASS
