#!/usr/bin/env bash
# Run-ledger benchmark (docs/benchmarks.md, "Run ledger"): sustained run-event ingest into
# PostgreSQL through a real Kafka broker, then GET /api/runs latency p50/p99 on 1,000,000 Runs.
#   bench/run-ledger.sh [-Dbench.runs=50000] [-Dbench.rows=1000000] [-Dbench.iterations=200]
# Starts its own broker and PostgreSQL (test-support); prints the BENCH lines.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -pl run-ledger -am install -DskipTests >/dev/null
./mvnw -B -pl run-ledger test -Dtest=RunLedgerBench -Dsurefire.failIfNoSpecifiedTests=false "$@" \
  | grep -E '^BENCH' || { echo "benchmark failed; see run-ledger/target/surefire-reports" >&2; exit 1; }
