#!/usr/bin/env bash
# The same MCP scenario against this platform (./executor up, mcp-gateway) and Executor 1.5.9 (npm
# `executor@1.5.9`), measured in one run on one machine, one product at a time; prints a markdown
# table. See bench/versus/README.md for the method.
#   bench/versus/run.sh
# Knobs (env): SEARCH_ROUNDS (4), DESCRIBE_N (100), EXECUTE_N (200), WARMUP (20);
#   VERSUS_ONLY=platform|competitor runs one side.
# Everything it starts binds 127.0.0.1 on free ports, keeps its state under bench/versus/target/,
# and is stopped by PID when it ends (also on failure or Ctrl-C).
set -euo pipefail
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/../.." && pwd)"
TARGET="$BENCH/target"
RESULTS="$TARGET/results-$(date -u +%Y%m%dT%H%M%SZ)"
SPEC_GZ="${GITHUB_SPEC_GZ:-$ROOT/../shared/fixtures/openapi/github/api.github.com.json.gz}"
QUERIES="${QUERIES_TSV:-$ROOT/../shared/fixtures/search/github-queries.tsv}"
COMPETITOR_VERSION=1.5.9
export SEARCH_ROUNDS="${SEARCH_ROUNDS:-4}" DESCRIBE_N="${DESCRIBE_N:-100}" EXECUTE_N="${EXECUTE_N:-200}" WARMUP="${WARMUP:-20}"
ONLY="${VERSUS_ONLY:-}"

log() { printf '[versus %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
now_ms() { date +%s%3N; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];if(v==null)process.exit(1);console.log(v)})' "$1"; }

