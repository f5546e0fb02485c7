#!/usr/bin/env bash
# Policy decision benchmarks (see docs/benchmarks.md, section "Policy decisions").
#   bench/policy-decide.sh            in-process Decide: latency p50/p99 and decisions/s
#   bench/policy-decide.sh grpc [mvn args]  Decide over gRPC on loopback through the real server
#                                     (starts PostgreSQL, Kafka and the OIDC stub like the tests do)
# Extra arguments after "inprocess" are passed to the harness: <samples> <threads>.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-inprocess}"; shift || true
case "$mode" in
  inprocess)
    ./mvnw -B -q -o -pl policy-service test-compile
    ./mvnw -B -q -o -pl policy-service dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$PWD/policy-service/target/bench.classpath" >/dev/null
    # The JDK the build used (JAVA_HOME), not whatever `java` is first on PATH (it may be older than 21).
    exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xms512m -Xmx512m -cp "policy-service/target/test-classes:policy-service/target/classes:$(cat policy-service/target/bench.classpath)" \
      dev.executor.policy.bench.DecideBenchmark "$@"
    ;;
  grpc)
    exec ./mvnw -B -o -pl policy-service test -Dtest=DecideGrpcBenchmark -Dbench=true -Dsurefire.failIfNoSpecifiedTests=false "$@"
    ;;
  *) echo "usage: $0 [inprocess [samples threads] | grpc]" >&2; exit 2 ;;
esac
