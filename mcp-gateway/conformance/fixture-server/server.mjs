// Fixture MCP server for the official conformance suite's server scenarios
// (@modelcontextprotocol/conformance). It implements every fixture the scenarios call by name:
// the test_* tools, json_schema_2020_12_tool, test_reconnection, the test:// resources and the
// resource template, the test_* prompts, completion and logging/setLevel.
//
// In Executor it is the upstream MCP server behind the gateway (imported as an `mcp` source and
// reached through the invoker's MCP lane); run.sh can also test it directly, which proves the
// fixture itself.
//
// Usage: node server.mjs [port]   (default 3333; binds 127.0.0.1; endpoint /mcp)
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema, CompleteRequestSchema, CreateMessageResultSchema, ElicitResultSchema,
  GetPromptRequestSchema, ListPromptsRequestSchema, ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema, ListToolsRequestSchema, ReadResourceRequestSchema,
  SetLevelRequestSchema, SubscribeRequestSchema, UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";

const port = Number(process.argv[2] ?? process.env.PORT ?? 3333);
// A 1x1 red PNG and a 1-sample silent WAV, base64.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQIAAAAAAA==";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const noArgs = { type: "object", properties: {} };

const tools = [
  { name: "test_simple_text", description: "Returns a simple text.", inputSchema: noArgs },
  { name: "test_image_content", description: "Returns an image.", inputSchema: noArgs },
  { name: "test_audio_content", description: "Returns audio.", inputSchema: noArgs },
  { name: "test_embedded_resource", description: "Returns an embedded resource.", inputSchema: noArgs },
  { name: "test_multiple_content_types", description: "Returns text, image and a resource.", inputSchema: noArgs },
  { name: "test_tool_with_logging", description: "Logs three messages while running.", inputSchema: noArgs },
  { name: "test_tool_with_progress", description: "Reports progress while running.", inputSchema: noArgs },
  { name: "test_error_handling", description: "Always fails.", inputSchema: noArgs },
  {
    name: "test_sampling", description: "Asks the client's LLM.",
    inputSchema: { type: "object", properties: { prompt: { type: "string" } }, required: ["prompt"] },
  },
  {
    name: "test_elicitation", description: "Asks the user.",
    inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
  },
  { name: "test_elicitation_sep1034_defaults", description: "Elicitation with defaults (SEP-1034).", inputSchema: noArgs },
  { name: "test_elicitation_sep1330_enums", description: "Elicitation with enum variants (SEP-1330).", inputSchema: noArgs },
  {
    name: "json_schema_2020_12_tool", description: "Tool with JSON Schema 2020-12 features",
    inputSchema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      $defs: { address: { type: "object", properties: { street: { type: "string" }, city: { type: "string" } } } },
      properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
      additionalProperties: false,
    },
  },
  { name: "test_reconnection", description: "Closes its SSE stream mid-call (SEP-1699).", inputSchema: noArgs },
];

const text = (t) => ({ content: [{ type: "text", text: t }] });

