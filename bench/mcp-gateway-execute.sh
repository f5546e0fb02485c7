#!/usr/bin/env bash
# MCP execute through the gateway vs a direct gRPC Invoke of the same (fake) invoker: sequential
# p50/p99 and calls/s at 1, 4, 16 and 64 concurrent clients (see docs/benchmarks.md).
# Starts Keycloak like the tests do. Knobs: -Dbench.samples=5000 -Dbench.warmup=3000 -Dbench.seconds=10
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B -o -pl mcp-gateway test -Dtest=ExecuteBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false "$@"
