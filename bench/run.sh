#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Measures the real eddns binary against DESIGN.md's targets and prints a
# table: kernel address event -> signed request at a loopback fake provider
# (p50/p99/max, per provider), resident memory after the updates, context
# switches while idle, and a minimal in-process client as the floor; the
# same with state_dir on tmpfs and on a loop-mounted ext4 image with 50
# records configured (BenchmarkStateDisk), and provider calls per full
# check for 1, 10 and 50 records in one zone (BenchmarkResyncCalls); and the
# idle RSS of e2e/testdata/rssfloor, the least a Go DDNS client linking
# crypto/tls, encoding/json and log/slog can be, after the same updates
# (BenchmarkRSSFloor): the floor the RSS target is measured against.
# Needs root (it creates network namespaces). Nothing here asserts on time.
#
#   sudo bench/run.sh                  # 200 changes, 60 s idle window
#   EDDNS_BENCH_IDLE=20s bench/run.sh  # shorter idle window (CI)
#   EDDNS_BENCH_CHANGES=500 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

export EDDNS_BENCH_CHANGES="${EDDNS_BENCH_CHANGES:-200}"
export EDDNS_BENCH_IDLE="${EDDNS_BENCH_IDLE:-60s}"

out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -count=1 -run=NONE -bench=. -benchtime=1x ./e2e/ >"$out" 2>&1 || {
	cat "$out" >&2
	exit 1
}

echo "eddns benchmark: $EDDNS_BENCH_CHANGES address changes per provider, idle window $EDDNS_BENCH_IDLE"
echo "machine: $(uname -srm), $(nproc) CPUs, $(go version | cut -d' ' -f3)"
echo
echo "targets (DESIGN.md): p50 <= 1 ms, p99 <= 3 ms, state_dir on ext4 and on tmpfs;"
echo "                     RSS idle after 200 updates with 50 records <= 8 MB (amd64);"
echo "                     1 List per zone (paged) per full check;"
echo "                     no timer faster than the resync interval when idle"
echo
# The benchmarks' own lines (file:line: figure) form the table.
sed -n 's/^ *bench[a-z_]*_test\.go:[0-9]*: //p' "$out"
echo
grep -E '^(Benchmark|ok|PASS|FAIL)' "$out"
