#!/usr/bin/env bash
# Invoker full-chain benchmarks (docs/benchmarks.md, section "Invoker"), against a running platform.
#   ./executor up                      first (default ports, or the EXECUTOR_*_PORT you used)
#   bench/invoke-chain.sh sync [samples] [threads] [invokerPorts]   direct GET vs Invoke, sequential + concurrent
#   bench/invoke-chain.sh async [requests]                           Kafka requests until their terminal run events
#   bench/invoke-chain.sh second-invoker [port]                      start a 2nd invoker (same DB, broker, group)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME="${JAVA_HOME:-$(./executor java-home)}"; export JAVA_HOME
mode="${1:-sync}"; shift || true
case "$mode" in
  second-invoker)
    port="${1:-8086}"
    home="${EXECUTOR_HOME:-$PWD/.executor}"
    nohup "$JAVA_HOME/bin/java" -Xmx256m -XX:+UseSerialGC -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" \
      -Dinvoker.instance-id=invoker-2 -Dkafka.bootstrap.servers=127.0.0.1:"${EXECUTOR_KAFKA_PORT:-9092}" \
      -Dquarkus.oidc.auth-server-url=http://127.0.0.1:"${EXECUTOR_KEYCLOAK_PORT:-8180}"/realms/executor \
      -Dquarkus.datasource.reactive.url=vertx-reactive:postgresql://127.0.0.1:"${EXECUTOR_PG_PORT:-5432}"/invoker \
      -Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:"${EXECUTOR_PG_PORT:-5432}"/invoker \
      -jar invoker-service/target/quarkus-app/quarkus-run.jar >"$home/logs/invoker-2.log" 2>&1 &
    echo "$!" >"$home/run/invoker-2.pid"
    until curl -fsS "http://127.0.0.1:$port/q/health/ready" >/dev/null 2>&1; do sleep 1; done
    echo "second invoker ready on :$port (PID $(cat "$home/run/invoker-2.pid")); stop it with: kill \$(cat $home/run/invoker-2.pid)"
    ;;
  sync|async)
    ./mvnw -B -q -o -pl invoker-service test-compile
    ./mvnw -B -q -o -pl invoker-service dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$PWD/invoker-service/target/bench.classpath" >/dev/null
    exec "$JAVA_HOME/bin/java" -Xmx512m -cp "invoker-service/target/test-classes:invoker-service/target/classes:$(cat invoker-service/target/bench.classpath)" \
      dev.executor.invoker.bench.ChainBenchmark "$mode" "$@"
    ;;
  *) echo "usage: $0 sync [samples threads ports] | async [requests] | second-invoker [port]" >&2; exit 2 ;;
esac
