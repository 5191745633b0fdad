// `trafficdb mcp --http 127.0.0.1:PORT` (Streamable HTTP at /mcp), per
// docs/mcp.md and the MCP spec: the tool contract suite (mcp_helpers.mjs)
// through the official SDK client with a bearer token; then raw fetch for
// what the client hides: Mcp-Session-Id issued and required (400 missing,
// 404 unknown), DELETE ending it, Origin checks (403), --token (401),
// 202 for notifications and responses, 405 for GET, and a tools/call with a
// progressToken answered as an SSE stream of progress notifications, then
// the result; the SDK client's onprogress and cancellation over HTTP.
//
// Run: TRAFFICDB_BINARY=build/trafficdb node tests/node/mcp_http.test.mjs
// (exits 77, "skipped", without tests/node/node_modules).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  LATEST_PROTOCOL_VERSION, checkCancelledImport, connectHttp, defineContractSuite, makeTempDir, startHttpServer, writeHar,
} from './mcp_helpers.mjs';
import { PAGE_BUDGET_BYTES, defineAffordSuite, importAffordStore } from './mcp_afford_suite.mjs';

const TOKEN = 'test-token-5f2c';
/** Entries in the imports that must report progress. */
const PROGRESS_ENTRIES = 5_000;

defineContractSuite('http', async (db, dir) => {
  const server = await startHttpServer({ db, args: ['--allow-dir', dir, '--token', TOKEN] });
  return connectHttp(server.url, { token: TOKEN, cleanup: () => server.stop() });
});
defineAffordSuite('http', async (db, dir) => {
  const server = await startHttpServer({ db, args: ['--allow-dir', dir, '--token', TOKEN] });
  return connectHttp(server.url, { token: TOKEN, cleanup: () => server.stop() });
});

/** Splits an SSE body into its events: [{event, data (parsed JSON)}]. */
function parseSse(text) {
  return text.split(/\r?\n\r?\n/).filter((block) => block.trim()).flatMap((block) => {
    const fields = { event: 'message', data: [] };
    for (const line of block.split(/\r?\n/)) {
      const [, name, value] = /^([^:]*):?\s?(.*)$/.exec(line);
      if (name === 'event') fields.event = value;
      if (name === 'data') fields.data.push(value);
    }
    return fields.data.length ? [{ event: fields.event, data: JSON.parse(fields.data.join('\n')) }] : [];
  });
}

/** Raw Streamable HTTP requests to one server, with the headers a conforming client sends. */
class RawHttp {
  constructor(url, token) {
    this.url = url;
    this.token = token;
    this.nextId = 1;
  }

  headers({ session, auth = true, extra = {} } = {}) {
    return {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(auth ? { Authorization: `Bearer ${this.token}` } : {}),
      ...(session ? { 'Mcp-Session-Id': session, 'MCP-Protocol-Version': LATEST_PROTOCOL_VERSION } : {}),
      ...extra,
    };
  }

  /** POSTs one JSON-RPC message; resolves the fetch Response. */
  post(message, options) {
    return fetch(this.url, { method: 'POST', headers: this.headers(options), body: JSON.stringify(message) });
  }

  request(method, params, options) {
    return this.post({ jsonrpc: '2.0', id: this.nextId++, method, ...(params ? { params } : {}) }, options);
  }

  /** initialize + notifications/initialized; resolves {session, response, body}. */
  async open() {
    const response = await this.request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw-http-test', version: '1' },
    });
    assert.equal(response.status, 200, `initialize: ${response.status} ${await response.clone().text()}`);
    const session = response.headers.get('mcp-session-id');
    const body = await response.json();
    assert.ok(session, 'initialize issued no Mcp-Session-Id');
    const initialized = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { session });
    assert.equal(initialized.status, 202, 'notifications/initialized');
    return { session, response, body };
  }
}

