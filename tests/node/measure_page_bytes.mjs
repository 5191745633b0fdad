// Prints the JSON-RPC response bytes of a peek_exchanges page of 50 over
// stdio (rows in the text only, the default), for HAR entries shaped like the tests' (short) and like real API
// traffic (longer hosts, paths and query strings).
// Run: TRAFFICDB_BINARY=build/trafficdb node tests/node/measure_page_bytes.mjs
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BINARY, importFile, makeTempDir, writeHar } from './mcp_helpers.mjs';
import { longUrlSpec } from './mcp_afford_suite.mjs';

async function pageBytes(db) {
  const child = spawn(BINARY, ['--db', db, 'mcp'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c) => { out += c; });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'peek_exchanges', arguments: { limit: 50 } } })}\n`);
  while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 20));
  child.stdin.end();
  const line = out.split('\n')[0];
  const { result } = JSON.parse(line);
  return { total: Buffer.byteLength(line), text: Buffer.byteLength(JSON.stringify(result.content)), structured: Buffer.byteLength(JSON.stringify(result.structuredContent)) };
}

const dir = makeTempDir('measure');
const shapes = {
  tests: () => ({}),
  'real-api': longUrlSpec,
};
for (const [name, specOf] of Object.entries(shapes)) {
  const db = path.join(dir, `${name}.db`);
  await importFile(db, writeHar(path.join(dir, `${name}.har`), 200, { specOf }), name);
  console.log(name, await pageBytes(db));
}
