#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fault injection in the patched test kernel: fail_page_alloc fails the
# page allocations made inside kasan_populate_vmalloc() (stack filter) by
# 30 workload-module allocation calls (the module marks only its own calls,
# fail=1), while kvshadowtop runs in exact mode. Those whose shadow is
# mapped already need no page and succeed. Checks (guest:
# tests/vm/guest/faultinject.sh):
# - every injected failure's stack on the console goes through
#   kasan_populate_vmalloc, and debugfs populate_failures moves by exactly
#   their number, which is the number of module calls that failed (>= 5);
#   kvshadowtop --json reports the same delta (totals == debugfs -
#   debugfs_baseline, for every counter);
# - the Prometheus file kvshadowtop wrote says
#   kvshadow_populate_failures_total 30, passes promtool, and the example
#   alert KvshadowPopulateFailures fires in `promtool test rules` fed with
#   the series of the files the run really wrote (and not before the
#   failures);
# - shadow_pages == pages_populated - pages_released, the page tables agree
#   with debugfs, allocations succeed again and their shadow is released
#   by a purge;
# - the console has no report other than the injected failures' messages.
set -uo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
need jq promtool
[ -x "$top/build/static/bin/kvshadowtop" ] || fail "build/static/bin/kvshadowtop not built (make static)"

out=$work/out
vm_run -- 'sh /kvshadow/tests/faultinject.sh' >"$out"
rc=$?
sed -n '1,/^@@rc /p' "$out"
[ "$rc" = 0 ] || { cat "$out"; fail "guest checks failed (exit $rc)"; }

# part NAME: the guest's output between "@@NAME" and the next "@@" line.
part() { awk -v n="@@$1" '$0 == n { on = 1; next } /^@@/ { on = 0 } on' "$out"; }
[ "$(sed -n 's/^@@rc //p' "$out")" = 0 ] || { part err; fail "kvshadowtop did not exit 0 after SIGTERM"; }
json=$(part json)
echo "$json" | jq -e . >/dev/null || fail "no JSON line from kvshadowtop"
final=$(part debugfs | awk '$1 == "populate_failures" { print $2 }')

echo "kvshadowtop: $(echo "$json" | jq -c '{mode, populate_calls, populate_failures, debugfs_failures: .debugfs.populate_failures, baseline_failures: .debugfs_baseline.populate_failures, drift_pages}')"
[ "$(echo "$json" | jq -r .mode)" = exact ] || fail "kvshadowtop is not in exact mode"
got=$(echo "$json" | jq .populate_failures)
[ "$got" -gt 0 ] 2>/dev/null || fail "kvshadowtop reports populate_failures $got"
for k in populate_calls pages_populated pages_allocated populate_failures release_calls pages_released; do
	g=$(echo "$json" | jq ".$k")
	want=$(echo "$json" | jq ".debugfs.$k - .debugfs_baseline.$k")
	[ "$g" = "$want" ] || fail "kvshadowtop $k $g, debugfs delta over its run $want"
done
[ "$(echo "$json" | jq .debugfs.populate_failures)" = "$final" ] ||
	fail "kvshadowtop's last debugfs read ($(echo "$json" | jq .debugfs.populate_failures)) is not the quiescent value $final"
