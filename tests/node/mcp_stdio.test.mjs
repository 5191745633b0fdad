// `trafficdb mcp` over stdio, driven by the official MCP SDK client
// (docs/mcp.md): the tool contract suite (mcp_helpers.mjs); raw JSON-RPC on
// the pipe (one message per line, ids echoed, notifications unanswered,
// version negotiation, exit when stdin closes); paging a session to the end
// with peek and read, the read cursor surviving a restart and rows a separate
// `trafficdb import` writes showing up; cancelling a long import; a live pcap
// capture on lo with curl traffic (root only); the Inspector CLI listing tools.
//
// Run: TRAFFICDB_BINARY=build/trafficdb node tests/node/mcp_stdio.test.mjs
// (exits 77, "skipped", without tests/node/node_modules).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  BINARY, INSPECTOR_CLI, LATEST_PROTOCOL_VERSION, TOOLS, checkCancelledImport, connectStdio, defineContractSuite, freePort,
  importFile, increasingIds, isRoot, makeTempDir, pollUntil, runTrafficdb, textOf, writeHar,
} from './mcp_helpers.mjs';
import { PAGE_BUDGET_BYTES, defineAffordSuite, importAffordStore } from './mcp_afford_suite.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);

defineContractSuite('stdio', (db, dir) => connectStdio({ db, args: ['--allow-dir', dir] }));

