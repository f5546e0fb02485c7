// Drives the gateway with the official MCP TypeScript SDK over Streamable HTTP and prints one JSON
// object with what happened. Usage: node client.mjs <scenario> <mcp-url> <bearer-token>
//   flow      initialize, tools/list, search -> describe -> execute
//   approve   as flow's client, but declaring the elicitation capability and approving every
//             elicitation ($ANSWER=decline declines it instead); executes the tool named by $TOOL
//             (default petstore.acme.work.delete_pet)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [scenario, url, token] = process.argv.slice(2);
const out = { scenario, elicitations: [] };

const client = new Client(
  { name: "executor-gateway-test", version: "1.0.0" },
  { capabilities: scenario === "approve" ? { elicitation: {} } : {} },
);
if (scenario === "approve") {
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    out.elicitations.push({ message: request.params.message, schema: request.params.requestedSchema });
    if (process.env.ANSWER === "decline") return { action: "decline" };
    return { action: "accept", content: { approve: true, comment: "looks right" } };
  });
}
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: { headers: { Authorization: `Bearer ${token}` } },
});

try {
  await client.connect(transport);
  out.server = client.getServerVersion();
  out.sessionId = transport.sessionId ?? null;
  const listed = await client.listTools();
  out.tools = listed.tools.map((t) => t.name);
  out.searchDescription = listed.tools.find((t) => t.name === "search")?.description ?? null;
  if (scenario === "flow") {
    out.search = await client.callTool({ name: "search", arguments: { query: "fetch a pet" } });
    const address = JSON.parse(out.search.content[0].text).tools[0].address;
    out.describe = await client.callTool({ name: "describe", arguments: { tool: address } });
    out.execute = await client.callTool({ name: "execute", arguments: { tool: address, arguments: { id: 7 } } });
  } else if (scenario === "approve") {
    const tool = process.env.TOOL ?? "petstore.acme.work.delete_pet";
    out.execute = await client.callTool({ name: "execute", arguments: { tool, arguments: { id: 3 } } });
  }
  await client.close();
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = String(e?.stack ?? e);
}
console.log(JSON.stringify(out));
process.exit(0);
