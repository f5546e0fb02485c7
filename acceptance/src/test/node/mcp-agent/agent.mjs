// An agent over MCP, with the official TypeScript SDK and Streamable HTTP. Calls the tools given
// as a JSON array in $CALLS ([{"name": "search", "arguments": {...}}, ...]) in order, on one
// session, and prints one JSON object: {ok, tools: [names], results: [CallToolResult...]}.
// Usage: CALLS='[...]' node agent.mjs <mcp-url> <bearer-token>
// With READY_FILE and GO_FILE set, it writes READY_FILE once the session is initialized and waits
// for GO_FILE to exist before its calls (a test kills the replica it initialized against meanwhile).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { existsSync, writeFileSync } from "node:fs";

const [url, token] = process.argv.slice(2);
const calls = JSON.parse(process.env.CALLS ?? "[]");
const out = { results: [] };
const client = new Client({ name: "executor-acceptance-agent", version: "1.0.0" }, { capabilities: {} });
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});
try {
  await client.connect(transport);
  out.tools = (await client.listTools()).tools.map((t) => t.name);
  if (process.env.READY_FILE && process.env.GO_FILE) {
    writeFileSync(process.env.READY_FILE, transport.sessionId ?? "");
    const deadline = Date.now() + 120_000;
    while (!existsSync(process.env.GO_FILE)) {
      if (Date.now() > deadline) throw new Error("GO_FILE never appeared");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  for (const call of calls) {
    out.results.push(await client.callTool(call));
  }
  await client.close();
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = String(e?.stack ?? e);
}
console.log(JSON.stringify(out));
process.exit(0);
