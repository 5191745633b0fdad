// diff_exchanges and traffic_stats group_by endpoint (with the endpoint
// filter), through the official MCP SDK client over stdio, on a store
// imported from a HAR file written here (docs/mcp.md).
//
// Run: TRAFFICDB_BINARY=build/trafficdb node tests/node/mcp_diff.test.mjs
// (exits 77, "skipped", without tests/node/node_modules).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectStdio, harEntry, importFile, makeTempDir, textOf } from './mcp_helpers.mjs';

const UUID = '9f8e2a6e-1b2c-4d5e-8f90-123456789abc';

// 1 GET /users/1 {"name":"Ada","plan":"pro"}   2 GET /users/2 {"name":"Bob"} 404, its own headers
// 3 GET /users/3 text   4 GET /users/4 text   5 POST /users/3/orders/UUID
function writeStore(dir) {
  const entries = [
    harEntry(1, { path: '/users/1', responseBody: '{"name":"Ada","plan":"pro"}',
      requestHeaders: [{ name: 'Authorization', value: 'Bearer first-secret' }, { name: 'X-Request-Id', value: 'r1' }] }),
    harEntry(2, { path: '/users/2', status: 404, responseBody: '{"name":"Bob"}',
      requestHeaders: [{ name: 'authorization', value: 'Bearer second-secret' }, { name: 'X-Request-Id', value: 'r2' },
        { name: 'X-Debug', value: 'on' }] }),
    harEntry(3, { path: '/users/3', responseType: 'text/plain', responseBody: 'alpha\nbeta\ngamma\n' }),
    harEntry(4, { path: '/users/4', responseType: 'text/plain', responseBody: 'alpha\nBETA\ngamma\n' }),
    harEntry(5, { method: 'POST', path: `/users/3/orders/${UUID}` }),
  ];
  const file = path.join(dir, 'diff.har');
  fs.writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } }));
  return file;
}

