// A minimal MCP server answering with application/json instead of an event stream, built on the
// MCP TypeScript SDK that server-everything installs. Tool: echo.
//   stateless: no session id; a fresh SDK transport per request
//   stateful:  the SDK's sessions; an unknown Mcp-Session-Id gets 404, as the spec says
// Usage: node json-response-server.cjs <npm prefix holding node_modules> <port> [stateless|stateful]
const path = require("node:path");
const http = require("node:http");
const { randomUUID } = require("node:crypto");
const { createRequire } = require("node:module");

const [prefix, port, mode = "stateless"] = process.argv.slice(2);
const load = createRequire(path.join(prefix, "package.json"));
const { McpServer } = load("@modelcontextprotocol/sdk/server/mcp.js");
const { StreamableHTTPServerTransport } = load("@modelcontextprotocol/sdk/server/streamableHttp.js");
const { z } = load("zod");

function newServer() {
  const server = new McpServer({ name: "json-echo", version: "1.0.0" });
  server.registerTool("echo", { inputSchema: { message: z.string() } },
    async ({ message }) => ({ content: [{ type: "text", text: `Echo: ${message}` }] }));
  return server;
}

const sessions = new Map();

http.createServer(async (req, res) => {
  if (req.method !== "POST") {
    res.writeHead(405).end();
    return;
  }
  if (mode === "stateless") {
    const server = newServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
    return;
  }
  const sessionId = req.headers["mcp-session-id"];
  if (sessionId) {
    const known = sessions.get(sessionId);
    if (!known) {
      res.writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }));
      return;
    }
    await known.handleRequest(req, res);
    return;
  }
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    enableJsonResponse: true,
    onsessioninitialized: (id) => sessions.set(id, transport),
  });
  await newServer().connect(transport);
  await transport.handleRequest(req, res);
}).listen(Number(port), "127.0.0.1", () => console.error(`json-echo (${mode}) listening on ${port}`));
