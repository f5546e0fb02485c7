#!/usr/bin/env bash
# Invoker full-chain benchmarks (docs/benchmarks.md, section "Invoker"), against a running platform.
#   ./executor up                      first (default ports, or the EXECUTOR_*_PORT you used)
#   bench/invoke-chain.sh sync [samples] [threads] [invokerPorts]   direct GET vs Invoke, sequential + concurrent
#   bench/invoke-chain.sh async [requests]                           Kafka requests until their terminal run events
#   bench/invoke-chain.sh mcp [samples] [sessions,...]               MCP execute through the gateway vs direct GET (1,4,16,64)
#   bench/invoke-chain.sh second-invoker                             ./executor scale invoker-service 2 (same DB, broker, group)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="${JAVA_HOME:-$(./executor java-home)}"; export JAVA_HOME
mode="${1:-sync}"; shift || true
case "$mode" in
  second-invoker)
    # a second replica on the same database, broker and consumer group, as a second pod would be
    ./executor scale invoker-service 2
    echo "use it with: bench/invoke-chain.sh sync 2000 16 ${EXECUTOR_INVOKER_PORT:-8084},$(cat "${EXECUTOR_HOME:-$PWD/.executor}/run/invoker-service.2.port")"
    ;;
  sync|async|mcp)
    ./mvnw -B -q -o -pl invoker-service test-compile
    ./mvnw -B -q -o -pl invoker-service dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$PWD/invoker-service/target/bench.classpath" >/dev/null
    "$JAVA_HOME/bin/java" -Xmx512m -cp "invoker-service/target/test-classes:invoker-service/target/classes:$(cat invoker-service/target/bench.classpath)" \
      dev.executor.invoker.bench.ChainBenchmark "$mode" "$@"
    # peak resident memory of each service over its life so far (VmHWM), i.e. including this load
    for f in "${EXECUTOR_HOME:-$PWD/.executor}"/run/*.pid; do
      name=$(basename "$f" .pid); pid=$(cat "$f")
      case "$name" in postgres|kafka|keycloak|demo-api) continue ;; esac
      awk -v n="$name" '/^VmHWM/ { printf "peak_rss_mb %-18s %6.0f\n", n, $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || true
    done
    ;;
  *) echo "usage: $0 sync [samples threads ports] | async [requests] | second-invoker [port]" >&2; exit 2 ;;
esac