describe('diff_exchanges and endpoints over stdio', () => {
  let mcp;
  before(async () => {
    const dir = makeTempDir('mcp-diff');
    const db = path.join(dir, 'traffic.db');
    await importFile(db, writeStore(dir), 'diff');
    // Session 2: the same user lookups, one failing, and an endpoint of its own.
    const second = path.join(dir, 'second.har');
    fs.writeFileSync(second, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [
      harEntry(1, { path: '/users/7' }),
      harEntry(2, { path: '/users/8', status: 500 }),
      harEntry(3, { path: '/health', responseType: 'text/plain', responseBody: 'ok' }),
    ] } }));
    await importFile(db, second, 'second');
    mcp = await connectStdio({ db });
  });
  after(async () => { await mcp?.close(); });

  it('tools/list: diff_exchanges is read-only with an output schema', async () => {
    const { tools } = await mcp.client.listTools();
    const tool = tools.find((t) => t.name === 'diff_exchanges');
    assert.ok(tool, 'no diff_exchanges');
    assert.equal(tool.annotations.readOnlyHint, true);
    assert.deepEqual([...tool.inputSchema.required].sort(), ['a', 'b']);
    assert.equal(tool.outputSchema.type, 'object');
    const stats = tools.find((t) => t.name === 'traffic_stats');
    assert.ok(stats.inputSchema.properties.group_by.enum.includes('endpoint'));
    assert.equal(stats.inputSchema.properties.endpoint.type, 'string');
  });

  it('diff_exchanges: status, headers (secrets masked, volatile skipped), JSON paths; text is compact', async () => {
    const result = await mcp.call('diff_exchanges', { a: 1, b: 2 });
    assert.ok(!result.isError, textOf(result));
    const d = result.structuredContent;
    assert.equal(d.identical, false);
    assert.deepEqual(d.status, { a: 200, b: 404 });
    assert.ok(d.request_line.url.b.endsWith('/users/2'));
    assert.deepEqual(d.request.headers.added, [{ name: 'X-Debug', value: 'on' }]);
    const auth = d.request.headers.changed.find((h) => h.name === 'Authorization');
    assert.equal(auth.a, 'Bearer [REDACTED]');
    assert.equal(auth.masked, true);
    assert.ok(d.ignored_headers.includes('x-request-id'));
    assert.equal(d.response.body.kind, 'json');
    assert.deepEqual(d.response.body.json.differences, [
      { path: '$.name', change: 'changed', a: 'Ada', b: 'Bob' },
      { path: '$.plan', change: 'removed', a: 'pro' },
    ]);
    const text = result.content.find((b) => b.type === 'text').text;
    // A line of ours, then the rendering inside a fence: it holds captured values.
    assert.match(text, /^diff of exchange 1 \(-\) and 2 \(\+\)\n<<<(captured-[0-9a-f]{16})\ndiff #1 #2\n[^]*\n\1>>>\n$/);
    assert.ok(text.includes('status\n- 200\n+ 404\n'), text);
    assert.ok(text.includes('~ $.name: "Ada" -> "Bob"'), text);
    assert.ok(!text.includes('second-secret'), 'a secret in the text');
    assert.throws(() => JSON.parse(text), 'the text block is a rendering, not the JSON again');
    const links = result.content.filter((b) => b.type === 'resource_link').map((b) => b.uri);
    assert.deepEqual(links, ['trafficdb://exchanges/1', 'trafficdb://exchanges/2']);

    const plain = (await mcp.call('diff_exchanges', { a: 1, b: 2, redact: false, all_headers: true })).structuredContent;
    assert.equal(plain.request.headers.changed.find((h) => h.name === 'Authorization').b, 'Bearer second-secret');
    assert.ok(plain.request.headers.changed.some((h) => h.name === 'X-Request-Id'));
    assert.deepEqual(plain.ignored_headers, []);

    const ignored = (await mcp.call('diff_exchanges', { a: 1, b: 2, ignore_headers: 'x-debug, Authorization' })).structuredContent;
    assert.deepEqual(ignored.request.headers.added, []);
    assert.deepEqual(ignored.request.headers.changed, []);
  });

  it('diff_exchanges: text bodies as a unified diff; the same exchange is identical', async () => {
    const d = (await mcp.call('diff_exchanges', { a: 3, b: 4 })).structuredContent;
    assert.equal(d.response.body.kind, 'text');
    assert.equal(d.response.body.text.unified, '@@ -1,3 +1,3 @@\n alpha\n-beta\n+BETA\n gamma\n');
    const same = await mcp.call('diff_exchanges', { a: 3, b: 3 });
    assert.equal(same.structuredContent.identical, true);
    assert.ok(textOf(same).includes('no differences'));
  });

  it('diff_exchanges: unknown ids and bad arguments are isError with what was wrong', async () => {
    const missing = await mcp.call('diff_exchanges', { a: 1, b: 999 });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /no exchange with id 999/);
    const bad = await mcp.call('diff_exchanges', { a: 1 });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /'b'/);
  });

  it('diff_sessions: endpoints in one only, status mix side by side, the first divergence; text fenced', async () => {
    const result = await mcp.call('diff_sessions', { a: 1, b: 2 });
    assert.ok(!result.isError, textOf(result));
    const d = result.structuredContent;
    assert.deepEqual(d.only_in_b, [{ endpoint: 'GET /health', count: 1 }]);
    assert.deepEqual(d.only_in_a.map((e) => e.endpoint), ['POST /users/{id}/orders/{uuid}']);
    const users = d.both.find((e) => e.endpoint === 'GET /users/{id}');
    assert.deepEqual(users.a.status, { '2xx': 3, '4xx': 1 });
    assert.deepEqual(users.b.status, { '2xx': 1, '5xx': 1 });
    assert.equal(d.first_divergence.index, 1);
    assert.equal(d.first_divergence.b.status, 500);
    assert.match(textOf(result), /^<<<(captured-[0-9a-f]{16})\nsessions 1 \(-, 5 exchanges\) and 2 \(\+, 3 exchanges\)\n[^]*\1>>>\n$/);
    const missing = await mcp.call('diff_sessions', { a: 1, b: 99 });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /no session 99/);
  });

  it('traffic_stats group_by endpoint, and the endpoint filter', async () => {
    const stats = (await mcp.call('traffic_stats', { group_by: 'endpoint', session_id: 1 })).structuredContent;
    assert.equal(stats.group_by, 'endpoint');
    assert.deepEqual(stats.items.map((i) => [i.key, i.count]), [
      ['GET /users/{id}', 4],
      [`POST /users/{id}/orders/{uuid}`, 1],
    ]);
    const filtered = await mcp.ok('filter_exchanges', { endpoint: 'POST /users/{id}/orders/{uuid}' });
    assert.deepEqual(filtered.items.map((i) => i.id), [5]);
    const byTemplate = (await mcp.call('traffic_stats', { group_by: 'status', endpoint: '/users/{id}', session_id: 1 })).structuredContent;
    assert.equal(byTemplate.total, 4);
    const bad = await mcp.call('filter_exchanges', { endpoint: 'users' });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /endpoint/);
  });
});
