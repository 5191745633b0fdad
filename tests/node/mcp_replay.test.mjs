// replay_exchange through the official MCP SDK client, over stdio and over
// Streamable HTTP, against real local servers (Node's http server, and its
// https server with a self-signed certificate made by the openssl command):
// the stored request is sent again with changes, the outcome is stored in a
// 'replay' session linked to the original, and the safety rules hold
// (origin only unless allowed, confirm for unsafe methods, TLS verified
// unless insecure, timeouts).
//
// Run: TRAFFICDB_BINARY=build/trafficdb node tests/node/mcp_replay.test.mjs
// (exits 77, "skipped", without tests/node/node_modules).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectHttp, connectStdio, importFile, makeTempDir, startHttpServer, textOf } from './mcp_helpers.mjs';

/** What the servers received: one {method, url, headers, body} per request. */
const received = [];

function handler(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    received.push({ method: req.method, url: req.url, headers: req.headers, body });
    const answer = () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, bytes: body.length }));
    };
    if (req.url.startsWith('/slow')) setTimeout(answer, 2500);
    else answer();
  });
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** A self-signed certificate for 127.0.0.1 made with the openssl command, or null without openssl. */
function selfSignedCertificate(dir) {
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'),
      '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) };
}

function harEntryTo(url, { method = 'GET', headers = [], body } = {}) {
  const request = {
    method, url, httpVersion: 'HTTP/1.1', headers, queryString: [], cookies: [], headersSize: -1,
    bodySize: body ? body.length : 0,
  };
  if (body !== undefined) request.postData = { mimeType: 'text/plain', text: body };
  return {
    startedDateTime: new Date().toISOString(), time: 1, request,
    response: {
      status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], cookies: [], redirectURL: '',
      headersSize: -1, bodySize: 2, content: { size: 2, mimeType: 'text/plain', text: 'ok' },
    },
    cache: {}, timings: { send: 0, wait: 1, receive: 0 },
  };
}

const dir = makeTempDir('mcp-replay');
const db = path.join(dir, 'traffic.db');
const plain = http.createServer(handler);
const tls = selfSignedCertificate(dir);  // now: the TLS test is skipped without it
const secure = tls ? https.createServer(tls, handler) : null;
let plainPort;
let securePort;
const ids = {};

before(async () => {
  plainPort = await listen(plain);
  if (secure) securePort = await listen(secure);
  const base = `http://127.0.0.1:${plainPort}`;
  const entries = [
    harEntryTo(`${base}/things?page=1`, {
      headers: [{ name: 'Host', value: `127.0.0.1:${plainPort}` }, { name: 'Authorization', value: 'Bearer tok-123' },
        { name: 'X-Original', value: 'yes' }, { name: 'Connection', value: 'keep-alive' }],
    }),
    harEntryTo(`${base}/things`, { method: 'POST', headers: [{ name: 'Content-Type', value: 'text/plain' }], body: 'stored' }),
    harEntryTo(`${base}/slow`),
  ];
  if (secure) entries.push(harEntryTo(`https://127.0.0.1:${securePort}/secure`));
  fs.writeFileSync(path.join(dir, 'capture.har'),
    JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } }));
  await importFile(db, path.join(dir, 'capture.har'), 'capture');
  Object.assign(ids, { get: 1, post: 2, slow: 3, secure: secure ? 4 : null });
});

after(() => {
  plain.close();
  secure?.close();
});