async function callTool(request, extra) {
  const args = request.params.arguments ?? {};
  switch (request.params.name) {
    case "test_simple_text":
      return text("This is a simple text response for testing.");
    case "test_image_content":
      return { content: [{ type: "image", data: PNG, mimeType: "image/png" }] };
    case "test_audio_content":
      return { content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] };
    case "test_embedded_resource":
      return { content: [{ type: "resource", resource: { uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }] };
    case "test_multiple_content_types":
      return {
        content: [
          { type: "text", text: "Multiple content types test:" },
          { type: "image", data: PNG, mimeType: "image/png" },
          { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json", text: JSON.stringify({ test: "data", value: 123 }) } },
        ],
      };
    case "test_tool_with_logging": {
      for (const [i, message] of ["Tool execution started", "Tool processing data", "Tool execution completed"].entries()) {
        if (i > 0) await sleep(50);
        await extra.sendNotification({ method: "notifications/message", params: { level: "info", data: message } });
      }
      return text("Tool with logging executed successfully");
    }
    case "test_tool_with_progress": {
      const token = request.params._meta?.progressToken;
      for (const [i, progress] of [0, 50, 100].entries()) {
        if (i > 0) await sleep(50);
        if (token !== undefined) {
          await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress, total: 100 } });
        }
      }
      return text("Tool with progress executed successfully");
    }
    case "test_error_handling":
      return { isError: true, content: [{ type: "text", text: "This tool intentionally returns an error for testing" }] };
    case "test_sampling": {
      const result = await extra.sendRequest({
        method: "sampling/createMessage",
        params: { messages: [{ role: "user", content: { type: "text", text: String(args.prompt ?? "") } }], maxTokens: 100 },
      }, CreateMessageResultSchema);
      return text(`LLM response: ${result.content?.type === "text" ? result.content.text : JSON.stringify(result.content)}`);
    }
    case "test_elicitation": {
      const result = await extra.sendRequest({
        method: "elicitation/create",
        params: {
          message: String(args.message ?? ""),
          requestedSchema: {
            type: "object",
            properties: {
              username: { type: "string", description: "User's response" },
              email: { type: "string", description: "User's email address" },
            },
            required: ["username", "email"],
          },
        },
      }, ElicitResultSchema);
      return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    }
    case "test_elicitation_sep1034_defaults": {
      const result = await extra.sendRequest({
        method: "elicitation/create",
        params: {
          message: "Please review and update the form fields with defaults",
          requestedSchema: {
            type: "object",
            properties: {
              name: { type: "string", description: "User name", default: "John Doe" },
              age: { type: "integer", description: "User age", default: 30 },
              score: { type: "number", description: "User score", default: 95.5 },
              status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
              verified: { type: "boolean", description: "Verification status", default: true },
            },
            required: [],
          },
        },
      }, ElicitResultSchema);
      return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    }
    case "test_elicitation_sep1330_enums": {
      const result = await extra.sendRequest({
        method: "elicitation/create",
        params: {
          message: "Please pick from these enum variants",
          requestedSchema: {
            type: "object",
            properties: {
              untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
              titledSingle: {
                type: "string",
                oneOf: [{ const: "value1", title: "First Option" }, { const: "value2", title: "Second Option" }, { const: "value3", title: "Third Option" }],
              },
              legacyEnum: { type: "string", enum: ["opt1", "opt2", "opt3"], enumNames: ["Option One", "Option Two", "Option Three"] },
              untitledMulti: { type: "array", items: { type: "string", enum: ["option1", "option2", "option3"] } },
              titledMulti: {
                type: "array",
                items: { anyOf: [{ const: "value1", title: "First Choice" }, { const: "value2", title: "Second Choice" }, { const: "value3", title: "Third Choice" }] },
              },
            },
            required: [],
          },
        },
      }, ElicitResultSchema);
      return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    }
    case "json_schema_2020_12_tool":
      return text(`Received: ${JSON.stringify(args)}`);
    case "test_reconnection": {
      // Close this request's SSE stream; the client reconnects (GET + Last-Event-ID) and gets the
      // result replayed from the event store.
      await sleep(100);
      extra.closeSSEStream?.();
      await sleep(200);
      return text("Reconnection test completed");
    }
    default:
      throw new Error(`Unknown tool: ${request.params.name}`);
  }
}

const resources = [
  { uri: "test://static-text", name: "static-text", description: "A static text resource", mimeType: "text/plain" },
  { uri: "test://static-binary", name: "static-binary", description: "A static binary resource (PNG)", mimeType: "image/png" },
  { uri: "test://watched-resource", name: "watched-resource", description: "A resource clients may subscribe to", mimeType: "text/plain" },
];

function readResource(uri) {
  if (uri === "test://static-text") return { contents: [{ uri, mimeType: "text/plain", text: "This is the content of the static text resource." }] };
  if (uri === "test://static-binary") return { contents: [{ uri, mimeType: "image/png", blob: PNG }] };
  if (uri === "test://watched-resource") return { contents: [{ uri, mimeType: "text/plain", text: "Watched resource content." }] };
  const m = /^test:\/\/template\/([^/]+)\/data$/.exec(uri);
  if (m) return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify({ id: m[1], templateTest: true, data: `Data for ID: ${m[1]}` }) }] };
  throw new Error(`Resource not found: ${uri}`);
}

const prompts = [
  { name: "test_simple_prompt", description: "A prompt without arguments" },
  {
    name: "test_prompt_with_arguments", description: "A prompt with two arguments",
    arguments: [{ name: "arg1", description: "First test argument", required: true }, { name: "arg2", description: "Second test argument", required: true }],
  },
  {
    name: "test_prompt_with_embedded_resource", description: "A prompt embedding a resource",
    arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
  },
  { name: "test_prompt_with_image", description: "A prompt with an image" },
];

