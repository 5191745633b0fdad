// `trafficdb ui` in a real browser: Debian's headless Chromium driven by
// puppeteer-core (tests/node/package.json), against a store of real
// captures (examples/sample.har, /work/shared/samples when present, HAR
// files written here, a hostile HAR whose URLs, headers and bodies carry
// script tags, javascript: URLs and broken UTF-8, and a hostile pcap whose
// headers carry bytes that are no UTF-8 and whose WebSocket messages carry
// markup). Each page must load and show what the store holds (checked against
// `trafficdb sql`); filters change the rows and the URL; the live tail shows a
// row imported during the test; nothing from the captures runs. Screenshots
// of each page go to $TRAFFICDB_UI_ARTIFACTS (ctest: build/tests/artifacts/ui).
// Exits 77 (Skipped) without chromium or node_modules.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.TRAFFICDB_CHROMIUM ?? '/usr/bin/chromium';
const PUPPETEER = path.join(here, 'node_modules', 'puppeteer-core', 'package.json');
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set TRAFFICDB_CHROMIUM)`);
  process.exit(77);
}
if (!fs.existsSync(PUPPETEER)) {
  console.log('SKIPPED: tests/node/node_modules has no puppeteer-core: run scripts/setup-node.sh');
  process.exit(77);
}
const { default: puppeteer } = await import('puppeteer-core');
const { BINARY, makeTempDir, writeHar, harEntry, runTrafficdb, importFile, pollUntil, sleep } = await import('./mcp_helpers.mjs');

const ARTIFACTS = process.env.TRAFFICDB_UI_ARTIFACTS ?? path.join(here, '../../build/tests/artifacts/ui');
fs.mkdirSync(ARTIFACTS, { recursive: true });

const PNG_1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** A HAR whose captured content tries every way of running script in the page. */
function writeHostileHar(file) {
  const entry = (i, spec) => harEntry(9000 + i, spec);
  const html = '<html><script>window.__pwned=3;alert(1)</script><img src=x onerror="window.__pwned=4">' +
    '<a href="javascript:window.__pwned=5">click</a><iframe src="javascript:parent.__pwned=11"></iframe></html>';
  const entries = [
    entry(0, { host: 'evil.test', path: '/<script>window.__pwned=1</script>?q=<img src=x onerror=window.__pwned=2>',
      responseBody: html, responseType: 'text/html' }),
    entry(1, { host: 'evil.test', path: '/json', responseType: 'application/json',
      responseBody: JSON.stringify({ '<img src=x onerror=window.__pwned=8>': 'javascript:window.__pwned=12', nested: { '<script>': '</script><script>window.__pwned=13</script>' } }) }),
    entry(2, { host: 'evil.test', path: '/svg', responseType: 'image/svg+xml',
      responseBody: '<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=9"><script>window.__pwned=10</script></svg>' }),
  ];
  // Headers carrying markup and a javascript: redirect.
  entries[0].response.headers.push({ name: 'X-Evil', value: '<script>window.__pwned=6</script>' },
    { name: 'Location', value: 'javascript:window.__pwned=7' });
  entries[0].request.headers.push({ name: 'Referer', value: 'javascript:window.__pwned=14' });
  // Broken UTF-8 in a body: bytes that are no character, given as base64.
  const broken = Buffer.from([0x3c, 0x62, 0x3e, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x3c, 0x2f, 0x62, 0x3e, 0xed, 0xa0, 0x80]);
  const e3 = entry(3, { host: 'evil.test', path: '/broken-utf8', responseType: 'text/html; charset=utf-8', responseBody: 'x' });
  e3.response.content = { size: broken.length, mimeType: 'text/html; charset=utf-8', text: broken.toString('base64'), encoding: 'base64' };
  e3.response.headers.push({ name: 'X-Broken', value: 'caf\u00e9 \ufffd <b>bold</b>' });
  entries.push(e3);
  const e4 = entry(4, { host: 'images.test', path: '/pixel.png', responseType: 'image/png', responseBody: 'x' });
  e4.response.content = { size: 70, mimeType: 'image/png', text: PNG_1x1, encoding: 'base64' };
  entries.push(e4);
  fs.writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 'ui test', version: '1' }, pages: [], entries } }));
  return file;
}

/**
 * A classic pcap of two loopback connections (Ethernet, IPv4, TCP) whose
 * capture carries what a HAR cannot: response headers with raw bytes that
 * are no UTF-8, and a WebSocket with markup in its messages.
 */
function writeHostilePcap(file) {
  const records = [];
  let usec = (Date.now() - 3600_000) * 1000;
  const packet = (srcPort, dstPort, seq, ack, flags, payload = Buffer.alloc(0)) => {
    const ip = Buffer.alloc(20);
    ip.writeUInt8(0x45, 0);
    ip.writeUInt16BE(40 + payload.length, 2);
    ip.writeUInt16BE(0x4000, 6);  // don't fragment
    ip.writeUInt8(64, 8);
    ip.writeUInt8(6, 9);  // TCP
    ip.set([127, 0, 0, 1], 12);
    ip.set([127, 0, 0, 1], 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += ip.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    ip.writeUInt16BE(~sum & 0xffff, 10);
    // TCP checksum 0: loopback captures have offloaded checksums, the reader does not check them.
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(srcPort, 0);
    tcp.writeUInt16BE(dstPort, 2);
    tcp.writeUInt32BE(seq, 4);
    tcp.writeUInt32BE(ack, 8);
    tcp.writeUInt8(5 << 4, 12);
    tcp.writeUInt8(flags, 13);
    tcp.writeUInt16BE(65535, 14);
    const ether = Buffer.alloc(14);
    ether.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([ether, ip, tcp, payload]);
    const head = Buffer.alloc(16);
    usec += 2000;
    head.writeUInt32LE(Math.floor(usec / 1e6), 0);
    head.writeUInt32LE(usec % 1e6, 4);
    head.writeUInt32LE(frame.length, 8);
    head.writeUInt32LE(frame.length, 12);
    records.push(head, frame);
  };
  const [FIN, SYN, PSH, ACK] = [0x01, 0x02, 0x08, 0x10];
  // A connection from `port` to 80: handshake, then [from client?, bytes] turns, each acked, then FINs both ways.
  const connection = (port, turns) => {
    let c = 1_000_000;
    let s = 5_000_000;
    packet(port, 80, c++, 0, SYN);
    packet(80, port, s++, c, SYN | ACK);
    packet(port, 80, c, s, ACK);
    for (const [client, bytes] of turns) {
      if (client) { packet(port, 80, c, s, PSH | ACK, bytes); c += bytes.length; packet(80, port, s, c, ACK); }
      else { packet(80, port, s, c, PSH | ACK, bytes); s += bytes.length; packet(port, 80, c, s, ACK); }
    }
    packet(port, 80, c++, s, FIN | ACK);
    packet(80, port, s++, c, FIN | ACK);
    packet(port, 80, c, s, ACK);
  };
  const text = (...parts) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
  connection(40000, [
    [true, text('GET /raw-headers HTTP/1.1\r\nHost: evil-pcap.test\r\nUser-Agent: ui-test\r\n\r\n')],
    [false, text('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n',
      'X-Raw: <img src=x onerror=window.__pwned=21> ', [0xff, 0xfe, 0xc3, 0x28], ' caf', [0xc3, 0xa9], ' end\r\n',
      'Link: <javascript:window.__pwned=22>\r\n\r\nok')],
  ]);
  // WebSocket frames: FIN + opcode, then the length; a client's payload is masked (RFC 6455 §5.3).
  const frame = (opcode, payload, mask) => {
    const bytes = Buffer.from(payload);
    if (!mask) return Buffer.concat([Buffer.from([0x80 | opcode, bytes.length]), bytes]);
    const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
    return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | bytes.length]), key, bytes.map((b, i) => b ^ key[i % 4])]);
  };
  connection(40001, [
    [true, text('GET /ws HTTP/1.1\r\nHost: evil-pcap.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n')],
    [false, text('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n',
      'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n')],
    [true, frame(1, '<script>window.__pwned=23</script>', true)],
    [false, frame(1, '<img src=x onerror=window.__pwned=24>')],
    [false, frame(2, [0xff, 0xfe, 0x00, 0x01])],
    [true, frame(8, [0x03, 0xe8], true)],
    [false, frame(8, [0x03, 0xe8])],
  ]);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20);  // Ethernet
  fs.writeFileSync(file, Buffer.concat([header, ...records]));
  return file;
}

async function sql(db, query) {
  const r = await runTrafficdb(['--db', db, 'sql', '--json', query]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** `trafficdb ui` on a free port; resolves once it printed its URL. */
async function startUi(db, args = []) {
  const child = spawn(BINARY, ['--db', db, 'ui', '--http', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const url = await pollUntil(() => (/^(http:\/\/\S+)\n/m.exec(out) || [])[1], { timeoutMs: 10_000 });
  if (!url) { child.kill('SIGKILL'); throw new Error(`trafficdb ui printed no URL: ${err}`); }
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    url, child, stderr: () => err,
    async stop() { child.kill('SIGTERM'); return exited; },
  };
}

describe('trafficdb ui in headless Chromium', () => {
  let dir, db, ui, browser, page;
  const problems = [];  // page errors, dialogs, CSP violations: none may happen

  before(async () => {
    dir = makeTempDir('ui-browser');
    db = path.join(dir, 'traffic.db');
    await importFile(db, path.join(here, '../../examples/sample.har'), 'sample');
    await importFile(db, writeHar(path.join(dir, 'api.har'), 300, {
      specOf: (i) => ({ host: i % 3 === 0 ? 'shop.example.test' : 'api.example.test', status: i % 10 === 0 ? 503 : i % 7 === 0 ? 404 : 200,
        method: i % 5 === 0 ? 'POST' : 'GET', path: `/v1/items/${i}`, time: 5 + (i % 40) }),
    }), 'api');
    const samples = '/work/shared/samples/har';
    if (fs.existsSync(samples)) {
      for (const f of fs.readdirSync(samples).filter((n) => n.endsWith('.har')).slice(0, 3)) {
        await runTrafficdb(['--db', db, 'import', path.join(samples, f)], { timeoutMs: 120_000 });
      }
    }
    await importFile(db, writeHostileHar(path.join(dir, 'hostile.har')), 'hostile');
    await importFile(db, writeHostilePcap(path.join(dir, 'hostile.pcap')), 'hostile-pcap');
    ui = await startUi(db);
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
    page.on('dialog', async (d) => { problems.push('dialog: ' + d.message()); await d.dismiss(); });
    page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push('console: ' + m.text()); });
    await page.evaluateOnNewDocument(() => {
      window.__violations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    });
  });

  after(async () => {
    await browser?.close();
    await ui?.stop();
  });

  const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, name + '.png'), fullPage: true });
  const goto = async (hash, loaded) => {
    await page.goto(ui.url.replace(/\/?$/, '/') + hash, { waitUntil: 'domcontentloaded' });
    if (loaded) await page.waitForFunction((l) => document.body.dataset.loaded === l, { timeout: 10_000 }, loaded);
  };
  // Nothing from the captures ran, or even tried to: no script, frame, foreign image or link in the page.
  const assertRanNothing = async () => {
    const state = await page.evaluate(() => ({
      pwned: window.__pwned,
      violations: window.__violations,
      scripts: [...document.scripts].map((s) => s.getAttribute('src')),
      frames: document.querySelectorAll('iframe, object, embed').length,
      images: [...document.images].map((i) => i.src).filter((s) => !s.startsWith('blob:')),
      jsLinks: [...document.links].map((a) => a.getAttribute('href')).filter((h) => !/^(#|\/api\/)/.test(h)),
    }));
    assert.equal(state.pwned, undefined, 'no captured script ran');
    assert.deepEqual(state.violations, [], 'nothing even tried to run (no CSP violation)');
    assert.ok(state.scripts.every((s) => s && s.startsWith('/assets/')), `only the app's scripts: ${state.scripts}`);
    assert.equal(state.frames, 0);
    assert.deepEqual(state.images, []);
    assert.deepEqual(state.jsLinks, []);
  };
  const rowIds = (table) => page.$$eval(`#${table} tbody tr`, (rows) => rows.map((r) => Number(r.dataset.id)));

  it('serves the page with a strict Content-Security-Policy and refuses foreign origins and hosts', async () => {
    const res = await fetch(ui.url);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-security-policy'), /script-src 'self';/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]|\son[a-z]+=/i, 'no inline script or handler in the page');
    assert.equal((await fetch(ui.url + 'api/sessions', { headers: { Origin: 'https://evil.example' } })).status, 403);
    const port = new URL(ui.url).port;
    const rebound = await new Promise((resolve) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, path: '/api/sessions', headers: { Host: `evil.example:${port}` } }, (r) => resolve(r.statusCode));
        req.end();
      });
    });
    assert.equal(rebound, 403, 'a DNS-rebound Host is refused');
    const del = await fetch(ui.url + 'api/sessions/1', { method: 'DELETE' });
    assert.equal(del.status, 403, 'deleting without the UI header is refused');
  });

  it('the sessions page lists every session of the store', async () => {
    await goto('#/sessions');
    await page.waitForSelector('#sessions tbody tr');
    const want = await sql(db, 'SELECT id, exchange_count FROM sessions ORDER BY id DESC');
    assert.deepEqual(await rowIds('sessions'), want.map((r) => r.id));
    const counts = await page.$$eval('#sessions tbody tr', (rows) => rows.map((r) => Number(r.children[5].textContent)));
    assert.deepEqual(counts, want.map((r) => r.exchange_count));
    // Sizes come second: the bodies' bytes per session.
    await page.waitForFunction(() => document.body.dataset.loaded === 'sessions-sized');
    const bytes = await sql(db, 'SELECT s.id, (SELECT coalesce(sum(coalesce(req_body_size, 0) + coalesce(resp_body_size, 0)), 0) ' +
      'FROM exchanges e WHERE e.session_id = s.id) AS bytes FROM sessions s ORDER BY s.id DESC');
    const shown = await page.$$eval('#sessions tbody td.size', (cells) => cells.map((c) => c.textContent));
    const format = (n) => (n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB');
    assert.deepEqual(shown, bytes.map((r) => format(r.bytes)));
    const text = await page.$eval('#sessions', (t) => t.textContent);
    assert.match(text, /hostile/);
    assert.match(text, /api/);
    await shot('sessions');
  });

  it('the exchanges page shows the newest rows, pages by cursor, and filters change the rows and the URL', async () => {
    await goto('#/exchanges', 'exchanges');
    const newest = (await sql(db, 'SELECT id FROM exchanges ORDER BY id DESC LIMIT 100')).map((r) => r.id);
    assert.deepEqual(await rowIds('exchanges'), newest);
    await shot('exchanges');
    // More: the next page by cursor.
    await page.click('#more');
    await page.waitForFunction(() => document.querySelectorAll('#exchanges tbody tr').length > 100);
    const two = (await sql(db, 'SELECT id FROM exchanges ORDER BY id DESC LIMIT 200')).map((r) => r.id);
    assert.deepEqual(await rowIds('exchanges'), two);
    // A filter from the bar: the URL says it, the rows obey it.
    await page.type('#f-host', 'shop.example.test');
    await page.type('#f-status', '5xx');
    await page.click('#apply-filters');
    await page.waitForFunction(() => location.hash.includes('host=shop.example.test') && document.body.dataset.loaded === 'exchanges' &&
      document.querySelector('#f-host').value === 'shop.example.test');
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /status=5xx/);
    const filtered = (await sql(db, "SELECT id FROM exchanges WHERE host = 'shop.example.test' AND status >= 500 ORDER BY id DESC")).map((r) => r.id);
    assert.ok(filtered.length > 0);
    assert.deepEqual(await rowIds('exchanges'), filtered);
    await shot('exchanges-filtered');
    // The same URL opened fresh (a bookmark) shows the same rows; oldest first reverses them.
    await goto(hash + '&order=oldest', 'exchanges');
    assert.deepEqual(await rowIds('exchanges'), [...filtered].reverse());
    // A bad filter says what is wrong.
    await goto('#/exchanges?status=abc');
    await page.waitForSelector('#exchanges-status .error');
    assert.match(await page.$eval('#exchanges-status', (e) => e.textContent), /status/);
  });

  it('the live tail shows a row stored while the page is open', async () => {
    await goto('#/exchanges?host=live.example.test&follow=1', 'exchanges');
    await page.waitForFunction(() => /live:/.test(document.querySelector('#live-status').textContent));
    assert.deepEqual(await rowIds('exchanges'), []);
    await importFile(db, writeHar(path.join(dir, 'live.har'), 3, { firstIndex: 500,
      specOf: (i) => ({ host: 'live.example.test', path: `/live/${i}` }) }), 'live');
    await page.waitForFunction(() => document.querySelectorAll('#exchanges tbody tr').length === 3, { timeout: 10_000 });
    const stored = (await sql(db, "SELECT id FROM exchanges WHERE host = 'live.example.test' ORDER BY id DESC")).map((r) => r.id);
    assert.deepEqual(await rowIds('exchanges'), stored);
    assert.match(await page.$eval('#live-status', (e) => e.textContent), /3 new/);
    await shot('exchanges-live');
  });

  it('one exchange: headers, JSON as a foldable tree, timings, curl, HAR, and a diff', async () => {
    const [a, b] = (await sql(db, "SELECT id FROM exchanges WHERE host = 'api.example.test' AND status = 200 ORDER BY id LIMIT 2")).map((r) => r.id);
    await goto(`#/exchange/${a}`, 'exchange');
    assert.match(await page.$eval('#exchange-url', (e) => e.textContent), /^https:\/\/api\.example\.test\/v1\/items\//);
    assert.equal(await page.$eval('#response-body', (e) => e.dataset.view), 'json');
    assert.ok(await page.$('#response-body details.j-node'), 'JSON is a foldable tree');
    assert.ok(await page.$('.timings .bar .seg'), 'timings bar');
    assert.match(await page.$eval('#response-headers', (e) => e.textContent), /Content-Type/);
    await page.click('#copy-curl');
    await page.waitForFunction(() => !document.querySelector('#curl').hidden);
    assert.match(await page.$eval('#curl', (e) => e.textContent), /^curl /);
    const har = await page.evaluate(async (id) => (await fetch(`/api/exchanges/${id}/har`)).json(), a);
    assert.equal(har.log.entries.length, 1);
    assert.equal(har.log.entries[0]._trafficdb.id, a);
    await shot('exchange');
    await page.type('#diff-with', String(b));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.loaded === 'diff');
    assert.match(await page.$eval('#diff', (e) => e.textContent), /request line|response body|url/i);
    await shot('diff');
  });

  it('an image body is shown from bytes the page decodes itself', async () => {
    const [id] = (await sql(db, "SELECT id FROM exchanges WHERE host = 'images.test'")).map((r) => r.id);
    await goto(`#/exchange/${id}`, 'exchange');
    const img = await page.$eval('#response-body img', (i) => ({ src: i.src, width: i.naturalWidth }));
    assert.match(img.src, /^blob:/);
    await page.waitForFunction(() => document.querySelector('#response-body img').complete);
    assert.equal(await page.$eval('#response-body img', (i) => i.naturalWidth), 1);
  });

  it('hostile captures are shown as text and run nothing', async () => {
    const hostile = (await sql(db, "SELECT id FROM exchanges WHERE host = 'evil.test' ORDER BY id")).map((r) => r.id);
    assert.equal(hostile.length, 4);
    await goto('#/exchanges?host=evil.test', 'exchanges');
    assert.match(await page.$eval('#exchanges', (e) => e.textContent), /<script>window.__pwned=1<\/script>/);
    await shot('hostile-list');
    for (const id of hostile) {
      await goto(`#/exchange/${id}`, 'exchange');
      await sleep(300);  // time for anything that would run to run
      await shot(`hostile-exchange-${id}`);
    }
    // The HTML body is its source, as text.
    await goto(`#/exchange/${hostile[0]}`, 'exchange');
    assert.equal(await page.$eval('#response-body', (e) => e.dataset.view), 'html-source');
    assert.match(await page.$eval('#response-body pre', (e) => e.textContent), /<script>window.__pwned=3/);
    assert.match(await page.$eval('#response-headers', (e) => e.textContent), /javascript:window.__pwned=7/);
    // The broken UTF-8 body: shown (as hex or replaced text), the page intact.
    await goto(`#/exchange/${hostile[3]}`, 'exchange');
    assert.ok(await page.$('#response-body pre'));
    await assertRanNothing();
  });

  it('a pcap\'s raw header bytes and WebSocket messages are shown as text and run nothing', async () => {
    const [raw, ws] = (await sql(db, "SELECT id FROM exchanges WHERE host = 'evil-pcap.test' ORDER BY id")).map((r) => r.id);
    // Header bytes that are no UTF-8 are read as Latin-1, one by one; the valid é beside them stays.
    await goto(`#/exchange/${raw}`, 'exchange');
    await sleep(300);
    await shot('hostile-pcap-headers');
    const headers = await page.$eval('#response-headers', (e) => e.textContent);
    assert.ok(headers.includes('<img src=x onerror=window.__pwned=21> \u00ff\u00fe\u00c3( caf\u00e9 end'), headers);
    assert.ok(headers.includes('<javascript:window.__pwned=22>'), headers);
    assert.equal(await page.$eval('#response-body pre', (e) => e.textContent), 'ok');
    await assertRanNothing();

    await goto(`#/exchange/${ws}`, 'exchange');
    await sleep(300);
    await shot('hostile-pcap-websocket');
    assert.match(await page.$eval('#exchange-status', (e) => e.textContent), /^101 /);
    assert.match(await page.$eval('#websocket h2', (e) => e.textContent), /\(5\)/);
    const messages = await page.$$eval('#websocket tbody tr', (rows) => rows.map((r) => ({
      from: r.children[1].textContent, opcode: Number(r.children[2].textContent),
      text: r.querySelector('pre.text')?.textContent, hex: r.querySelector('pre.hex')?.textContent })));
    assert.deepEqual(messages.map((m) => [m.from, m.opcode]),
      [['client', 1], ['server', 1], ['server', 2], ['client', 8], ['server', 8]]);
    assert.equal(messages[0].text, '<script>window.__pwned=23</script>', 'the client\'s frame unmasked, shown as text');
    assert.equal(messages[1].text, '<img src=x onerror=window.__pwned=24>');
    assert.match(messages[2].hex, /^00000000  ff fe 00 01 /);
    await assertRanNothing();
  });

  it('the waterfall draws a session\'s exchanges on a time axis, grouped by connection', async () => {
    const [session] = (await sql(db, "SELECT id FROM sessions WHERE name = 'api'")).map((r) => r.id);
    await goto(`#/waterfall?session_id=${session}`, 'waterfall');
    const count = (await sql(db, `SELECT count(*) AS n FROM exchanges WHERE session_id = ${session}`))[0];
    const bars = await page.$$eval('#waterfall .wf-row[data-id]', (rows) => rows.length);
    assert.equal(bars, count.n);
    assert.ok(await page.$('#waterfall .wf-group'));
    await shot('waterfall');
  });

  it('statistics: requests and errors over time, latency by endpoint, status mix', async () => {
    await goto('#/stats?host=api.example.test', 'stats');
    const total = (await sql(db, "SELECT count(*) AS n FROM exchanges WHERE host = 'api.example.test'"))[0];
    assert.match(await page.$eval('#stats-status', (e) => e.textContent), new RegExp(`^${total.n} exchanges`));
    for (const id of ['chart-timeline', 'chart-latency', 'chart-status']) {
      const drawn = await page.$eval('#' + id, (c) => c.width > 0 && c.height > 0);
      assert.ok(drawn, id);
    }
    assert.match(await page.$eval('#stats-table', (e) => e.textContent), /GET \/v1\/items\/\{id\}/);
    await shot('stats');
  });

  it('nothing went wrong in the page', () => {
    assert.deepEqual(problems, []);
  });
});