function replaySuite(label, open) {
  describe(`replay_exchange over ${label}`, () => {
    let mcp;
    before(async () => { mcp = await open(); });
    after(async () => { await mcp?.close(); });

    it('is listed with its changes object and annotations', async () => {
      const tool = mcp.tools.find((t) => t.name === 'replay_exchange');
      assert.ok(tool);
      const changes = tool.inputSchema.properties.changes;
      assert.equal(changes.type, 'object');
      assert.deepEqual(Object.keys(changes.properties).sort(),
        ['body', 'body_base64', 'method', 'remove_headers', 'set_headers', 'url']);
      assert.equal(tool.annotations.openWorldHint, true);
    });

    it('sends the stored request with changes and stores it in a replay session linked to the original', async () => {
      const before = received.length;
      const r = await mcp.ok('replay_exchange', {
        id: ids.get,
        changes: { set_headers: ['X-Added: 1', 'Accept: application/json'], remove_headers: ['x-original'] },
      });
      const sent = received.slice(before);
      assert.equal(sent.length, 1);
      assert.equal(sent[0].url, '/things?page=1');
      assert.equal(sent[0].headers['x-added'], '1');
      assert.equal(sent[0].headers.accept, 'application/json');
      assert.equal(sent[0].headers['x-original'], undefined);
      assert.equal(sent[0].headers.authorization, 'Bearer tok-123', 'the stored secret is sent as stored');
      assert.equal(r.replay_of, ids.get);
      assert.ok(r.id > ids.get);
      assert.equal(r.response.status, 200);
      const shownAuth = r.request.headers.find(([n]) => n.toLowerCase() === 'authorization');
      assert.ok(shownAuth && !shownAuth[1].includes('tok-123'), 'the result is redacted like get_exchange');
      assert.deepEqual(r.details, { replay_of: ids.get, changed: ['headers'] });

      const session = await mcp.session(r.session_id);
      assert.equal(session.source, 'replay');
      assert.equal(session.status, 'stopped');
      const again = await mcp.ok('get_exchange', { id: r.id });
      assert.equal(again.details.replay_of, ids.get);
      const linked = await mcp.ok('run_sql', {
        sql: `SELECT json_extract(options, '$.replay_of') AS of FROM sessions WHERE id = ${r.session_id}` });
      assert.equal(linked.rows[0][0], ids.get);

      const text = textOf(await mcp.call('replay_exchange', { id: ids.get }));
      assert.match(text, new RegExp(`^replay of exchange ${ids.get}, stored as exchange \\d+ in session \\d+\\n`));
      assert.match(text, /<<<captured-/);
    });

    it('needs confirm for POST; then sends the stored body, or the one given', async () => {
      const before = received.length;
      await mcp.fails('replay_exchange', { id: ids.post }, /POST may change something.*confirm: true/);
      assert.equal(received.length, before, 'an unconfirmed POST reached the server');
      const stored = await mcp.ok('replay_exchange', { id: ids.post, confirm: true });
      assert.equal(received.at(-1).body.toString(), 'stored');
      assert.equal(stored.response.status, 200);
      const bytes = Buffer.from([0, 1, 2, 255]);
      await mcp.ok('replay_exchange', { id: ids.post, confirm: 'true', changes: { body_base64: bytes.toString('base64') } });
      assert.deepEqual(received.at(-1).body, bytes);
      assert.equal(received.at(-1).headers['content-length'], '4');
      const put = await mcp.ok('replay_exchange', { id: ids.get, confirm: true, changes: { method: 'put', body: 'x' } });
      assert.equal(received.at(-1).method, 'PUT');
      assert.deepEqual(put.details.changed, ['method', 'body']);
    });

    it('goes only to the original origin unless the server allows the host', async () => {
      await mcp.fails('replay_exchange', { id: ids.get, changes: { url: `http://localhost:${plainPort}/things` } },
        /only to the original's origin.*--replay-allow-host/);
    });

    it('times out, storing the exchange with the reason', async () => {
      const started = Date.now();
      const r = await mcp.ok('replay_exchange', { id: ids.slow, timeout_s: 1 });
      assert.ok(Date.now() - started < 2400, 'it waited for the slow server');
      assert.match(r.error, /no complete response .*1\.0 s/);
      assert.equal(r.response, null);
    });

    it('verifies TLS unless insecure', { skip: !secure && 'openssl is not installed' }, async () => {
      const verified = await mcp.ok('replay_exchange', { id: ids.secure });
      assert.match(verified.error, /could not be verified/);
      const insecure = await mcp.ok('replay_exchange', { id: ids.secure, insecure: true });
      assert.equal(insecure.response.status, 200);
      assert.equal(received.at(-1).url, '/secure');
    });

    it('takes changes as a JSON string; refuses unknown fields, bad headers, unknown ids', async () => {
      await mcp.ok('replay_exchange', { id: ids.get, changes: '{"set_headers": ["X-From-String: 1"]}' });
      assert.equal(received.at(-1).headers['x-from-string'], '1');
      await mcp.fails('replay_exchange', { id: ids.get, changes: { methd: 'GET' } }, /unknown field of 'changes'.*method/);
      await mcp.fails('replay_exchange', { id: ids.get, changes: { set_headers: ['no colon'] } }, /changes.set_headers.*colon/);
      await mcp.fails('replay_exchange', { id: ids.get, changes: { url: 'ftp://127.0.0.1/' } }, /http:\/\/ and https:\/\//);
      await mcp.fails('replay_exchange', { id: 999999 }, /no exchange with id 999999/);
      await mcp.fails('replay_exchange', { id: ids.get, timeout_s: 500 }, /timeout_s/);
    });
  });
}

replaySuite('stdio', () => connectStdio({ db }));
replaySuite('Streamable HTTP', async () => {
  const server = await startHttpServer({ db });
  return connectHttp(server.url, { cleanup: () => server.stop() });
});

describe('replay_exchange with --replay-allow-host', () => {
  it('sends to an allowed host', async () => {
    const mcp = await connectStdio({ db, args: ['--replay-allow-host', 'localhost'] });
    try {
      const r = await mcp.ok('replay_exchange', { id: ids.get, changes: { url: `http://localhost:${plainPort}/other` } });
      assert.equal(r.response.status, 200);
      assert.equal(received.at(-1).url, '/other');
      assert.equal(received.at(-1).headers.host, `localhost:${plainPort}`);
    } finally {
      await mcp.close();
    }
  });
});