describe('stdio: list_sessions shows the retention policy and what was pruned', () => {
  it('after trafficdb retention set and prune --session, through the SDK', async () => {
    const dir = makeTempDir('mcp-retention');
    const db = path.join(dir, 'traffic.db');
    await importFile(db, writeHar(path.join(dir, 'old.har'), 40), 'old');
    await importFile(db, writeHar(path.join(dir, 'new.har'), 10, { firstIndex: 100 }), 'new');
    const set = await runTrafficdb(['--db', db, 'retention', 'set', '--max-age', '30d', '--max-size', '2GB']);
    assert.equal(set.code, 0, set.stderr);
    const pruned = await runTrafficdb(['--db', db, 'prune', '--session', '1', '--json']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.equal(JSON.parse(pruned.stdout).exchanges, 40);

    const mcp = await connectStdio({ db, args: ['--allow-dir', dir] });
    try {
      const list = await mcp.ok('list_sessions', {});
      const [newer, old] = list.items;
      assert.equal(old.pruned_count, 40);
      assert.equal(old.exchange_count, 0);
      assert.equal(newer.pruned_count, 0);
      assert.equal(newer.exchange_count, 10);
      assert.deepEqual(list.database.retention, { max_age_s: 30 * 86400, max_age: '30d', max_size_bytes: 2e9 });
      assert.equal(list.database.pruned.exchanges, 40);
      assert.equal(list.database.pruned.bodies, 40);
      assert.match(list.database.pruned.last_pruned_at, /^\d{4}-\d\d-\d\dT/);
      assert.ok(list.database.pruned.last_longest_step_ms > 0);
      assert.equal(list.database.incremental_vacuum, true);
      const text = textOf(await mcp.call('list_sessions', {}));
      assert.match(text, /40 pruned/);
      assert.match(text, /database: \d+ bytes used, \d+ free; retention: max_age 30d, max_size_bytes 2000000000; pruned 40 exchanges, 40 bodies/);
    } finally {
      await mcp.close();
    }
  });
});
defineAffordSuite('stdio', (db, dir) => connectStdio({ db, args: ['--allow-dir', dir] }));

/**
 * Spawns `trafficdb mcp` and writes `requests` to its stdin, one a line
 * (objects as JSON, strings as they are), then waits for an answer to each
 * that expects one, closes stdin and waits for the exit.
 * Resolves {messages (each stdout line parsed), code, exitMs (after stdin closed)}.
 */
async function rawStdioSession(db, requests) {
  const child = spawn(BINARY, ['--db', db, 'mcp'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.resume();
  for (const request of requests) child.stdin.write(typeof request === 'string' ? `${request}\n` : `${JSON.stringify(request)}\n`);
  const expected = requests.filter((r) => typeof r === 'string' || 'id' in r).length;
  const lines = () => stdout.split('\n').filter((line) => line.length > 0);
  await pollUntil(() => lines().length >= expected, { timeoutMs: 10_000 });
  const closedAt = Date.now();
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  assert.ok(stdout === '' || stdout.endsWith('\n'), 'stdout does not end with a newline');
  const messages = lines().map((line) => {
    assert.doesNotThrow(() => JSON.parse(line), `stdout line is not JSON: ${line}`);
    return JSON.parse(line);
  });
  return { messages, code, exitMs: Date.now() - closedAt };
}

const initialize = (id, protocolVersion = LATEST_PROTOCOL_VERSION) => ({
  jsonrpc: '2.0', id, method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-test', version: '1' } },
});

describe('stdio transport', () => {
  const dir = makeTempDir('mcp-stdio');
  const db = path.join(dir, 'traffic.db');

  it('one JSON-RPC message per line, ids echoed, notifications unanswered, exits when stdin closes', async () => {
    const { messages, code, exitMs } = await rawStdioSession(db, [
      initialize(0),
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 'a string id', method: 'ping' },
      { jsonrpc: '2.0', id: 2, method: 'server/discover' },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } },
      { jsonrpc: '2.0', id: 4, method: 'tools/list' },
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } },
    ]);
    // Answers may come in any order (tools run concurrently): match them by id.
    const byId = new Map(messages.map((m) => [m.id, m]));
    assert.equal(messages.length, 5, 'one answer per request, none for notifications');
    assert.deepEqual([...byId.keys()].sort(), [0, 2, 3, 4, 'a string id'].sort(), 'ids echoed as sent');
    for (const m of messages) assert.equal(m.jsonrpc, '2.0');
    assert.equal(byId.get(0).result.protocolVersion, LATEST_PROTOCOL_VERSION);
    assert.ok(byId.get(0).result.serverInfo?.name);
    assert.deepEqual(byId.get('a string id').result, {});
    assert.equal(byId.get(2).error?.code, -32601, 'unknown method → -32601');
    assert.ok([-32602, -32601].includes(byId.get(3).error?.code), `unknown tool → JSON-RPC error, got ${JSON.stringify(byId.get(3))}`);
    assert.deepEqual(byId.get(4).result.tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
    assert.equal(code, 0, 'exit status after stdin closed');
    assert.ok(exitMs < 5000, `took ${exitMs} ms to exit after stdin closed`);
  });

  it(`a page of 50 summaries is under ${PAGE_BUDGET_BYTES} bytes on stdout`, async () => {
    const pageDb = path.join(dir, 'page.db');
    await importAffordStore(pageDb, dir);
    const { messages } = await rawStdioSession(pageDb, [
      initialize(1),
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'peek_exchanges', arguments: { limit: 50 } } },
    ]);
    const page = messages.find((m) => m.id === 2);
    assert.equal(page.result.structuredContent.rows, undefined, 'the rows are sent twice by default');
    assert.equal(page.result.content[0].text.split('\n').filter((l) => /^\d+ \d\d:/.test(l)).length, 50);
    const bytes = Buffer.byteLength(JSON.stringify(page)) + 1;  // the server writes compact JSON and a newline
    assert.ok(bytes < PAGE_BUDGET_BYTES, `the page is ${bytes} bytes on the wire`);
  });

  it('negotiates the protocol version: echoes a supported one, else answers its latest', async () => {
    const { messages } = await rawStdioSession(db, [initialize(1, '2025-06-18')]);
    assert.equal(messages[0].result.protocolVersion, '2025-06-18');
    const { messages: unknown } = await rawStdioSession(db, [initialize(1, '1999-01-01')]);
    assert.equal(unknown[0].result.protocolVersion, LATEST_PROTOCOL_VERSION);
  });

  it('malformed messages get JSON-RPC errors, and the session goes on', async () => {
    const { messages } = await rawStdioSession(db, [
      initialize(1),
      'this is not json',
      { jsonrpc: '2.0', id: 5, method: 42 },
      { jsonrpc: '2.0', id: 6, method: 'ping' },
    ]);
    const byId = new Map(messages.map((m) => [m.id, m]));
    assert.equal(byId.size, 4, `one answer each: ${JSON.stringify(messages)}`);
    assert.equal(byId.get(null)?.error?.code, -32700, 'not JSON → parse error with id null');
    assert.equal(byId.get(5)?.error?.code, -32600, 'a method that is not a string → invalid request');
    assert.deepEqual(byId.get(6), { jsonrpc: '2.0', id: 6, result: {} });
  });
});

