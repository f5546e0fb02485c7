// A minimal stdio MCP server for the probe tests: tools/list answers in two pages, and the second
// page names the same cursor again (a server that would page forever).
const readline = require('readline');
const rl = readline.createInterface({ input: process.stdin });
const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');
rl.on('line', (line) => {
  const message = JSON.parse(line);
  if (message.id === undefined) {
    return; // notifications
  }
  if (message.method === 'initialize') {
    send({ jsonrpc: '2.0', id: message.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} },
      serverInfo: { name: 'paging', title: 'Paging test server', version: '1.2.3' } } });
  } else if (message.method === 'tools/list') {
    const cursor = message.params && message.params.cursor;
    if (!cursor) {
      send({ jsonrpc: '2.0', id: message.id, result: { tools: [{ name: 'first-tool', title: 'First', description: 'Page one.',
        inputSchema: { type: 'object', properties: { q: { type: 'string' } } }, annotations: { readOnlyHint: true } }],
        nextCursor: 'page-2' } });
    } else {
      send({ jsonrpc: '2.0', id: message.id, result: { tools: [{ name: 'second-tool', description: 'Page two.',
        inputSchema: { type: 'object' }, outputSchema: { type: 'object', properties: { ok: { type: 'boolean' } } } }],
        nextCursor: 'page-2' } });
    }
  } else {
    send({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'Method not found' } });
  }
});
