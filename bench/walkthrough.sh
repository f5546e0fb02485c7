#!/usr/bin/env bash
# The README's first run, timed, exactly as a newcomer follows it (docs/benchmarks.md, "First run").
#   bench/walkthrough.sh [CLONE_DIR]
# Clones this repository (HEAD) into CLONE_DIR (default: a new temp dir), then:
#   1. cold: `./executor up` in the fresh clone (includes the full build), then the "Try it" block;
#   2. warm: `./executor down`, state deleted, `./executor up` again (built), then the block again.
# The "Try it" block is taken from README.md itself and run with bash, so the README is what is
# measured; the only edit is that the approval step uses the run id the agent was given (the
# README writes <run_id>). Needs the default ports free (see README). Prints the timings; stops
# everything it started.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$(mktemp -d /tmp/executor-walkthrough.XXXXXX)}"

git clone -q "$repo" "$dir/executor"
cd "$dir/executor"
trap './executor down >/dev/null 2>&1 || true' EXIT

# The README's "Try it" shell block, with <run_id> filled from what the agent printed.
awk '/^## Try it/ { on = 1 } on && /^```sh/ { block = 1; next } block && /^```/ { exit } block { print }' README.md >"$dir/try-it.sh"
[ -s "$dir/try-it.sh" ] || { echo "no 'Try it' block in README.md" >&2; exit 1; }
out="$dir/agent-output.txt"
sed -i \
  -e "s|^mcp \(.*\)$|mcp \1 \| tee -a \"$out\"|" \
  -e "s|<run_id>|\$(grep -o 'run_id[^0-9a-f]*[0-9a-f-]\\\\{36\\\\}' \"$out\" \| tail -1 \| grep -o '[0-9a-f-]\\\\{36\\\\}')|g" \
  "$dir/try-it.sh"

seconds() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

run_block() { # $1 label
  : >"$out"
  local t0
  t0=$(date +%s.%N)
  bash -e -o pipefail "$dir/try-it.sh" >"$dir/try-it-$1.log" 2>&1 || { echo "the Try-it block failed ($1):" >&2; tail -30 "$dir/try-it-$1.log" >&2; exit 1; }
  echo "try_it_${1}_seconds $(seconds "$t0")"
  # what a newcomer checks by eye: the search found the tools, the read ran, the approved write ran
  grep -q 'demo.acme.work.list_items' "$out" || { echo "search did not find list_items ($1)" >&2; exit 1; }
  grep -q 'Gadget' "$out" || { echo "execute did not return the upstream's answer ($1)" >&2; exit 1; }
  grep -q 'Flange' "$out" || { echo "the approved write did not run ($1)" >&2; exit 1; }
}

t0=$(date +%s.%N)
./executor up >"$dir/up-cold.log" 2>&1
echo "up_cold_seconds $(seconds "$t0")   # fresh clone: includes ./mvnw package of every module"
run_block cold

./executor down >/dev/null
rm -rf .executor
t0=$(date +%s.%N)
./executor up >"$dir/up-warm.log" 2>&1
echo "up_warm_seconds $(seconds "$t0")   # built; empty state"
run_block warm
echo "logs and outputs: $dir"
