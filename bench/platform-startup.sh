#!/usr/bin/env bash
# Measures the local platform's start-up and idle footprint (docs/benchmarks.md, "Foundation").
#   bench/platform-startup.sh [--cold]
# --cold first removes every module's target/ so `up` includes the full build.
# Prints: seconds from `./executor up` to all-healthy, then each component's RSS after 30 s idle.
set -euo pipefail
cd "$(dirname "$0")/.."

./executor down >/dev/null 2>&1 || true
if [ "${1:-}" = "--cold" ]; then
  ./mvnw -q -B clean >/dev/null
fi

start=$(date +%s.%N)
./executor up >/dev/null
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "up_to_all_healthy_seconds %.1f\n", b - a }'

sleep 30 # idle: let start-up garbage settle before reading RSS
for pidfile in .executor/run/*.pid; do
  name=$(basename "$pidfile" .pid)
  pid=$(cat "$pidfile")
  # RSS of the whole session (Keycloak and PostgreSQL run children under their launcher JVM)
  rss_kb=$(ps -o rss= --sid "$pid" 2>/dev/null | awk '{s+=$1} END {print s+0}')
  awk -v n="$name" -v k="$rss_kb" 'BEGIN { printf "idle_rss_mb %-16s %6.0f\n", n, k / 1024 }'
done
./executor down >/dev/null
