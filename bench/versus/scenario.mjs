// The MCP scenario, identical for both products, driven with the official MCP TypeScript SDK over
// Streamable HTTP. One client session per phase; every latency is one MCP tools/call round trip
// measured on the client (performance.now), after warm-up calls that are not counted.
//
//   node scenario.mjs wait  <product> <mcp-url> <t0-epoch-ms>     poll search "get repository" every
//        50 ms until it returns a GitHub tool; prints {"searchable_ms": now - t0} (t0 = just before
//        the admin's add call)
//   node scenario.mjs bench <product> <mcp-url> <queries.tsv>      search / describe / execute + ranks;
//        prints one JSON object with every sample
//
// <product>: "platform" (this repository's gateway; $MCP_TOKEN is the agent's bearer token) or
// "competitor" (Executor 1.5.9, no auth on loopback). Knobs (env): SEARCH_ROUNDS (4), DESCRIBE_N (100),
// EXECUTE_N (200), WARMUP (20), SEARCH_LIMIT (10), RANK_LIMIT (50), EXECUTE_ID ("42").
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { readFileSync } from "node:fs";

const [mode, product, url, arg] = process.argv.slice(2);
const env = (k, d) => Number(process.env[k] ?? d);
const SEARCH_ROUNDS = env("SEARCH_ROUNDS", 4);
const DESCRIBE_N = env("DESCRIBE_N", 100);
const EXECUTE_N = env("EXECUTE_N", 200);
const WARMUP = env("WARMUP", 20);
const SEARCH_LIMIT = env("SEARCH_LIMIT", 10);
const RANK_LIMIT = env("RANK_LIMIT", 50);
const EXECUTE_ID = process.env.EXECUTE_ID ?? "42";

/** GitHub operationIds and every product's tool names compare equal once reduced to [a-z0-9]. */
const norm = (s) => String(s).toLowerCase().replace(/[^a-z0-9]/g, "");
/** Platform: repos_get, get_item; Executor 1.5.9: repos.get, items.getItem (path-derived group first). */
const sameTool = (name, operationId) =>
  norm(name) === norm(operationId) || norm(String(name).split(/[./]/).pop()) === norm(operationId);

// --- the two products, behind the same three operations -------------------------------------------
// Each returns the parsed answer; a tool error (isError, ok:false, error status) throws.
const text = (r) => (r.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("");

const platform = {
  // Tools: search {query, limit}, describe {tool}, execute {tool, arguments}
  async search(client, query, limit) {
    const r = await client.callTool({ name: "search", arguments: { query, limit } });
    if (r.isError) throw new Error(`search failed: ${text(r)}`);
    const body = JSON.parse(text(r));
    return body.tools.map((t) => ({ id: t.address, name: t.address.split(".").pop() }));
  },
  async describe(client, id) {
    const r = await client.callTool({ name: "describe", arguments: { tool: id } });
    if (r.isError) throw new Error(`describe failed: ${text(r)}`);
    return JSON.parse(text(r));
  },
  async execute(client, id, args) {
    const r = await client.callTool({ name: "execute", arguments: { tool: id, arguments: args } });
    if (r.isError) throw new Error(`execute failed: ${text(r)}`);
    return JSON.parse(text(r));
  },
};

// Executor 1.5.9 exposes only `execute` {code} (TypeScript run in its sandbox) and `resume` over MCP;
// search and describe are the `tools.search` / `tools.describe.tool` calls its own tool description
// tells the agent to make, and a call is `tools[path](input)`. One MCP round trip each.
async function runCode(client, code) {
  const r = await client.callTool({ name: "execute", arguments: { code } });
  const s = r.structuredContent;
  if (r.isError || !s || s.status !== "completed") throw new Error(`execute failed: ${text(r).slice(0, 500)}`);
  return s.result;
}
const competitor = {
  async search(client, query, limit) {
    const res = await runCode(client, `return await tools.search({ query: ${JSON.stringify(query)}, limit: ${limit} });`);
    return res.items.map((t) => ({ id: t.path, name: t.name }));
  },
  async describe(client, id) {
    const res = await runCode(client, `return await tools.describe.tool({ path: ${JSON.stringify(id)} });`);
    if (res?.error) throw new Error(`describe failed: ${JSON.stringify(res.error)}`);
    return res;
  },
  async execute(client, id, args) {
    const res = await runCode(client, `return await tools[${JSON.stringify(id)}](${JSON.stringify(args)});`);
    if (!res?.ok) throw new Error(`call failed: ${JSON.stringify(res).slice(0, 500)}`);
    return res.data;
  },
};
const p = { platform, competitor }[product];
if (!p) throw new Error(`unknown product ${product}`);

async function connect() {
  const client = new Client({ name: "executor-bench-versus", version: "1.0.0" }, { capabilities: {} });
  const token = process.env.MCP_TOKEN;
  const transport = new StreamableHTTPClientTransport(new URL(url), token
    ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {});
  await client.connect(transport);
  return client;
}

/** The first search hit whose tool name is this GitHub operationId (or this inventory operation). */
async function find(client, query, operationId, source) {
  const hits = await p.search(client, query, RANK_LIMIT);
  const i = hits.findIndex((h) => sameTool(h.name, operationId) && (!source || h.id.includes(source)));
  return { rank: i < 0 ? null : i + 1, hit: i < 0 ? null : hits[i], hits: hits.length };
}

async function timed(n, warmup, fn) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return ms;
}