# The independent count: injected failures whose stack is in populate.
stacks=$(tr -d '\r' <"$console" | awk '
	/FAULT_INJECTION: forcing a failure/ { if (on && inpop) n++; on = 1; inpop = 0; next }
	on && / (__)?kasan_populate_vmalloc\+/ { inpop = 1 }
	on && /<\/TASK>/ { if (inpop) n++; on = 0; inpop = 0 }
	END { if (on && inpop) n++; print n + 0 }')
all=$(tr -d '\r' <"$console" | grep -c 'FAULT_INJECTION: forcing a failure')
delta=$(sed -n 's/^@@failures //p' "$out")
echo "console: $all injected failures, $stacks of them in kasan_populate_vmalloc; debugfs populate_failures +$delta while faulting; kvshadowtop $got"
[ "$stacks" -gt 0 ] || fail "no injected failure hit kasan_populate_vmalloc"
[ "$all" = "$stacks" ] || fail "$all failures were injected, only $stacks of them in kasan_populate_vmalloc: the stack filter did not hold"
[ "$delta" = "$stacks" ] || fail "debugfs populate_failures moved by $delta, the console shows $stacks failed populates"
[ "$got" = "$stacks" ] || fail "kvshadowtop reports $got populate failures, the console shows $stacks"
[ "$(echo "$json" | jq .drift_pages)" = 0 ] || fail "drift_pages $(echo "$json" | jq .drift_pages)"

# The Prometheus files, in the order kvshadowtop wrote them.
mkdir -p "$work/prom"
awk -v d="$work/prom" '/^@@file / { f = d "/" ++n ".prom"; next } /^@@end$/ { f = "" } f != "" { print > f }' \
	<(sed -n '/^@@prom$/,/^@@end$/p' "$out")
files=()
for ((i = 1; ; i++)); do
	[ -e "$work/prom/$i.prom" ] || break
	files+=("$work/prom/$i.prom")
done
[ "${#files[@]}" -ge 4 ] || fail "only ${#files[@]} Prometheus files were kept"
last=${files[-1]}
lint=$(promtool check metrics <"$last" 2>&1) || fail "promtool check metrics: $lint"
series=()
for f in "${files[@]}"; do
	v=$(awk '$1 == "kvshadow_populate_failures_total" { print $2 }' "$f")
	[ -n "$v" ] || fail "$f has no kvshadow_populate_failures_total sample"
	series+=("$v")
done
echo "kvshadow_populate_failures_total over ${#series[@]} files: ${series[*]}"
[ "${series[-1]}" = "$got" ] || fail "the last file says kvshadow_populate_failures_total ${series[-1]}, kvshadowtop --json $got"
[ "${series[0]}" = 0 ] || fail "the first file already counts failures (${series[0]}): no quiet start to test the alert against"
first=0
while [ "${series[$first]}" = 0 ]; do first=$((first + 1)); done
# The alert looks back 10 minutes: it fires while the increase is in that
# window (and the series goes on long enough to be there).
fire=$((first + 5))
[ "$fire" -lt "${#series[@]}" ] || fire=$((${#series[@]} - 1))

# The example alert, fed with those values one minute apart: quiet while
# the counter is flat, firing once it increased.
rules=$top/contrib/prometheus/kvshadow-alerts.yml
cat >"$work/test.yml" <<EOT
rule_files: ['$rules']
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'kvshadow_populate_failures_total{instance="vm"}'
        values: '${series[*]}'
    alert_rule_test:
      - eval_time: $((first - 1))m
        alertname: KvshadowPopulateFailures
        exp_alerts: []
      - eval_time: ${fire}m
        alertname: KvshadowPopulateFailures
        exp_alerts:
          - exp_labels: { instance: vm, severity: warning }
            exp_annotations:
              summary: kasan_populate_vmalloc failed on vm
              description: vmalloc calls fail when their shadow cannot be populated (memory pressure).
EOT
res=$(promtool test rules "$work/test.yml" 2>&1) || { echo "$res"; cat "$work/test.yml"; fail "promtool test rules"; }
echo "promtool test rules: KvshadowPopulateFailures quiet at $((first - 1))m, firing at ${fire}m"

# What the injected faults print is expected; nothing else is (no kernel
# warning either: the stack filter keeps the faults out of vmalloc's own
# structures, whose failure warns in alloc_vmap_area()).
console_allow='FAULT_INJECTION: forcing a failure|vmalloc error: size' \
	console_clean || fail "unexpected report on the console"
works_where exact "injected page allocation failures: populate_failures"
echo PASS