describe('paging a session to the end', () => {
  const dir = makeTempDir('mcp-paging');
  const db = path.join(dir, 'traffic.db');
  const COUNT = 237;

  it('peek and read see every row once; the read cursor survives a restart; rows imported meanwhile by another process show up', async () => {
    await importFile(db, writeHar(path.join(dir, 'big.har'), COUNT), 'paged');
    let mcp = await connectStdio({ db });
    let lastId;
    try {
      const peeked = await mcp.pageAll('peek_exchanges', { limit: 50 });
      assert.equal(peeked.length, COUNT);
      const ids = increasingIds(peeked);
      assert.equal(new Set(peeked.map((x) => x.path)).size, COUNT, 'a row seen twice');
      lastId = ids.at(-1);

      const read = await mcp.readAll('c1', { limit: 50 });
      assert.deepEqual(read.map((x) => x.id), ids, 'read_exchanges did not return every row once, in order');
    } finally {
      await mcp.close();
    }

    mcp = await connectStdio({ db });
    try {
      assert.deepEqual(await mcp.readAll('c1', { limit: 50 }), [], 'c1 read rows again after a restart');
      await importFile(db, writeHar(path.join(dir, 'five.har'), 5, { firstIndex: 10_000 }), 'five more');
      const fresh = await mcp.pageAll('peek_exchanges', { cursor: lastId });
      assert.deepEqual(fresh.map((x) => x.path), [0, 1, 2, 3, 4].map((i) => `/v1/items/${10_000 + i}`));
      const newlyRead = await mcp.readAll('c1', { limit: 50 });
      assert.deepEqual(newlyRead.map((x) => x.id), fresh.map((x) => x.id), 'read_exchanges c1 after the import');
      assert.deepEqual(mcp.problems.map(String), []);
    } finally {
      await mcp.close();
    }
  });
});

describe('cancelling a long import', () => {
  const dir = makeTempDir('mcp-cancel');

  it('stops on notifications/cancelled, keeps the server usable, ends the session and says so', async () => {
    const mcp = await connectStdio({ db: path.join(dir, 'traffic.db'), args: ['--allow-dir', dir] });
    try {
      await checkCancelledImport(mcp, dir);
    } finally {
      await mcp.close();
    }
  });
});

/** A local HTTP server answering every request with its path: {port, close()}. */
async function startEchoServer() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`you asked for ${req.url}\n`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

function curl(url) {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--noproxy', '*', '-o', '/dev/null', '-w', '%{http_code}', url], (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });
}

describe('live capture', () => {
  const dir = makeTempDir('mcp-live');
  const db = path.join(dir, 'traffic.db');

  it('start_capture pcap on lo records curl traffic; stop_capture stops it; exiting stops the rest',
    { skip: !isRoot && 'capturing on lo needs root' }, async () => {
      const web = await startEchoServer();
      let mcp;
      try {
        mcp = await connectStdio({ db });
        const started = await mcp.ok('start_capture', {
          source: 'pcap', interface: 'lo', filter: `tcp port ${web.port}`, name: 'live on lo',
        });
        assert.equal(started.status, 'recording');
        assert.equal(started.source, 'pcap');
        const paths = ['/live/one', '/live/two?x=1', '/live/three'];
        for (const p of paths) assert.equal(await curl(`http://127.0.0.1:${web.port}${p}`), '200');

        const seen = await pollUntil(async () => {
          const page = await mcp.ok('peek_exchanges', { session_id: started.session_id });
          return page.items.length >= paths.length ? page.items : null;
        }, { timeoutMs: 3000, intervalMs: 100 });
        assert.ok(seen, 'peek did not show the requests within 3 s');
        assert.deepEqual(seen.map((x) => x.path), ['/live/one', '/live/two', '/live/three']);
        assert.ok(seen.every((x) => x.status === 200 && x.method === 'GET'));

        const stopped = await mcp.ok('stop_capture', { session_id: started.session_id });
        assert.equal(stopped.status, 'stopped');
        assert.equal(stopped.exchanges, paths.length);
        const session = await mcp.session(started.session_id);
        assert.equal(session.status, 'stopped');
        assert.equal(session.exchange_count, paths.length);
        await mcp.fails('stop_capture', { session_id: started.session_id }, /not running|not recording|no capture|stopped/i);

        // A capture still running when stdin closes ends with the server.
        const running = await mcp.ok('start_capture', { source: 'pcap', interface: 'lo', filter: `tcp port ${web.port}` });
        await curl(`http://127.0.0.1:${web.port}/live/last`);
        const pid = mcp.transport.pid;
        await mcp.close();
        assert.ok(await pollUntil(() => !processExists(pid), { timeoutMs: 5000 }), 'the server outlived its stdin');
        const { stdout } = await runTrafficdb(['--db', db, 'sessions', '--json']);
        const after = findSession(stdout, running.session_id);
        assert.notEqual(after?.status, 'recording', `capture ${running.session_id} still recording after the server exited`);
      } finally {
        await mcp?.close();
        await web.close();
      }
    });
});

