// Turns the run's JSON files into the markdown table run.sh prints.
// Usage: node report.mjs <results-dir>   (reads platform.*.json, competitor.*.json, machine.json)
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const read = (f) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), "utf8")) : null);
const machine = read("machine.json") ?? {};
const products = [
  ["platform", "this platform (mcp-gateway)"],
  ["competitor", "Executor 1.5.9"],
];

/** Median (mean of the middle two for even n) and nearest-rank p99. */
function stats(xs) {
  if (!xs || xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const p50 = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const p99 = s[Math.max(0, Math.ceil(0.99 * n) - 1)];
  return { n, p50, p99 };
}
const ms = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const cell = (st) => (st ? `n=${st.n}, p50 ${ms(st.p50)} ms, p99 ${ms(st.p99)} ms` : "—");

const data = Object.fromEntries(products.map(([k]) => [k, {
  imp: read(`${k}.import.json`), bench: read(`${k}.bench.json`), stats: read(`${k}.upstream.json`),
}]));

const rows = [
  ["import GitHub REST (1,223 ops): add call → tools searchable",
    (d) => d.imp ? `n=1, ${ms(d.imp.searchable_ms)} ms (add call returned after ${ms(d.imp.added_ms)} ms)` : "—"],
  [`search, ${data.platform.bench?.queries ?? data.competitor.bench?.queries ?? "?"} fixed queries (limit 10)`, (d) => cell(stats(d.bench?.search))],
  ["describe `repos/get`", (d) => cell(stats(d.bench?.describe))],
  ["execute a GET on the loopback upstream", (d) => cell(stats(d.bench?.execute))],
  ["rank of `repos/get` for \"get repository\" (top 50)", (d) => rank(d, "get repository")],
  ["rank of `pulls/list` for \"list pull requests\" (top 50)", (d) => rank(d, "list pull requests")],
  ["query set: top-1 / top-3 / MRR@50", (d) => quality(d)],
];
function rank(d, q) {
  if (!d.bench) return "—";
  const r = d.bench.ranks[q];
  return r == null ? "not in top 50" : String(r);
}
function quality(d) {
  if (!d.bench) return "—";
  const r = Object.values(d.bench.ranks);
  const top1 = r.filter((x) => x === 1).length, top3 = r.filter((x) => x != null && x <= 3).length;
  const mrr = r.reduce((a, x) => a + (x ? 1 / x : 0), 0) / r.length;
  return `${top1}/${r.length} / ${top3}/${r.length} / ${mrr.toFixed(2)}`;
}

const out = [];
out.push(`Measured ${machine.date ?? "?"} on ${machine.host ?? "?"} (${machine.cpus ?? "?"} CPUs, ${machine.memory ?? "?"}); ` +
  `Node ${machine.node ?? "?"}, ${machine.java ?? "?"}, MCP SDK ${machine.sdk ?? "?"}; load: ${machine.load ?? "?"}`);
out.push("");
out.push(`| MCP scenario | ${products.map(([, t]) => t).join(" | ")} |`);
out.push(`|---|${products.map(() => "---").join("|")}|`);
for (const [label, f] of rows) out.push(`| ${label} | ${products.map(([k]) => f(data[k])).join(" | ")} |`);
out.push("");
for (const [k, t] of products) {
  const d = data[k];
  if (d.bench) out.push(`- ${t}: described \`${d.bench.describeTool}\`, executed \`${d.bench.executeTool}\`; ` +
    `upstream item reads with a bearer token ${d.stats?.items?.withBearer ?? "?"}, without ${d.stats?.items?.withoutBearer ?? "?"}`);
}
console.log(out.join("\n"));