function getPrompt(name, args = {}) {
  switch (name) {
    case "test_simple_prompt":
      return { messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }] };
    case "test_prompt_with_arguments":
      return { messages: [{ role: "user", content: { type: "text", text: `Prompt with arguments: arg1='${args.arg1}', arg2='${args.arg2}'` } }] };
    case "test_prompt_with_embedded_resource":
      return {
        messages: [
          { role: "user", content: { type: "resource", resource: { uri: args.resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } } },
          { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
        ],
      };
    case "test_prompt_with_image":
      return {
        messages: [
          { role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } },
          { role: "user", content: { type: "text", text: "Please analyze the image above." } },
        ],
      };
    default:
      throw new Error(`Unknown prompt: ${name}`);
  }
}

function newServer() {
  const server = new Server(
    { name: "executor-conformance-fixture", version: "1.0.0" },
    { capabilities: { tools: {}, resources: { subscribe: true }, prompts: {}, logging: {}, completions: {} } },
  );
  const subscriptions = new Set();
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
  server.setRequestHandler(CallToolRequestSchema, callTool);
  server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [{ uriTemplate: "test://template/{id}/data", name: "template-data", description: "Data for an id", mimeType: "application/json" }],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (r) => readResource(r.params.uri));
  server.setRequestHandler(SubscribeRequestSchema, async (r) => { subscriptions.add(r.params.uri); return {}; });
  server.setRequestHandler(UnsubscribeRequestSchema, async (r) => { subscriptions.delete(r.params.uri); return {}; });
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts }));
  server.setRequestHandler(GetPromptRequestSchema, async (r) => getPrompt(r.params.name, r.params.arguments));
  server.setRequestHandler(CompleteRequestSchema, async (r) => {
    const value = r.params.argument?.value ?? "";
    const values = ["paris", "park", "party"].filter((v) => v.startsWith(value));
    return { completion: { values, total: values.length, hasMore: false } };
  });
  server.setRequestHandler(SetLevelRequestSchema, async () => ({}));
  return server;
}

// Minimal in-memory event store, so a closed SSE stream can be resumed with Last-Event-ID.
class MemoryEventStore {
  constructor() { this.events = new Map(); }
  async storeEvent(streamId, message) {
    const id = `${streamId}_${Date.now()}_${randomUUID()}`;
    this.events.set(id, { streamId, message });
    return id;
  }
  async replayEventsAfter(lastEventId, { send }) {
    const last = this.events.get(lastEventId);
    if (!last) return "";
    let after = false;
    for (const [id, e] of this.events) {
      if (id === lastEventId) { after = true; continue; }
      if (after && e.streamId === last.streamId) await send(id, e.message);
    }
    return last.streamId;
  }
}

const LOCAL = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
function localhostOnly(req) {
  const host = (req.headers.host ?? "").toLowerCase().replace(/:\d+$/, "");
  if (!LOCAL.has(host)) return false;
  const origin = req.headers.origin;
  if (!origin) return true;
  try { return LOCAL.has(new URL(origin).hostname.toLowerCase()); } catch { return false; }
}

const transports = new Map();

const http = createServer(async (req, res) => {
  const path = new URL(req.url, "http://localhost").pathname;
  if (path !== "/mcp") { res.writeHead(404).end(); return; }
  if (!localhostOnly(req)) {
    res.writeHead(403, { "Content-Type": "application/json" })
      .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Host or Origin not allowed" } }));
    return;
  }
  let body;
  if (req.method === "POST") {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    try { body = JSON.parse(Buffer.concat(chunks).toString("utf8")); } catch {
      res.writeHead(400, { "Content-Type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } }));
      return;
    }
  }
  const sessionId = req.headers["mcp-session-id"];
  let transport = sessionId ? transports.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId || req.method !== "POST" || body?.method !== "initialize") {
      res.writeHead(sessionId ? 404 : 400, { "Content-Type": "application/json" })
        .end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: sessionId ? "Session not found" : "Initialize first" } }));
      return;
    }
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: new MemoryEventStore(),
      retryInterval: 100,
      onsessioninitialized: (id) => transports.set(id, transport),
    });
    transport.onclose = () => { if (transport.sessionId) transports.delete(transport.sessionId); };
    await newServer().connect(transport);
  }
  await transport.handleRequest(req, res, body);
});

http.listen(port, "127.0.0.1", () => console.error(`conformance fixture MCP server on http://localhost:${port}/mcp`));