describe('live capture through Mockttp', () => {
  const dir = makeTempDir('mcp-mockttp');
  const db = path.join(dir, 'traffic.db');

  it('start_capture httptoolkit with a proxy of our own records what goes through it', async () => {
    const web = await startEchoServer();
    const adminPort = await freePort();
    const admin = spawn(process.execPath, [path.join(here, 'mockttp_admin_server.mjs'), String(adminPort)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let mcp;
    try {
      await new Promise((resolve, reject) => {
        admin.stdout.on('data', (chunk) => { if (String(chunk).includes('ready')) resolve(); });
        admin.on('exit', (code) => reject(new Error(`the Mockttp admin server exited (${code})`)));
      });
      const proxyPort = await freePort();
      mcp = await connectStdio({ db });
      const started = await mcp.ok('start_capture', {
        source: 'httptoolkit', admin_url: `http://127.0.0.1:${adminPort}`, listen_port: proxyPort, name: 'via mockttp',
      });
      assert.equal(started.source, 'httptoolkit');
      const paths = ['/mock/one', '/mock/two?y=2'];
      for (const p of paths) assert.equal(await curlVia(`http://127.0.0.1:${web.port}${p}`, proxyPort), '200');
      const seen = await pollUntil(async () => {
        const page = await mcp.ok('peek_exchanges', { session_id: started.session_id });
        return page.items.length >= paths.length ? page.items : null;
      }, { timeoutMs: 5000, intervalMs: 100 });
      assert.ok(seen, 'peek did not show the proxied requests within 5 s');
      assert.deepEqual(seen.map((x) => x.path), ['/mock/one', '/mock/two']);
      const stopped = await mcp.ok('stop_capture', { session_id: started.session_id });
      assert.equal(stopped.status, 'stopped');
      assert.equal(stopped.exchanges, paths.length);
      assert.equal((await mcp.session(started.session_id)).source, 'httptoolkit');
    } finally {
      await mcp?.close();
      admin.kill('SIGTERM');
      await web.close();
    }
  });
});

function curlVia(url, proxyPort) {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '-x', `http://127.0.0.1:${proxyPort}`, '-o', '/dev/null', '-w', '%{http_code}', url],
      (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout);
      });
  });
}

function processExists(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The session `id` in `trafficdb sessions --json` output (an array, or {items}). */
function findSession(json, id) {
  const parsed = JSON.parse(json);
  const list = Array.isArray(parsed) ? parsed : parsed.items ?? parsed.sessions;
  return list.find((s) => s.id === id);
}

describe('MCP Inspector CLI', () => {
  it('lists the tools', async () => {
    const dir = makeTempDir('mcp-inspector');
    const { stdout, stderr, code } = await new Promise((resolve) => {
      execFile(process.execPath, [INSPECTOR_CLI, '--cli', '-e', `TRAFFICDB=${path.join(dir, 'traffic.db')}`,
        BINARY, 'mcp', '--method', 'tools/list'], { timeout: 30_000, maxBuffer: 16 << 20 },
      (error, out, err) => resolve({ stdout: out, stderr: err, code: error ? error.code : 0 }));
    });
    assert.equal(code, 0, `inspector failed: ${stderr}`);
    const { tools } = JSON.parse(stdout);
    assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort());
    assert.ok(fs.existsSync(path.join(dir, 'traffic.db')), 'the server did not use $TRAFFICDB');
  });
});
