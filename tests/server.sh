# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Servers the tests start on loopback (Prometheus, node_exporter): a free
# port, readiness, and each PID added to the caller's $pids array, which
# its exit trap stops. The caller defines fail() and pids.

# A loopback TCP port nobody listens on now. Servers can still race for it:
# start_server retries with another port when one loses.
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_url URL SECONDS: until URL answers 2xx, or fail after SECONDS.
wait_url() {
	local url=$1 deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# start_server NAME LOG CMD... (CMD contains @PORT@): starts it in the
# background on a free port, waits for /metrics-style readiness at
# READY_PATH, sets $port. Tries three ports.
start_server() {
	local name=$1 log=$2 try pid args
	shift 2
	for try in 1 2 3; do
		port=$(free_port) || fail "no free port for $name"
		args=("${@//@PORT@/$port}")
		"${args[@]}" >"$log" 2>&1 &
		pid=$!
		pids+=("$pid")
		if wait_url "http://127.0.0.1:$port${READY_PATH:-/}" 30; then
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		echo "$name did not come up on port $port (try $try):"
		tail -n 5 "$log"
	done
	fail "$name would not start (log above)"
}