if (mode === "wait") {
  const t0 = Number(arg);
  const client = await connect();
  const deadline = Date.now() + 300_000;
  let polls = 0;
  for (;;) {
    polls++;
    let found = false;
    try {
      // Searchable = the query returns tools of the new source (where repos/get ranks is measured later).
      found = (await p.search(client, "get repository", SEARCH_LIMIT)).some((h) => h.id.includes("github"));
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
    if (found) break;
    if (Date.now() > deadline) throw new Error("GitHub tools never became searchable");
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(JSON.stringify({ searchable_ms: Date.now() - t0, polls }));
  await client.close();
} else if (mode === "bench") {
  const queries = readFileSync(arg, "utf8").split("\n")
    .filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.split("\t"));
  const client = await connect();
  const out = { product, queries: queries.length };

  // Ranks (top RANK_LIMIT) for every query of the set; the two the report names are picked out.
  out.ranks = {};
  for (const [q, op] of queries) out.ranks[q] = (await find(client, q, op, "github")).rank;

  // The tool to describe is looked up by the words of its own name if the phrase misses it.
  let repo = await find(client, "get repository", "repos/get", "github");
  if (!repo.hit) repo = await find(client, "repos get", "repos/get", "github");
  const item = await find(client, "get one inventory item", "getItem", "inventory");
  if (!repo.hit || !item.hit) throw new Error(`tools not found: repos/get ${JSON.stringify(repo)}, getItem ${JSON.stringify(item)}`);
  out.describeTool = repo.hit.id;
  out.executeTool = item.hit.id;

  // search: SEARCH_ROUNDS passes over the fixed query set (warm-up: one pass).
  out.search = await timed(SEARCH_ROUNDS * queries.length, queries.length,
    (i) => p.search(client, queries[i % queries.length][0], SEARCH_LIMIT));
  out.describe = await timed(DESCRIBE_N, WARMUP, () => p.describe(client, repo.hit.id));
  const sample = await p.execute(client, item.hit.id, { id: EXECUTE_ID });
  if (JSON.stringify(sample).indexOf("Widget") < 0) throw new Error(`unexpected execute output ${JSON.stringify(sample)}`);
  out.executeSample = sample;
  out.execute = await timed(EXECUTE_N, WARMUP, () => p.execute(client, item.hit.id, { id: EXECUTE_ID }));
  await client.close();
  console.log(JSON.stringify(out));
} else {
  console.error("usage: node scenario.mjs wait|bench <platform|competitor> <mcp-url> <t0-ms|queries.tsv>");
  process.exit(2);
}
process.exit(0);
