# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by tests/tui/header80.sh and tui-driver.sh after lib.sh: one
# interval of the TUI, frozen with 'p', against the line --log FILE wrote
# for it (the same process writes the log, then draws).
#
#   log=FILE; tui_start ... --log "$log"; wait_lines N; freeze
#   screen_text=$(screen); logical_screen=$(logical <<<"$screen_text")
#   j=$(sed -n "${frozen}p" "$log"); check_screen MODE_WORD DELAY
#
# Not executable on purpose: tests/run.sh runs only the executable scripts.
export LC_ALL=C

# The units of pipeline/views/format.c, written again here (awk's printf is C's).
fmt_bytes() {
	awk -v b="$1" 'BEGIN {
		split("KiB MiB GiB TiB PiB", u, " ")
		if (b < 1024) { printf "%d B", b; exit }
		v = b / 1024; i = 1
		while (v >= 1024 && i < 5) { v /= 1024; i++ }
		printf "%.1f %s", v, u[i] }'
}

fmt_ns() {
	awk -v n="$1" 'BEGIN {
		if (n >= 1e9) printf "%.2fs", n / 1e9
		else if (n >= 1e6) printf "%.1fms", n / 1e6
		else if (n >= 1e3) printf "%.1fus", n / 1e3
		else printf "%.0fns", n }'
}

fmt() { awk -v v="$2" "BEGIN { printf \"$1\", v }"; }

# The screen as logical lines: a line that starts with the label column's
# ten spaces continues the one before (joined with one space), except the
# n/a reasons, which start there.
logical() {
	awk '/^          [^ ]/ && !/^          n\/a:/ && NR > 1 { sub(/^ +/, ""); line = line " " $0; next }
	     { if (NR > 1) print line; line = $0 }
	     END { print line }'
}

# on_screen WHAT TEXT: TEXT is whole on one logical line of the screen.
on_screen() {
	if grep -qF -- "$2" <<<"$logical_screen"; then
		pass "80x24: $1: '$2'"
	else
		fail "80x24: $1: '$2' not on screen"
		shown=1
	fi
}

# on_screen_near WHAT FORMAT A [B]: FORMAT (awk's printf) of the numbers A
# and B is on screen. The JSON has them to 12 significant digits: where
# that rounding crosses a printed digit the screen may show either side,
# so A and B a hair (1e-11 relative) below and above are accepted too.
on_screen_near() {
	local what=$1 f=$2 a=$3 b=${4:-0} lo hi
	lo=$(awk -v f="$f" -v a="$a" -v b="$b" 'BEGIN { printf f, a * (1 - 1e-11), b * (1 - 1e-11) }')
	hi=$(awk -v f="$f" -v a="$a" -v b="$b" 'BEGIN { printf f, a * (1 + 1e-11), b * (1 + 1e-11) }')
	if grep -qF -- "$lo" <<<"$logical_screen"; then
		on_screen "$what" "$lo"
	else
		on_screen "$what" "$hi"
	fi
}

# The interval on screen: the log's last line when 'p' froze it. A line
# logged between the count and the freeze makes it ambiguous: try again.
# With prom=FILE (the run's --prom-file) a copy of it of the same interval
# goes to $prom.frozen: the run writes an interval's log line before its
# other surfaces (pipeline/run.c), so a copy taken while the log still
# has the frozen line last is that interval's.
freeze() {
	local n1 n2 n3 try
	for try in 1 2 3 4 5; do
		n1=$(wc -l <"$log")
		keys p
		wait_for PAUSED || { fail "80x24: p did not pause"; show; return 1; }
		n2=$(wc -l <"$log")
		[ -n "${prom:-}" ] && cp "$prom" "$prom.frozen"
		n3=$(wc -l <"$log")
		[ "$n1" = "$n2" ] && [ "$n2" = "$n3" ] && { frozen=$n1; return 0; }
		keys p
		wait_gone PAUSED || return 1
	done
	fail "80x24: an interval was logged at every pause"
	return 1
}

