// A loopback proxy for running the conformance suite against the gateway: the suite cannot send a
// bearer token, so this adds one. It is transparent about Host and Origin: a request addressed to
// the proxy itself (Host localhost:<proxy port>) is re-addressed to the gateway, while any other
// Host/Origin (the suite's DNS-rebinding probe) is forwarded unchanged, so the gateway's own
// Host/Origin validation is what the suite observes.
// Usage: node auth-proxy.mjs <listen-port> <gateway-base-url e.g. http://localhost:8080>   (token in $MCP_TOKEN)
import { createServer, request as httpRequest } from "node:http";

const [listenPort, target] = [Number(process.argv[2]), new URL(process.argv[3])];
const token = process.env.MCP_TOKEN;
if (!token) {
  console.error("MCP_TOKEN is not set");
  process.exit(2);
}
const own = new Set([`localhost:${listenPort}`, `127.0.0.1:${listenPort}`, `[::1]:${listenPort}`]);

createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  if (own.has((req.headers.host ?? "").toLowerCase())) {
    headers.host = target.host;
    if (req.headers.origin) {
      try {
        if (own.has(new URL(req.headers.origin).host.toLowerCase())) headers.origin = target.origin;
      } catch { /* forward unchanged */ }
    }
  }
  const upstream = httpRequest({ hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on("error", (e) => { res.writeHead(502).end(String(e)); });
  req.pipe(upstream);
}).listen(listenPort, "127.0.0.1", () => console.error(`auth proxy http://localhost:${listenPort} -> ${target.origin}`));