# --- what this script started, stopped by PID on exit ----------------------------------------------
UPSTREAM_PID="" COMPETITOR_PID="" PLATFORM_HOME=""
stop_pid() { # $1 pid (own process group: setsid), $2 name
  local pid="$1" i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "$2 (PID $pid) ignored SIGTERM; SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
stop_platform() {
  [ -n "$PLATFORM_HOME" ] || return 0
  # `./executor down` stops exactly the PIDs `up` recorded under this EXECUTOR_HOME.
  EXECUTOR_HOME="$PLATFORM_HOME" "$ROOT/executor" down >&2 || log "./executor down failed; see $PLATFORM_HOME/run"
  PLATFORM_HOME=""
}
cleanup() {
  stop_pid "$COMPETITOR_PID" "Executor $COMPETITOR_VERSION daemon"; COMPETITOR_PID=""
  stop_platform
  stop_pid "$UPSTREAM_PID" "loopback upstream"; UPSTREAM_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- clients and the competitor, installed into this directory -------------------------------------
mkdir -p "$TARGET" "$RESULTS"
command -v node >/dev/null || die "node (>= 20) is required"
if [ ! -d "$BENCH/node_modules/@modelcontextprotocol/sdk" ] || [ "$BENCH/package-lock.json" -nt "$BENCH/node_modules" ]; then
  log "npm ci (MCP SDK client)"
  (cd "$BENCH" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
COMPETITOR_BIN="$TARGET/competitor/node_modules/.bin/executor"
if [ "$ONLY" != platform ] && { [ ! -x "$COMPETITOR_BIN" ] || ! grep -q "\"version\": \"$COMPETITOR_VERSION\"" "$TARGET/competitor/node_modules/executor/package.json"; }; then
  log "npm install executor@$COMPETITOR_VERSION into $TARGET/competitor"
  npm install --prefix "$TARGET/competitor" "executor@$COMPETITOR_VERSION" --no-audit --no-fund --loglevel=error >&2
fi

machine() { # $1 = file; what the table's header line says
  node -e '
    const os = require("os"), fs = require("fs");
    const sdk = JSON.parse(fs.readFileSync(process.argv[2] + "/node_modules/@modelcontextprotocol/sdk/package.json")).version;
    fs.writeFileSync(process.argv[1], JSON.stringify({
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC", host: os.hostname(),
      cpus: os.cpus().length + "× " + os.cpus()[0].model.trim(), memory: Math.round(os.totalmem() / 2 ** 30) + " GiB",
      node: process.version, java: process.argv[3], sdk, load: process.argv[4] }));' \
    "$1" "$BENCH" "$("$JAVA_HOME/bin/java" -version 2>&1 | head -n1 | tr -d '"')" "$LOADS"
}
LOADS="start: $(uptime | sed 's/.*load average: //')"

# --- the loopback upstream: serves the GitHub description and answers the execute call -----------
setsid node "$BENCH/upstream.mjs" "$SPEC_GZ" "$RESULTS/upstream.port" >"$RESULTS/upstream.log" 2>&1 </dev/null &
UPSTREAM_PID=$!
for _ in $(seq 1 100); do [ -s "$RESULTS/upstream.port" ] && break; sleep 0.1; done
[ -s "$RESULTS/upstream.port" ] || die "the loopback upstream did not start (see $RESULTS/upstream.log)"
UP_PORT=$(cat "$RESULTS/upstream.port")
GITHUB_URL="http://127.0.0.1:$UP_PORT/specs/github.json"
INVENTORY_URL="http://127.0.0.1:$UP_PORT/specs/inventory.json"
UPSTREAM_TOKEN="bench-$RANDOM$RANDOM"
log "loopback upstream on :$UP_PORT (PID $UPSTREAM_PID)"
upstream_stats() { curl -fsS "http://127.0.0.1:$UP_PORT/stats"; }

# --- Executor 1.5.9 -------------------------------------------------------------------------------
run_competitor() {
  local home="$TARGET/competitor-home" port mcp out exec_id t0 t1 base
  rm -rf "$home"; mkdir -p "$home/data"
  port=$(free_port)
  # Isolated HOME and data dir: its database, daemon records and keychain fallback stay in target/.
  export HOME="$home" EXECUTOR_DATA_DIR="$home/data" DO_NOT_TRACK=1 EXECUTOR_DISABLE_INTEGRATIONS_FETCH=1
  setsid "$COMPETITOR_BIN" daemon run --foreground --port "$port" --hostname 127.0.0.1 \
    >"$RESULTS/competitor.log" 2>&1 </dev/null &
  COMPETITOR_PID=$!
  base="http://127.0.0.1:$port"; mcp="$base/mcp"
  for _ in $(seq 1 300); do grep -q 'Daemon ready' "$RESULTS/competitor.log" && break; kill -0 "$COMPETITOR_PID" || die "the daemon exited (see $RESULTS/competitor.log)"; sleep 0.1; done
  grep -q 'Daemon ready' "$RESULTS/competitor.log" || die "the daemon did not get ready (see $RESULTS/competitor.log)"
  log "Executor $COMPETITOR_VERSION daemon on :$port (PID $COMPETITOR_PID)"

  # add_spec SLUG SPEC_URL [EXTRA_JSON]: `executor call executor openapi addSpec` pauses for the
  # tool's approval (requiresApproval); it is approved at once with `executor resume`.
  add_spec() {
    out=$("$COMPETITOR_BIN" call executor openapi addSpec \
      "{\"spec\":{\"kind\":\"url\",\"url\":\"$2\"},\"slug\":\"$1\"${3:-}}" 2>&1) || true
    exec_id=$(printf '%s\n' "$out" | sed -n 's/^executionId: //p' | head -n1)
    [ -n "$exec_id" ] || { printf '%s\n' "$out" >&2; die "addSpec $1 did not pause for approval as expected"; }
    out=$("$COMPETITOR_BIN" resume --execution-id "$exec_id" --action accept --content '{}' 2>&1) \
      || { printf '%s\n' "$out" >&2; die "resume of addSpec $1 failed"; }
    printf '%s\n' "$out" | grep -q '"ok": true' || { printf '%s\n' "$out" >&2; die "addSpec $1 failed"; }
  }
  # Tools are listed per connection. Template "none" (no credential): the CLI tool's input schema
  # demands a credential origin, so this uses the daemon's HTTP API that its web UI uses.
  add_connection() {
    curl -fsS -X POST "$base/api/connections" -H 'content-type: application/json' \
      -d "{\"owner\":\"org\",\"name\":\"default\",\"integration\":\"$1\",\"template\":\"none\",\"values\":{}}" >/dev/null \
      || die "connection for $1 failed"
  }

  t0=$(now_ms)
  add_spec github "$GITHUB_URL"
  add_connection github
  t1=$(now_ms)
  node "$BENCH/scenario.mjs" wait competitor "$mcp" "$t0" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({...JSON.parse(s),added_ms:+process.argv[1]})))' "$((t1 - t0))" \
    >"$RESULTS/competitor.import.json"
  log "competitor import: $(cat "$RESULTS/competitor.import.json")"

  # The execute target: static bearer header (no auth template), so the upstream sees a token as with ours.
  add_spec inventory "$INVENTORY_URL" ",\"headers\":{\"Authorization\":\"Bearer $UPSTREAM_TOKEN\"},\"authenticationTemplate\":[]"
  add_connection inventory

  local before; before=$(upstream_stats)
  node "$BENCH/scenario.mjs" bench competitor "$mcp" "$QUERIES" >"$RESULTS/competitor.bench.json"
  node -e 'const a=JSON.parse(process.argv[1]).items,b=JSON.parse(process.argv[2]).items;console.log(JSON.stringify({items:{withBearer:b.withBearer-a.withBearer,withoutBearer:b.withoutBearer-a.withoutBearer}}))' \
    "$before" "$(upstream_stats)" >"$RESULTS/competitor.upstream.json"
  LOADS="$LOADS; after Executor $COMPETITOR_VERSION: $(uptime | sed 's/.*load average: //')"
  stop_pid "$COMPETITOR_PID" "Executor $COMPETITOR_VERSION daemon"; COMPETITOR_PID=""
  unset HOME EXECUTOR_DATA_DIR
  export HOME="$ORIG_HOME"
}

# --- this platform ---------------------------------------------------------------------------------
run_platform() {
  local p admin agent t0 t1 src id hosts
  PLATFORM_HOME="$TARGET/platform-home"
  rm -rf "$PLATFORM_HOME"
  export EXECUTOR_HOME="$PLATFORM_HOME" EXECUTOR_SKIP_BUILD="${EXECUTOR_SKIP_BUILD-1}" EXECUTOR_PASSWORD=dev
  for v in PG KAFKA KEYCLOAK KEYCLOAK_MGMT GATEWAY CATALOG POLICY SECRETS INVOKER LEDGER; do
    p=$(free_port); export "EXECUTOR_${v}_PORT=$p"
  done
  log "./executor up (EXECUTOR_HOME=$PLATFORM_HOME, gateway :$EXECUTOR_GATEWAY_PORT)"
  "$ROOT/executor" up >&2 || die "./executor up failed"
  local catalog="http://127.0.0.1:$EXECUTOR_CATALOG_PORT" secrets="http://127.0.0.1:$EXECUTOR_SECRETS_PORT"
  local mcp="http://127.0.0.1:$EXECUTOR_GATEWAY_PORT/mcp"
  admin=$("$ROOT/executor" token dev); agent=$("$ROOT/executor" token --agent)

  # add_source NAME URL → source JSON (the catalog imports before it answers 201)
  add_source() {
    curl -fsS -X POST "$catalog/api/sources" -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
      -d "{\"name\":\"$1\",\"kind\":\"openapi\",\"scope\":\"org:acme\",\"url\":\"$2\"}" || die "source $1 failed"
  }
  # add_connection NAME SOURCE_JSON AUTH_JSON [EXTRA_JSON]: hosts = the source's declared hosts
  add_connection() {
    id=$(printf '%s' "$2" | json_field id); hosts=$(printf '%s' "$2" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s).declaredHosts)))')
    curl -fsS -X POST "$secrets/api/connections" -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
      -d "{\"scope\":\"org:acme\",\"source\":\"$1\",\"sourceId\":\"$id\",\"name\":\"default\",\"auth\":$3,\"hosts\":$hosts${4:-}}" >/dev/null \
      || die "connection for $1 failed"
  }

  t0=$(now_ms)
  src=$(add_source github "$GITHUB_URL")
  add_connection github "$src" '{"kind":"none"}'
  t1=$(now_ms)
  MCP_TOKEN="$agent" node "$BENCH/scenario.mjs" wait platform "$mcp" "$t0" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify({...JSON.parse(s),added_ms:+process.argv[1]})))' "$((t1 - t0))" \
    >"$RESULTS/platform.import.json"
  log "platform import: $(cat "$RESULTS/platform.import.json")"

  # The execute target: bearer secret in secrets-proxy, loopback reachable only by an explicit egress rule.
  src=$(add_source inventory "$INVENTORY_URL")
  add_connection inventory "$src" '{"kind":"bearer"}' ",\"secretValues\":{\"token\":\"$UPSTREAM_TOKEN\"},\"egress\":[{\"host\":\"127.0.0.1\",\"port\":$UP_PORT}]"

  local before; before=$(upstream_stats)
  MCP_TOKEN="$agent" node "$BENCH/scenario.mjs" bench platform "$mcp" "$QUERIES" >"$RESULTS/platform.bench.json"
  node -e 'const a=JSON.parse(process.argv[1]).items,b=JSON.parse(process.argv[2]).items;console.log(JSON.stringify({items:{withBearer:b.withBearer-a.withBearer,withoutBearer:b.withoutBearer-a.withoutBearer}}))' \
    "$before" "$(upstream_stats)" >"$RESULTS/platform.upstream.json"
  LOADS="$LOADS; after platform: $(uptime | sed 's/.*load average: //')"
  stop_platform
}

ORIG_HOME="$HOME"
# One product at a time, so neither competes with the other for the CPU.
[ "$ONLY" = platform ] || run_competitor
[ "$ONLY" = competitor ] || run_platform
machine "$RESULTS/machine.json"
node "$BENCH/report.mjs" "$RESULTS" | tee "$RESULTS/table.md"
log "raw samples and logs: $RESULTS"