# wait_lines N: the log has N lines (bounded).
wait_lines() {
	local end=$((SECONDS + TUI_WAIT + $1))
	while [ $SECONDS -lt $end ]; do
		[ -f "$log" ] && [ "$(wc -l <"$log")" -ge "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# q FILTER: jq on the frozen interval's line.
q() { jq -r "$1" <<<"$j"; }

# check_prom FILE: FILE (a --prom-file of the frozen interval) has the
# numbers of the log line $j.
check_prom() {
	local f=$1 ps metric want got
	ps=$(getconf PAGESIZE)
	while read -r metric want; do
		[ "$want" = null ] && continue
		got=$(awk -v m="$metric" '$1 == m { print $2 }' "$f")
		# The ratio: the JSON has 12 significant digits, the file 17.
		if [ -n "$got" ] && awk -v a="$got" -v b="$want" \
			'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-11 * (b < 0 ? -b : b)) }'; then
			pass "prom: $metric $got"
		else
			fail "prom: $metric is '${got}', the log line says $want"
		fi
	done < <(jq -r --argjson ps "$ps" '
		["kvshadow_shadow_bytes", .shadow_bytes],
		["kvshadow_shadow_peak_bytes", .shadow_pages_peak * $ps],
		["kvshadow_shadow_populated_bytes_total", .pages_populated * $ps],
		["kvshadow_shadow_released_bytes_total", .pages_released * $ps],
		["kvshadow_populate_calls_total", .populate_calls],
		["kvshadow_release_calls_total", .release_calls],
		["kvshadow_vmalloc_used_bytes", .vmalloc_used_bytes],
		["kvshadow_vmap_bytes", .vmap_bytes],
		["kvshadow_shadow_overhead_ratio", .overhead_ratio],
		["kvshadow_shadow_bound_bytes{bound=\"low\"}", (.shadow_pages_bound.low // null | if . then . * $ps else null end)],
		["kvshadow_shadow_bound_bytes{bound=\"high\"}", (.shadow_pages_bound.high // null | if . then . * $ps else null end)]
		| "\(.[0]) \(.[1])"' <<<"$j")
}

# check_screen MODE_WORD DELAY: the frozen screen against log line $frozen
# ($j): every number of the header, each reason whole.
check_screen() {
	local mode=$1 delay=$2 head1 up el ratio iv h range
	rate() { awk -v d="$(q ".delta.$1")" -v i="$iv" 'BEGIN { printf "%.17g", (i > 0 ? d / i : 0) }'; }

	# Title: the mode, the delay asked for, the kernel (uname), the uptime (the log's clock).
	head1=$(head -n 1 <<<"$screen_text")
	case $head1 in
	"kvshadowtop  $mode   every ${delay}s  up "*"  kernel $(uname -r)"*) pass "80x24: title: $head1" ;;
	*) fail "80x24: title: '$head1'"; shown=1 ;;
	esac
	up=$(sed -n 's/.* up \([0-9]*\)m\([0-9]*\)s .*/\1 \2/p' <<<"$head1")
	el=$(jq -rs --argjson n "$frozen" '.[$n - 1].ts - .[0].ts' "$log")
	# The title's uptime is whole seconds of the model's clock; ts is the wall clock of the same reading.
	if [ -n "$up" ] && awk -v m="${up% *}" -v s="${up#* }" -v e="$el" \
		'BEGIN { exit !((m * 60 + s) - e <= 1 && e - (m * 60 + s) <= 1) }'; then
		pass "80x24: uptime ${up% *}m${up#* }s, the log says ${el}s"
	else
		fail "80x24: uptime '$up' against ${el}s since the first logged line"
		shown=1
	fi

	# The headline.
	on_screen "shadow now" "$(fmt_bytes "$(q .shadow_bytes)") now ($(q .shadow_pages) pages),"
	if [ "$(q .self_shadow_pages)" != null ]; then
		on_screen "the tool's own share" "$(q .self_shadow_pages) of them kvshadowtop's own BPF maps and programs,"
	fi
	on_screen "shadow peak" "peak $(fmt_bytes "$(($(q .shadow_pages_peak) * $(getconf PAGESIZE)))")"
	on_screen "VmallocUsed" "VmallocUsed $(fmt_bytes "$(q .vmalloc_used_bytes)")"
	ratio=$(q .overhead_ratio)
	on_screen_near "overhead ratio" "overhead %.3f (%.2fx of 1/8)" "$ratio" \
		"$(awk -v r="$ratio" 'BEGIN { printf "%.17g", r / 0.125 }')"
	on_screen_near "overhead against vmap areas" "%.3f of vmap areas" "$(q .overhead_ratio_vmap)"
	if [ "$(q .shadow_pages_bound)" != null ]; then
		on_screen "approximate bound" "APPROXIMATE between $(q .shadow_pages_bound.low) and $(q .shadow_pages_bound.high) pages"
	fi

	# Rates: the model's delta over the interval.
	iv=$(q .interval_s)
	on_screen_near "populate rates" "%.1f pages/s  %.1f calls/s" "$(rate pages_populated)" \
		"$(rate populate_calls)"
	on_screen_near "release rates" "release %.1f pages/s  %.1f calls/s" "$(rate pages_released)" \
		"$(rate release_calls)"
	on_screen_near "net rate" "net %+.1f pages/s" "$(rate shadow_pages)"

	# Latencies, and why each missing one is missing, whole.
	for h in populate release vmalloc; do
		if [ "$(q ".latency.$h.available")" = true ]; then
			if [ "$(q ".latency.$h.count")" = 0 ]; then
				on_screen "$h latency" "$h no samples yet"
			else
				on_screen "$h latency" "$h $(fmt_ns "$(q ".latency.$h.p50_ns")") / $(fmt_ns "$(q ".latency.$h.p99_ns")")"
			fi
		else
			on_screen "$h latency" "$h n/a"
			on_screen "why $h is n/a" "$(q ".latency.$h.why");"
		fi
	done

	# The history: every interval logged so far, lowest..highest (80 columns hold ~50).
	range=$(jq -rs --argjson n "$frozen" '.[:$n] | map(.shadow_pages) | "\(min)..\(max) pages"' "$log")
	on_screen "history range" "$range"

	# The cross-check: the drift, or why there is none (its reason is
	# compared whole with a wide screen's below).
	if [ "$(q .drift_pages)" != null ]; then
		on_screen "drift" "debugfs   drift $(q .drift_pages) pages vs the BPF view"
	else
		on_screen "debugfs reason starts" "debugfs   n/a: "
		debugfs80=$(grep '^debugfs   n/a: ' <<<"$logical_screen")
	fi
	if [ "$(q '.populate_failures // 0')" != 0 ]; then
		on_screen "populate failures" "$(q .populate_failures) FAILED"
	fi
	if [ "$(q .nodes)" != null ]; then
		while read -r node pages; do
			on_screen "node$node" "node$node $(fmt_bytes $((pages * $(getconf PAGESIZE)))) ($pages pages)"
		done < <(q '.nodes[] | "\(.node) \(.shadow_pages)"')
	fi
}
