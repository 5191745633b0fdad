// wait_for_exchange through the official MCP SDK client over stdio: it
// returns when a matching exchange is stored after the cursor (written by a
// separate `trafficdb import` while it waits), reports progress while it
// waits, times out with a cursor to wait again from, and stops when cancelled.
//
// Run: TRAFFICDB_BINARY=build/trafficdb node tests/node/mcp_wait.test.mjs
// (exits 77, "skipped", without tests/node/node_modules).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectStdio, harEntry, importFile, makeTempDir, textOf } from './mcp_helpers.mjs';

function writeHarFile(file, entries) {
  fs.writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries } }));
  return file;
}

describe('wait_for_exchange over stdio', () => {
  let mcp;
  let dir;
  let db;
  before(async () => {
    dir = makeTempDir('mcp-wait');
    db = path.join(dir, 'traffic.db');
    await importFile(db, writeHarFile(path.join(dir, 'first.har'), [harEntry(1), harEntry(2)]), 'first');
    mcp = await connectStdio({ db });
  });
  after(async () => { await mcp?.close(); });

  it('times out with found:false and the cursor it waited after (by default the newest id)', async () => {
    const result = await mcp.call('wait_for_exchange', { timeout_s: 1 });
    assert.ok(!result.isError, textOf(result));
    const r = result.structuredContent;
    assert.equal(r.found, false);
    assert.equal(r.cursor, 2);
    assert.equal(r.next_cursor, 2);
    assert.ok(r.waited_ms >= 900, `waited ${r.waited_ms} ms`);
    assert.match(textOf(result), /nothing matching was stored after id 2 .*cursor 2/);
  });

  it('returns the exchange stored while it waits, with progress on the way', async () => {
    const progress = [];
    const waiting = mcp.call('wait_for_exchange', { host: 'late.example.test', cursor: 0, timeout_s: 60, structured: true },
      { onprogress: (p) => progress.push(p), timeout: 70_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Not matching, then matching: only the second ends the wait.
    await importFile(db, writeHarFile(path.join(dir, 'other.har'), [harEntry(3)]), 'other');
    await importFile(db, writeHarFile(path.join(dir, 'late.har'),
      [harEntry(4, { host: 'late.example.test', path: '/came/later' })]), 'late');
    const result = await waiting;
    assert.ok(!result.isError, textOf(result));
    const r = result.structuredContent;
    assert.equal(r.found, true);
    const rows = r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]])));
    assert.equal(rows.length, 1);
    assert.equal(rows[0].host, 'late.example.test');
    assert.equal(rows[0].path, '/came/later');
    assert.ok(progress.length >= 1, 'no progress notification while waiting');
    assert.equal(progress[0].total, 60);
    assert.match(textOf(result), /^found after \d+ ms: 1 exchange/);
  });

  it('stops when cancelled, and the server goes on answering', async () => {
    const abort = new AbortController();
    const waiting = mcp.call('wait_for_exchange', { host: 'never.example.test', timeout_s: 300 },
      { signal: abort.signal, timeout: 10_000 });
    setTimeout(() => abort.abort(new Error('cancelled by the test')), 500);
    await assert.rejects(waiting, /cancelled by the test/);
    const started = Date.now();
    const sessions = await mcp.call('list_sessions', {});
    assert.ok(!sessions.isError);
    assert.ok(Date.now() - started < 2000, 'the server was held up by the cancelled wait');
  });

  it('bad arguments: timeout over 300 s, a negative cursor', async () => {
    const long = await mcp.call('wait_for_exchange', { timeout_s: 301 });
    assert.equal(long.isError, true);
    assert.match(textOf(long), /timeout_s/);
    const negative = await mcp.call('wait_for_exchange', { cursor: -1 });
    assert.equal(negative.isError, true);
    assert.match(textOf(negative), /cursor/);
  });
});