describe('trafficdb ui with a token', () => {
  let dir, ui;
  before(async () => {
    dir = makeTempDir('ui-token');
    const db = path.join(dir, 'traffic.db');
    await importFile(db, path.join(here, '../../examples/sample.har'), 'sample');
    ui = await startUi(db, ['--token', 'secret-token-123']);
  });
  after(async () => { await ui?.stop(); });

  it('needs the token, takes it from the printed URL once, then a cookie', async () => {
    assert.match(ui.url, /\?token=secret-token-123$/);
    const base = ui.url.replace(/\?.*$/, '');
    assert.equal((await fetch(base + 'api/sessions')).status, 401);
    assert.equal((await fetch(base + 'api/sessions', { headers: { Authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(base + 'api/sessions', { headers: { Authorization: 'Bearer secret-token-123' } })).status, 200);
    const first = await fetch(ui.url, { redirect: 'manual' });
    assert.equal(first.status, 303);
    const cookie = first.headers.get('set-cookie');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const withCookie = await fetch(base + 'api/sessions', { headers: { Cookie: cookie.split(';')[0] } });
    assert.equal(withCookie.status, 200);
  });

  it('stops cleanly on SIGTERM', async () => {
    const end = await ui.stop();
    ui = null;
    assert.equal(end.code, 0);
  });
});
