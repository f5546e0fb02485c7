// The loopback upstream both products talk to, so neither needs the internet:
//   GET /specs/github.json     GitHub's REST description (fixtures, gunzipped once, served as is)
//   GET /specs/inventory.json  a one-operation API whose server is this process (the execute target)
//   GET /items/{id}            {"id": "<id>", "name": "Widget"} — what the execute call reads
//   GET /stats                 requests served, item reads with / without a bearer token
// Usage: node upstream.mjs <github.json.gz> <port-file>   (binds 127.0.0.1 on a free port, writes it)
import { createServer } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const [specGz, portFile] = process.argv.slice(2);
const github = gunzipSync(readFileSync(specGz));
let requests = 0;
const items = { withBearer: 0, withoutBearer: 0 };

function inventory(port) {
  return JSON.stringify({
    openapi: "3.0.3",
    info: { title: "Inventory", version: "1" },
    servers: [{ url: `http://127.0.0.1:${port}` }],
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths: {
      "/items/{id}": {
        get: {
          operationId: "getItem",
          summary: "Get one inventory item by its id",
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            200: {
              description: "the item",
              content: {
                "application/json": {
                  schema: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } },
                },
              },
            },
          },
        },
      },
    },
  });
}

const server = createServer((req, res) => {
  requests++;
  const path = new URL(req.url, "http://x").pathname;
  const send = (status, type, body) => {
    res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
    res.end(body);
  };
  if (path === "/specs/github.json") return send(200, "application/json", github);
  if (path === "/specs/inventory.json") return send(200, "application/json", inventory(server.address().port));
  if (path === "/stats") return send(200, "application/json", JSON.stringify({ requests, items }));
  if (req.method === "GET" && path.startsWith("/items/")) {
    items[/^Bearer \S+/.test(req.headers.authorization ?? "") ? "withBearer" : "withoutBearer"]++;
    return send(200, "application/json", JSON.stringify({ id: decodeURIComponent(path.slice(7)), name: "Widget" }));
  }
  send(404, "application/json", JSON.stringify({ message: "Not Found" }));
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  writeFileSync(portFile, String(server.address().port));
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