describe('Streamable HTTP, raw', () => {
  const dir = makeTempDir('mcp-http-raw');
  const db = path.join(dir, 'traffic.db');
  let server;
  let raw;

  before(async () => {
    server = await startHttpServer({
      db, args: ['--token', TOKEN, '--allow-origin', 'https://ok.example', '--allow-dir', dir],
    });
    raw = new RawHttp(server.url, TOKEN);
  });
  after(async () => {
    await server?.stop();
  });

  it('initialize issues an Mcp-Session-Id and answers JSON', async () => {
    const { session, response, body } = await raw.open();
    assert.match(session, /^[\x21-\x7e]+$/, 'session id must be visible ASCII');
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.equal(body.result.protocolVersion, LATEST_PROTOCOL_VERSION);
    assert.ok(body.result.capabilities.tools);
    const other = await raw.open();
    assert.notEqual(other.session, session, 'two initializes, one session id');
  });

  it('requires the session: 400 when missing, 404 when unknown', async () => {
    const { session } = await raw.open();
    const ok = await raw.request('tools/list', undefined, { session });
    assert.equal(ok.status, 200);
    assert.ok((await ok.json()).result.tools.length > 0);
    const missing = await raw.request('tools/list');
    assert.equal(missing.status, 400, 'tools/list without Mcp-Session-Id');
    const unknown = await raw.request('tools/list', undefined, { session: 'no-such-session' });
    assert.equal(unknown.status, 404, 'tools/list with an unknown Mcp-Session-Id');
  });

  it('notifications and responses get 202 and no body; GET answers 405', async () => {
    const { session } = await raw.open();
    const notification = await raw.post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 12345 } }, { session });
    assert.equal(notification.status, 202);
    assert.equal(await notification.text(), '');
    const response = await raw.post({ jsonrpc: '2.0', id: 'srv-1', result: {} }, { session });
    assert.equal(response.status, 202);
    const get = await fetch(server.url, { headers: { ...raw.headers({ session }), Accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
  });

  it('DELETE ends the session', async () => {
    const { session } = await raw.open();
    const deleted = await fetch(server.url, { method: 'DELETE', headers: raw.headers({ session }) });
    assert.ok([200, 204].includes(deleted.status), `DELETE: ${deleted.status}`);
    const afterDelete = await raw.request('ping', undefined, { session });
    assert.equal(afterDelete.status, 404, 'a request on a deleted session');
  });

  it('Origin: localhost ones and --allow-origin pass, others get 403', async () => {
    const { session } = await raw.open();
    for (const origin of ['http://localhost:6274', 'http://127.0.0.1:8080', 'https://ok.example']) {
      const response = await raw.request('ping', undefined, { session, extra: { Origin: origin } });
      assert.equal(response.status, 200, `Origin ${origin}`);
    }
    for (const origin of ['https://evil.example', 'evil.example', 'http://localhost.evil.example', 'null']) {
      const response = await raw.request('ping', undefined, { session, extra: { Origin: origin } });
      assert.equal(response.status, 403, `Origin ${origin}`);
    }
    const init = await raw.request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'evil', version: '1' },
    }, { extra: { Origin: 'https://evil.example' } });
    assert.equal(init.status, 403, 'initialize from a foreign Origin');
  });

  it('--token: 401 without the bearer token or with a wrong one', async () => {
    const { session } = await raw.open();
    const without = await raw.request('ping', undefined, { session, auth: false });
    assert.equal(without.status, 401);
    const wrong = await raw.request('ping', undefined, { session, auth: false, extra: { Authorization: 'Bearer wrong' } });
    assert.equal(wrong.status, 401);
    const init = await raw.request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'x', version: '1' },
    }, { auth: false });
    assert.equal(init.status, 401, 'initialize without the token');
    await assert.rejects(connectHttp(server.url, { token: 'wrong' }), 'the SDK client connected with a wrong token');
  });

  it(`a page of 50 summaries is under ${PAGE_BUDGET_BYTES} bytes in the HTTP response body`, async () => {
    const pageDb = path.join(dir, 'page.db');
    await importAffordStore(pageDb, dir);
    const pageServer = await startHttpServer({ db: pageDb, args: ['--token', TOKEN] });
    try {
      const pageRaw = new RawHttp(pageServer.url, TOKEN);
      const { session } = await pageRaw.open();
      const response = await pageRaw.request('tools/call', { name: 'peek_exchanges', arguments: { limit: 50 } }, { session });
      const body = Buffer.from(await response.arrayBuffer());
      const { result } = JSON.parse(body);
      assert.equal(result.structuredContent.rows, undefined, 'the rows are sent twice by default');
      assert.equal(result.content[0].text.split('\n').filter((l) => /^\d+ \d\d:/.test(l)).length, 50);
      assert.ok(body.length < PAGE_BUDGET_BYTES, `the page is ${body.length} bytes on the wire`);
    } finally {
      await pageServer.stop();
    }
  });

  it('an unsupported MCP-Protocol-Version header gets 400', async () => {
    const { session } = await raw.open();
    const response = await raw.request('ping', undefined, { session, extra: { 'MCP-Protocol-Version': '1999-01-01' } });
    assert.equal(response.status, 400);
  });

  it('a tools/call with a progressToken gets an SSE stream: progress notifications, then the result', async () => {
    const { session } = await raw.open();
    const har = writeHar(path.join(dir, 'progress.har'), PROGRESS_ENTRIES);
    const response = await raw.request('tools/call', {
      name: 'import_capture', arguments: { path: har, name: 'with progress' }, _meta: { progressToken: 'p-1' },
    }, { session });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/event-stream/);
    const events = parseSse(await response.text());
    assert.ok(events.every((e) => e.event === 'message'), 'events must be "message"');
    const last = events.at(-1).data;
    assert.equal(last.id, raw.nextId - 1, 'the last event is not the response');
    assert.ok(!last.result.isError, JSON.stringify(last.result));
    assert.equal(last.result.structuredContent.stored, PROGRESS_ENTRIES);
    const progress = events.slice(0, -1).map((e) => e.data);
    assert.ok(progress.length >= 1, 'no progress notification');
    for (const p of progress) {
      assert.equal(p.method, 'notifications/progress');
      assert.equal(p.params.progressToken, 'p-1');
    }
    const values = progress.map((p) => p.params.progress);
    for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `progress not increasing: ${values}`);
  });

  it('cancelling a long import over HTTP: the server stays usable, the session says so', async () => {
    const mcp = await connectHttp(server.url, { token: TOKEN });
    try {
      await checkCancelledImport(mcp, dir);
    } finally {
      await mcp.close();
    }
  });

  it('the SDK client gets the progress over HTTP too', async () => {
    const mcp = await connectHttp(server.url, { token: TOKEN });
    try {
      const har = writeHar(path.join(dir, 'progress-sdk.har'), PROGRESS_ENTRIES, { firstIndex: 100_000 });
      const seen = [];
      const result = await mcp.ok('import_capture', { path: har }, { onprogress: (p) => seen.push(p) });
      assert.equal(result.stored, PROGRESS_ENTRIES);
      assert.ok(seen.length >= 1, 'onprogress never called');
      assert.deepEqual(mcp.problems.map(String), []);
    } finally {
      await mcp.close();
    }
  });
});
