// Shared by the MCP tests (mcp_stdio.test.mjs, mcp_http.test.mjs), which drive
// `trafficdb mcp` with the official MCP TypeScript SDK client against the
// contract in docs/mcp.md:
// - the environment: the trafficdb binary ($TRAFFICDB_BINARY), a temp dir
//   ($TRAFFICDB_TEST_TMP or a fresh one), and the SDK (tests/node/node_modules;
//   without it the process exits 77, which ctest shows as Skipped);
// - test data: HAR files written here, imported with `trafficdb import`;
// - the server: a stdio SDK client, or an HTTP server process plus an SDK
//   client or raw fetch;
// - the tool table of docs/mcp.md and the contract suite both transports run
//   (tools/list metadata, every tool, its bad arguments, resources).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- environment

/** The exit status ctest maps to "Skipped" (SKIP_RETURN_CODE in tests/CMakeLists.txt). */
export const SKIP_EXIT = 77;

function skipFile(reason) {
  console.log(`SKIPPED: ${reason}`);
  process.exit(SKIP_EXIT);
}

if (!fs.existsSync(path.join(here, 'node_modules', '@modelcontextprotocol', 'sdk', 'package.json'))) {
  skipFile(`${path.join(here, 'node_modules')} has no @modelcontextprotocol/sdk: run scripts/setup-node.sh`);
}

// Loaded only now, so that a missing node_modules is a skip and not a crash.
export const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
export const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
export const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
export const { McpError, ErrorCode, LATEST_PROTOCOL_VERSION } = await import('@modelcontextprotocol/sdk/types.js');

export const BINARY = path.resolve(process.env.TRAFFICDB_BINARY ?? path.join(here, '../../build/trafficdb'));
if (!fs.existsSync(BINARY)) {
  console.error(`trafficdb binary not found at ${BINARY}: set TRAFFICDB_BINARY`);
  process.exit(1);
}

export const INSPECTOR_CLI = path.join(here, 'node_modules', '@modelcontextprotocol', 'inspector', 'cli', 'build', 'cli.js');

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A fresh directory under $TRAFFICDB_TEST_TMP (or the system temp dir), removed at exit. */
export function makeTempDir(prefix) {
  const base = process.env.TRAFFICDB_TEST_TMP ?? os.tmpdir();
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, `${prefix}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Runs `check` on every case and fails once at the end with every failure,
 * so that one run reports all that is wrong (e.g. every tool's schema).
 */
export async function checkEach(cases, check) {
  const failures = [];
  for (const c of cases) {
    try {
      await check(c);
    } catch (error) {
      failures.push(error.message);
    }
  }
  assert.deepEqual(failures, [], `${failures.length} of ${cases.length} failed:\n${failures.join('\n')}`);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function pollUntil(probe, { timeoutMs = 3000, intervalMs = 50 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------ test data

/** Milliseconds: entries start an hour ago, so `since: "2h"` holds them all. */
const BASE_TIME = Date.now() - 3600_000;

/**
 * One HAR 1.2 entry. `spec` says what varies; the rest is the smallest entry
 * the HAR reader takes.
 */
export function harEntry(i, spec = {}) {
  const {
    method = 'GET', host = 'api.example.test', path: urlPath = `/v1/items/${i}`,
    status = 200, requestHeaders = [], requestBody, responseBody = `{"n":${i}}`,
    responseType = 'application/json', time = 5 + (i % 50),
  } = spec;
  const request = {
    method,
    url: `https://${host}${urlPath}`,
    httpVersion: 'HTTP/1.1',
    headers: [{ name: 'Host', value: host }, ...requestHeaders],
    queryString: [], cookies: [], headersSize: -1, bodySize: requestBody ? requestBody.length : 0,
  };
  if (requestBody !== undefined) request.postData = { mimeType: 'application/json', text: requestBody };
  return {
    startedDateTime: new Date(BASE_TIME + i * 10).toISOString(),
    time,
    request,
    response: {
      status, statusText: status < 400 ? 'OK' : 'Error', httpVersion: 'HTTP/1.1',
      headers: [{ name: 'Content-Type', value: responseType }],
      cookies: [], redirectURL: '', headersSize: -1, bodySize: responseBody.length,
      content: { size: responseBody.length, mimeType: responseType, text: responseBody },
    },
    cache: {},
    timings: { send: 0, wait: time, receive: 0 },
  };
}

/**
 * Writes a HAR of `count` entries, entry i being harEntry(firstIndex + i, specOf(i)),
 * in chunks (a 200k-entry file is tens of MB).
 */
export function writeHar(file, count, { specOf = () => ({}), firstIndex = 0 } = {}) {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, '{"log":{"version":"1.2","creator":{"name":"trafficdb mcp tests","version":"1"},"pages":[],"entries":[\n');
    const chunk = [];
    for (let i = 0; i < count; i++) {
      chunk.push(JSON.stringify(harEntry(firstIndex + i, specOf(i))));
      if (chunk.length === 5000 || i === count - 1) {
        fs.writeSync(fd, (i >= chunk.length ? ',\n' : '') + chunk.join(',\n'));
        chunk.length = 0;
      }
    }
    fs.writeSync(fd, '\n]}}\n');
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** Runs the trafficdb CLI; resolves {code, stdout, stderr}. */
export function runTrafficdb(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((resolve) => {
    execFile(BINARY, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (error.code ?? 'killed') : 0, stdout, stderr });
    });
  });
}

/** `trafficdb --db DB import FILE --name NAME`, which must store every entry. */
export async function importFile(db, file, name) {
  const result = await runTrafficdb(['--db', db, 'import', file, ...(name ? ['--name', name] : [])]);
  assert.equal(result.code, 0, `trafficdb import ${file} failed: ${result.stderr}`);
  return result;
}

// -------------------------------------------------------------------- clients

/** Collects a readable stream's text (a child's stderr) for failure messages. */
function collectText(stream) {
  const sink = { text: '' };
  stream?.setEncoding?.('utf8');
  stream?.on('data', (chunk) => { sink.text += chunk; });
  return sink;
}

/**
 * An SDK client connected to a trafficdb MCP server, with helpers that check
 * each tools/call against docs/mcp.md. `problems` gathers what the client
 * could not take (e.g. a stdout line that is not JSON-RPC).
 */
export class McpConnection {
  constructor(client, transport, { stderr, cleanup } = {}) {
    this.client = client;
    this.transport = transport;
    this.stderr = stderr;
    this.cleanup = cleanup;
    this.problems = [];
    client.onerror = (error) => this.problems.push(error);
  }

  /** Connects a client over `transport`; `cleanup` runs after close() (e.g. stops an HTTP server). */
  static async open(transport, options) {
    const client = new Client({ name: 'trafficdb-tests', version: '1.0.0' });
    const connection = new McpConnection(client, transport, options);
    await client.connect(transport);
    // listTools() makes the client validate every later structuredContent against its tool's outputSchema.
    connection.tools = (await client.listTools()).tools;
    return connection;
  }

  /** tools/call; resolves the raw CallToolResult (already validated by the SDK). */
  call(name, args = {}, options) {
    return this.client.callTool({ name, arguments: args }, undefined, options);
  }

  /**
   * Calls a tool that must succeed; returns its structuredContent (for a page, with `items`: its rows as
   * objects; a page tool is asked for its rows there with structured: true unless `args` says otherwise),
   * after checking the text block is a compact rendering and not the same JSON again.
   */
  async ok(name, args = {}, options) {
    if (TOOLS[name]?.page && args.structured === undefined) args = { ...args, structured: true };
    const result = await this.call(name, args, options);
    const text = textOf(result);
    assert.ok(!result.isError, `${name} ${JSON.stringify(args)} failed: ${text}`);
    assert.equal(typeof result.structuredContent, 'object', `${name}: no structuredContent`);
    const textBlock = result.content.find((block) => block.type === 'text');
    assert.ok(textBlock && textBlock.text.length > 0, `${name}: no text block beside structuredContent`);
    assert.throws(() => JSON.parse(textBlock.text), undefined, `${name}: the text block is JSON, not a compact text`);
    return withItems(result.structuredContent);
  }

  /** Calls a tool that must answer isError:true with a message matching `says`; returns the message. */
  async fails(name, args, says) {
    const result = await this.call(name, args);
    const text = textOf(result);
    assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} should answer isError:true, got ${text}`);
    assert.match(text, says, `${name} ${JSON.stringify(args)}: the message should say what was wrong`);
    return text;
  }

  /** peek_exchanges or filter_exchanges from `cursor` until next_cursor is null; returns every item. */
  async pageAll(tool, args = {}) {
    const items = [];
    let cursor = args.cursor ?? 0;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10_000, `${tool}: no end to the pages`);
      const page = await this.ok(tool, { ...args, cursor });
      items.push(...page.items);
      if (page.next_cursor === null) {
        assert.equal(page.has_more, false, `${tool}: has_more with next_cursor null`);
        return items;
      }
      assert.ok(page.next_cursor > cursor, `${tool}: next_cursor ${page.next_cursor} does not move past ${cursor}`);
      cursor = page.next_cursor;
    }
  }

  /** read_exchanges for `consumer` until it returns no row; returns every item. */
  async readAll(consumer, args = {}) {
    const items = [];
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10_000, 'read_exchanges: no end to the pages');
      const page = await this.ok('read_exchanges', { ...args, consumer });
      assert.equal(page.consumer, consumer);
      if (page.items.length === 0) return items;
      items.push(...page.items);
    }
  }

  /** The session `id` from list_sessions (first page: the newest 100 are enough here). */
  async session(id) {
    const { items } = await this.ok('list_sessions', { limit: 100 });
    return items.find((s) => s.id === id);
  }

  async close() {
    await this.client.close();
    await this.cleanup?.();
  }
}

/**
 * A page ({columns, rows, ...}) with `items`: each row as an object of its non-null values keyed by column
 * (a page leaves out columns null in all its rows, so items of different pages compare equal this way);
 * anything else as it is.
 */
export function withItems(structured) {
  if (!Array.isArray(structured?.columns) || !Array.isArray(structured?.rows)) return structured;
  const items = structured.rows.map((row) => Object.fromEntries(
    structured.columns.map((c, i) => [c, row[i]]).filter(([, v]) => v !== null)));
  return { ...structured, items };
}

export function textOf(result) {
  return (result.content ?? []).filter((b) => b.type === 'text').map((b) => b.text).join('\n');
}

/** Spawns `trafficdb --db DB mcp ARGS` over stdio and connects the SDK client to it. */
export async function connectStdio({ db, args = [], cwd }) {
  const transport = new StdioClientTransport({
    command: BINARY, args: ['--db', db, 'mcp', ...args], cwd,
    env: { ...process.env }, stderr: 'pipe',
  });
  const stderr = collectText(transport.stderr);
  return McpConnection.open(transport, { stderr });
}

/**
 * Runs `trafficdb --db DB mcp --http 127.0.0.1:PORT ARGS` on a free port;
 * resolves once it accepts connections: {url, port, child, stderr, stop()}.
 */
export async function startHttpServer({ db, args = [], cwd }) {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(BINARY, ['--db', db, 'mcp', '--http', `127.0.0.1:${port}`, ...args],
      { cwd, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = collectText(child.stdout);
    const stderr = collectText(child.stderr);
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const listening = await pollUntil(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return 'exited';
      return (await canConnect(port)) ? 'listening' : null;
    }, { timeoutMs: 10_000 });
    if (listening === 'listening') {
      return {
        url: `http://127.0.0.1:${port}/mcp`, port, child, stdout, stderr, exited,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          const end = await exited;
          clearTimeout(timer);
          return end;
        },
      };
    }
    child.kill('SIGKILL');
    await exited;
    if (attempt === 3 || !/in use|bind/i.test(stderr.text)) {
      throw new Error(`trafficdb mcp --http did not start listening on ${port}: ${stderr.text}`);
    }
  }
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Connects the SDK's Streamable HTTP client to `url`, with a bearer token when given. */
export function connectHttp(url, { token, cleanup } = {}) {
  const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
  return McpConnection.open(new StreamableHTTPClientTransport(new URL(url), { requestInit }), { cleanup });
}

// ------------------------------------------------------- the tools of docs/mcp.md

/** The filters every listing tool takes, with their JSON Schema types. */
export const FILTERS = {
  session_id: 'integer', source: 'string', host: 'string', method: 'string', status: 'string',
  path_prefix: 'string', path_contains: 'string', path_glob: 'string', url_contains: 'string',
  url_regex: 'string', req_content_type: 'string', resp_content_type: 'string', header: 'string',
  body_contains: 'string', has_error: 'boolean', min_duration_ms: 'number', min_size: 'integer',
  max_size: 'integer', since: 'string', until: 'string', endpoint: 'string',
};

/** The session sources of docs/mcp.md's filter table. */
export const SOURCES = ['pcap', 'pcap-live', 'har', 'charles', 'charles-live', 'httptoolkit', 'replay'];

/** docs/mcp.md's tool table: read-only or not, required arguments, documented defaults. */
export const TOOLS = {
  list_sessions: { readOnly: true, defaults: { limit: 20 } },
  peek_exchanges: { readOnly: true, filters: true, page: true, defaults: { cursor: 0, limit: 20, structured: false } },
  read_exchanges: { readOnly: false, filters: true, page: true, required: ['consumer'], defaults: { limit: 20, structured: false } },
  filter_exchanges: { readOnly: true, filters: true, page: true, defaults: { cursor: 0, newest_first: false, limit: 20, structured: false } },
  get_exchange: { readOnly: true, required: ['id'], defaults: { offset: 0, max_body_bytes: 4096, redact: true } },
  traffic_stats: { readOnly: true, filters: true, defaults: { group_by: 'host', limit: 20 } },
  run_sql: { readOnly: true, required: ['sql'], defaults: { max_rows: 100 } },
  import_capture: { readOnly: false, required: ['path'] },
  export_har: { readOnly: false, filters: true, required: ['path'] },
  save_body: { readOnly: false, required: ['id', 'path'], defaults: { part: 'response', overwrite: false } },
  delete_session: { readOnly: false, destructive: true, required: ['session_id'] },
  start_capture: { readOnly: false, required: ['source'], defaults: { proxy: 'http://127.0.0.1:8888' } },
  stop_capture: { readOnly: false, required: ['session_id'] },
  diff_exchanges: { readOnly: true, required: ['a', 'b'], defaults: { all_headers: false, redact: true } },
  wait_for_exchange: { readOnly: true, filters: true, page: true, defaults: { timeout_s: 30, limit: 20, structured: false } },
  diff_sessions: { readOnly: true, required: ['a', 'b'], defaults: { max_endpoints: 50 } },
  replay_exchange: {
    readOnly: false, destructive: true, required: ['id'],
    defaults: { confirm: false, insecure: false, timeout_s: 30, max_body_bytes: 4096, redact: true },
  },
};

function typesOf(schema) {
  return [schema.type].flat().filter(Boolean);
}

/** Checks tools/list against TOOLS: names, titles, descriptions, schemas, annotations. */
export async function checkToolList(tools) {
  assert.deepEqual(tools.map((t) => t.name).sort(), Object.keys(TOOLS).sort(), 'the tools of docs/mcp.md, no more');
  await checkEach(tools, (tool) => {
    const spec = TOOLS[tool.name];
    const where = `tool ${tool.name}`;
    assert.ok(typeof tool.title === 'string' && tool.title.length > 0, `${where}: no title`);
    assert.ok(typeof tool.description === 'string' && tool.description.length > 20, `${where}: no useful description`);
    assert.equal(tool.inputSchema?.type, 'object', `${where}: inputSchema is not an object schema`);
    assert.equal(tool.outputSchema?.type, 'object', `${where}: no outputSchema`);

    const properties = tool.inputSchema.properties ?? {};
    for (const [name, schema] of Object.entries(properties)) {
      assert.ok(typeof schema.description === 'string' && schema.description.length > 0,
        `${where}: argument ${name} has no description`);
    }
    for (const name of spec.required ?? []) {
      assert.ok(name in properties, `${where}: no argument ${name}`);
      assert.ok((tool.inputSchema.required ?? []).includes(name), `${where}: ${name} is not required`);
    }
    for (const [name, value] of Object.entries(spec.defaults ?? {})) {
      assert.ok(name in properties, `${where}: no argument ${name}`);
      assert.deepEqual(properties[name].default, value, `${where}: ${name} should default to ${value}`);
    }
    if ('limit' in properties) {
      // Bounds: limit 0 and 100000 are refused (docs/mcp.md), so the schema says where they lie.
      assert.ok(properties.limit.minimum >= 1, `${where}: limit has no minimum >= 1`);
      assert.ok(properties.limit.maximum > 20 && properties.limit.maximum < 100000, `${where}: limit has no maximum`);
    }
    if (spec.filters) {
      const sources = properties.source?.enum;
      if (sources) assert.deepEqual([...sources].sort(), [...SOURCES].sort(), `${where}: source enum`);
      for (const [name, type] of Object.entries(FILTERS)) {
        assert.ok(name in properties, `${where}: no filter ${name}`);
        const types = typesOf(properties[name]);
        assert.ok(types.includes(type) || (type === 'number' && types.includes('integer')),
          `${where}: filter ${name} is ${types.join('|')}, docs/mcp.md says ${type}`);
      }
    }

    const annotations = tool.annotations ?? {};
    assert.equal(annotations.readOnlyHint === true, spec.readOnly,
      `${where}: readOnlyHint should be ${spec.readOnly}`);
    if (!spec.readOnly) {
      // destructiveHint defaults to true in the spec, so the write tools that are not destructive must say false.
      assert.equal(annotations.destructiveHint, spec.destructive === true,
        `${where}: destructiveHint should be ${spec.destructive === true}`);
    }
  });
  const start = tools.find((t) => t.name === 'start_capture').inputSchema.properties;
  for (const option of ['name', 'duration', 'max_exchanges', 'interface', 'filter', 'snaplen', 'proxy', 'user', 'password']) {
    assert.ok(option in start, `start_capture: no option ${option}`);
  }
  assert.ok(['pcap', 'charles'].every((s) => start.source.enum?.includes(s)), 'start_capture: source enum lacks pcap/charles');
}

/** Every value under `value` (deeply) for which `test` holds. */
export function findDeep(value, test, found = []) {
  if (test(value)) found.push(value);
  if (value && typeof value === 'object') for (const v of Object.values(value)) findDeep(v, test, found);
  return found;
}

/** Asserts a summary's documented shape. */
export function checkSummary(item) {
  for (const key of ['id', 'session_id', 'started_at_us', 'method', 'host', 'path']) {
    assert.ok(key in item, `summary without ${key}: ${JSON.stringify(item)}`);
  }
  assert.ok(Number.isInteger(item.id));
}

/** Asserts ids are strictly increasing and returns them. */
export function increasingIds(items) {
  const ids = items.map((x) => x.id);
  for (let i = 1; i < ids.length; i++) assert.ok(ids[i] > ids[i - 1], `ids not increasing at ${i}: ${ids[i - 1]}, ${ids[i]}`);
  return ids;
}

// ------------------------------------------------------------- cancellation

/**
 * Imports a 200k-entry HAR written in `dir` (an allowed directory of the
 * server behind `mcp`) with a progressToken, cancels it through the SDK's
 * AbortSignal once 5% is in, then checks the server answers at once, the
 * session ends with fewer rows and says it was cancelled.
 */
export async function checkCancelledImport(mcp, dir) {
  const COUNT = 200_000;
  const har = writeHar(path.join(dir, 'huge.har'), COUNT, { specOf: () => ({ responseBody: '{}' }) });
  const abort = new AbortController();
  const progress = [];
  let abortedAt;
  const call = mcp.call('import_capture', { path: har, name: 'cancelled import' }, {
    signal: abort.signal,
    onprogress: (p) => {
      progress.push(p.progress);
      // Cancel once some rows are in (5% of the file), so that there is something to keep.
      if (!abortedAt && (p.total ? p.progress >= p.total / 20 : progress.length >= 3)) {
        abortedAt = Date.now();
        abort.abort(new Error('cancelled by the test'));
      }
    },
  });
  await assert.rejects(call, /cancelled by the test/, 'the import finished before it was cancelled');

  // The server answers while (or after) the import winds down.
  const started = Date.now();
  const { items } = await mcp.ok('list_sessions', {}, { timeout: 5000 });
  assert.ok(Date.now() - started < 5000, 'list_sessions blocked behind the cancelled import');
  const session = items.find((s) => s.name === 'cancelled import');
  assert.ok(session, 'the cancelled import left no session');

  const ended = await pollUntil(async () => {
    const s = await mcp.session(session.id);
    return s && s.status !== 'recording' ? s : null;
  }, { timeoutMs: 5000 });
  assert.ok(ended, `the import still runs ${Date.now() - abortedAt} ms after its cancellation`);
  assert.ok(['failed', 'imported'].includes(ended.status), `status ${ended.status}`);
  assert.ok(ended.exchange_count > 0 && ended.exchange_count < COUNT,
    `${ended.exchange_count} of ${COUNT} rows stored: the import kept nothing, or ignored the cancellation`);
  assert.match(JSON.stringify(ended), /cancel/i, 'the session does not say it was cancelled');
  const stored = await mcp.ok('run_sql', { sql: `SELECT count(*) FROM exchanges WHERE session_id = ${session.id}` });
  assert.equal(stored.rows[0][0], ended.exchange_count, 'the session\'s exchange_count differs from its rows');

  // MCP cancellation: the receiver SHOULD NOT answer a cancelled request (the SDK reports such an answer as an error).
  const answered = mcp.problems.filter((p) => /unknown message ID/.test(p));
  assert.deepEqual(mcp.problems.filter((p) => !answered.includes(p)).map(String), []);
  assert.deepEqual(answered.map(String), [], 'the server answered the cancelled tools/call');
}

// ------------------------------------------------------------ contract suite

/**
 * The fixture of the contract suite: 40 entries over three hosts, with a
 * secret header, a large body, a POST with a body, 404s and 500s.
 */
const FIXTURE_SIZE = 40;
function fixtureSpec(i) {
  const host = ['api.example.test', 'cdn.example.test', 'auth.example.test'][i % 3];
  const spec = {
    host, method: i % 4 === 1 ? 'POST' : 'GET', status: i % 10 === 3 ? 404 : i % 10 === 7 ? 500 : 200,
    path: i % 2 ? `/v1/orders/${i}` : `/v1/users/${i}`,
  };
  if (i === 0) spec.requestHeaders = [{ name: 'Authorization', value: 'Bearer secret-token-123' }];
  if (i === 1) spec.requestBody = '{"order":"needle-in-body"}';
  if (i === 2) {
    spec.responseBody = 'x'.repeat(10_000);
    spec.responseType = 'text/plain';
  }
  return spec;
}
const fixture = Array.from({ length: FIXTURE_SIZE }, (_, i) => ({ i, spec: fixtureSpec(i) }));

/** Filters and the fixture entries each must select. */
const FILTER_CASES = [
  [{ host: 'api.example.test' }, (e) => e.spec.host === 'api.example.test'],
  [{ host: '*.example.test' }, () => true],
  [{ host: '*cdn*' }, (e) => e.spec.host.includes('cdn')],
  [{ method: 'POST' }, (e) => e.spec.method === 'POST'],
  [{ method: 'GET,POST' }, () => true],
  [{ status: '5xx' }, (e) => e.spec.status >= 500],
  [{ status: '400-499' }, (e) => e.spec.status === 404],
  [{ status: '200,404' }, (e) => e.spec.status !== 500],
  [{ path_prefix: '/v1/users/' }, (e) => e.spec.path.startsWith('/v1/users/')],
  [{ path_contains: 'orders' }, (e) => e.spec.path.includes('orders')],
  [{ path_glob: '/v1/*/1?' }, (e) => /^\/v1\/[^/]+\/1\d$/.test(e.spec.path)],
  [{ url_contains: 'AUTH.EXAMPLE' }, (e) => e.spec.host.startsWith('auth')],
  [{ url_regex: '/v1/orders/[0-9]+$' }, (e) => e.spec.path.includes('orders')],
  [{ resp_content_type: 'text/plain' }, (e) => e.i === 2],
  [{ header: 'Authorization' }, (e) => e.i === 0],
  [{ body_contains: 'NEEDLE-IN' }, (e) => e.i === 1],
  [{ has_error: false }, () => true],
  [{ min_size: 5000 }, (e) => e.i === 2],
  [{ min_duration_ms: 50 }, () => false],
  [{ since: '2h' }, () => true],
  [{ since: new Date(Date.now() - 86400_000).toISOString() }, () => true],
  [{ until: '2001-01-01T00:00:00Z' }, () => false],
];

/** Bad arguments: each must answer isError:true with a message matching the pattern. */
const BAD_ARGUMENTS = [
  ['peek_exchanges', { since: 'yesterday-ish' }, /since/],
  ['peek_exchanges', { until: 'soon' }, /until/],
  ['peek_exchanges', { method: 'FETCH' }, /method|FETCH/],
  ['peek_exchanges', { url_regex: '(' }, /url_regex|regex/i],
  ['peek_exchanges', { status: 'abc' }, /status/],
  ['peek_exchanges', { limit: 0 }, /limit/],
  ['peek_exchanges', { limit: 100000 }, /limit/],
  ['peek_exchanges', { cursor: -1 }, /cursor/],
  ['peek_exchanges', { nonsense_filter: 1 }, /nonsense_filter/],
  ['list_sessions', { limit: 0 }, /limit/],
  ['list_sessions', { limit: 'ten' }, /limit/],
  ['read_exchanges', {}, /consumer/],
  ['read_exchanges', { consumer: 'c', limit: 100000 }, /limit/],
  ['filter_exchanges', { since: 'yesterday-ish' }, /since/],
  ['filter_exchanges', { host: true }, /host/],
  ['filter_exchanges', { status: 20.5 }, /status/],
  ['get_exchange', {}, /\bid\b/],
  ['get_exchange', { id: 987654321 }, /987654321|not found|no exchange/i],
  ['traffic_stats', { group_by: 'nonsense' }, /group_by/],
  ['traffic_stats', { method: 'FETCH' }, /method|FETCH/],
  ['run_sql', {}, /sql/],
  ['run_sql', { sql: 'DELETE FROM exchanges' }, /read-only|readonly|not allowed|refus|only SELECT|write/i],
  ['run_sql', { sql: 'SELEKT 1' }, /syntax|SELEKT/i],
  ['export_har', { path: '/etc/trafficdb-mcp-test.har' }, /allow|outside|directory|path/i],
  ['import_capture', { path: '/etc/passwd' }, /allow|outside|directory|path/i],
  ['import_capture', {}, /path/],
  ['delete_session', { session_id: 'one' }, /session_id/],
  ['start_capture', { source: 'carrier-pigeon' }, /source/],
  ['start_capture', { source: 'pcap' }, /interface/],
  ['start_capture', { source: 'pcap', interface: 'nonexistent0' }, /nonexistent0/],
  ['start_capture', { source: 'charles', proxy: 'http://127.0.0.1:1' }, /127\.0\.0\.1:1/],
  ['stop_capture', { session_id: 987654321 }, /987654321|not found|no capture|not recording|no running/i],
];

/**
 * Registers the contract suite of docs/mcp.md over one transport. `open(db, dir)`
 * resolves an McpConnection to a server on `db` whose allowed directory is `dir`.
 */
export function defineContractSuite(label, open) {
  describe(`${label}: the tools of docs/mcp.md`, () => {
    const dir = makeTempDir(`mcp-contract-${label}`);
    const db = path.join(dir, 'traffic.db');
    let mcp;
    let sessionId;
    let sessionIds;

    before(async () => {
      writeHar(path.join(dir, 'fixture.har'), FIXTURE_SIZE, { specOf: fixtureSpec });
      writeHar(path.join(dir, 'other.har'), 3, { firstIndex: 1000, specOf: () => ({ host: 'other.example.test' }) });
      await importFile(db, path.join(dir, 'fixture.har'), 'fixture');
      await importFile(db, path.join(dir, 'other.har'), 'other');
      mcp = await open(db, dir);
    });
    after(async () => {
      await mcp?.close();
    });

    it('initialize: capabilities, server info, ping, logging/setLevel', async () => {
      const capabilities = mcp.client.getServerCapabilities();
      assert.ok(capabilities.tools, 'no tools capability');
      assert.ok(capabilities.logging, 'no logging capability');
      assert.ok(capabilities.resources, 'no resources capability');
      assert.match(mcp.client.getServerVersion().name, /trafficdb/);
      assert.deepEqual(await mcp.client.ping(), {});
      assert.deepEqual(await mcp.client.setLoggingLevel('warning'), {});
    });

    it('tools/list: titles, descriptions, described arguments with defaults and bounds, output schemas, annotations', async () => {
      await checkToolList(mcp.tools);
    });

    it('list_sessions: newest first, paged by session id', async () => {
      const all = await mcp.ok('list_sessions', {});
      assert.deepEqual(all.items.map((s) => s.name), ['other', 'fixture']);
      assert.equal(all.next_cursor, null);
      const [other, fixtureSession] = all.items;
      for (const key of ['id', 'name', 'source', 'source_uri', 'status', 'started_at', 'exchange_count', 'error_count', 'pruned_count', 'integrity']) {
        assert.ok(key in fixtureSession, `session without ${key}`);
      }
      // The database as a whole: its size, no retention policy, nothing pruned yet.
      assert.ok(all.database.size_bytes > 0);
      assert.equal(all.database.file_bytes, all.database.size_bytes + all.database.free_bytes);
      assert.deepEqual(all.database.retention, { max_age_s: null, max_age: null, max_size_bytes: null });
      assert.equal(all.database.pruned.exchanges, 0);
      assert.equal(fixtureSession.pruned_count, 0);
      // Capture integrity, zeros said as zeros: a HAR import's entries and the writer's counts.
      assert.equal(fixtureSession.integrity.source_counts, true);
      assert.equal(fixtureSession.integrity.entries_rejected, 0);
      assert.equal(typeof fixtureSession.integrity.exchanges_without_response, 'number');
      assert.equal(fixtureSession.integrity.bodies_cut, 0);
      const text = textOf(await mcp.call('list_sessions', {}));
      assert.match(text, /\n  integrity: .*0: .*bodies_cut/);
      assert.equal(fixtureSession.exchange_count, FIXTURE_SIZE);
      assert.equal(fixtureSession.source, 'har');
      assert.equal(fixtureSession.status, 'imported');
      assert.equal(other.exchange_count, 3);
      sessionId = fixtureSession.id;
      sessionIds = all.items.map((s) => s.id);

      const first = await mcp.ok('list_sessions', { limit: 1 });
      assert.deepEqual(first.items.map((s) => s.id), [other.id]);
      assert.equal(first.next_cursor, other.id);
      const second = await mcp.ok('list_sessions', { limit: 1, cursor: first.next_cursor });
      assert.deepEqual(second.items.map((s) => s.id), [fixtureSession.id]);
      assert.equal(second.next_cursor, null);
    });

    it('peek_exchanges: pages of 20 by default, ids ascending after the cursor, nothing moved', async () => {
      const page = await mcp.ok('peek_exchanges', { session_id: sessionId });
      assert.equal(page.items.length, 20);
      assert.equal(page.has_more, true);
      page.items.forEach(checkSummary);
      const ids = increasingIds(page.items);
      assert.equal(page.next_cursor, ids.at(-1));
      const all = await mcp.pageAll('peek_exchanges', { session_id: sessionId, limit: 7 });
      assert.equal(all.length, FIXTURE_SIZE);
      increasingIds(all);
      assert.deepEqual(all.slice(0, 20), page.items, 'peek moved something');
      const first = all[0];
      assert.equal(first.method, 'GET');
      assert.equal(first.host, 'api.example.test');
      assert.equal(first.path, '/v1/users/0');
      assert.equal(first.status, 200);
      const afterCursor = await mcp.ok('peek_exchanges', { session_id: sessionId, cursor: all[34].id });
      assert.deepEqual(afterCursor.items.map((x) => x.id), all.slice(35).map((x) => x.id));
    });

    it('filter_exchanges: every filter, totals, newest_first', async () => {
      await checkEach(FILTER_CASES, async ([filters, selects]) => {
        const expected = fixture.filter(selects).length;
        const page = await mcp.ok('filter_exchanges', { session_id: sessionId, limit: 100, ...filters });
        assert.equal(page.items.length, expected, `filter ${JSON.stringify(filters)}`);
        assert.equal(page.total, expected, `filter ${JSON.stringify(filters)}: total`);
        assert.equal(page.total_capped, false);
        increasingIds(page.items);
      });
      const newest = await mcp.ok('filter_exchanges', { session_id: sessionId, newest_first: true, limit: 5 });
      const ids = newest.items.map((x) => x.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest_first is not descending');
      assert.equal(newest.total, FIXTURE_SIZE);
      assert.equal(newest.has_more, true);
      const source = await mcp.ok('filter_exchanges', { source: 'har', limit: 100 });
      assert.equal(source.total, FIXTURE_SIZE + 3);
      const both = await mcp.ok('filter_exchanges', { session_id: sessionIds[0], limit: 100 });
      assert.equal(both.total, 3);
    });

    it('get_exchange: full detail, secrets masked unless redact:false, bodies cut at max_body_bytes', async () => {
      const [secret] = (await mcp.ok('filter_exchanges', { session_id: sessionId, header: 'Authorization' })).items;
      const masked = await mcp.ok('get_exchange', { id: secret.id });
      assert.equal(masked.id, secret.id);
      assert.ok(!JSON.stringify(masked).includes('secret-token-123'), 'Authorization shown with redact defaulting to true');
      const shown = await mcp.ok('get_exchange', { id: secret.id, redact: false });
      assert.ok(JSON.stringify(shown).includes('secret-token-123'), 'redact:false still masks Authorization');

      const [big] = (await mcp.ok('filter_exchanges', { session_id: sessionId, min_size: 5000 })).items;
      const cut = await mcp.ok('get_exchange', { id: big.id });
      assert.ok(findDeep(cut, (v) => v?.truncated === true).length > 0, 'a 10000-byte body not marked truncated at 4096');
      assert.ok(!JSON.stringify(cut).includes('x'.repeat(4097)), 'body longer than 4096');
      const whole = await mcp.ok('get_exchange', { id: big.id, max_body_bytes: 20000 });
      assert.ok(JSON.stringify(whole).includes('x'.repeat(10_000)), 'max_body_bytes:20000 does not show the body');

      const [post] = (await mcp.ok('filter_exchanges', { session_id: sessionId, body_contains: 'needle' })).items;
      assert.ok(JSON.stringify(await mcp.ok('get_exchange', { id: post.id })).includes('needle-in-body'));
    });

    it('traffic_stats: grouped counts', async () => {
      const stats = await mcp.ok('traffic_stats', { session_id: sessionId });
      assert.equal(stats.group_by, 'host');
      assert.equal(stats.total, FIXTURE_SIZE);
      const byKey = Object.fromEntries(stats.items.map((r) => [r.key, r]));
      assert.deepEqual(Object.keys(byKey).sort(), ['api.example.test', 'auth.example.test', 'cdn.example.test']);
      for (const host of Object.keys(byKey)) {
        const entries = fixture.filter((e) => e.spec.host === host);
        assert.equal(byKey[host].count, entries.length, `count for ${host}`);
        assert.equal(byKey[host].errors, entries.filter((e) => e.spec.status >= 500).length, `errors for ${host}`);
        assert.equal(byKey[host].client_errors, entries.filter((e) => e.spec.status >= 400 && e.spec.status < 500).length,
          `client_errors for ${host}`);
        for (const key of ['error_rate', 'response_bytes', 'p50_ms', 'p95_ms', 'max_ms']) assert.ok(key in byKey[host], `row without ${key}`);
      }
      const byMethod = await mcp.ok('traffic_stats', { session_id: sessionId, group_by: 'method', limit: 1 });
      assert.equal(byMethod.group_by, 'method');
      assert.equal(byMethod.items.length, 1);
      assert.equal(byMethod.groups, 2, 'groups counts the groups before the limit');
      assert.equal(byMethod.items[0].key, 'GET');
    });

    it('run_sql: read-only SQL, capped rows', async () => {
      const result = await mcp.ok('run_sql', { sql: `SELECT host, count(*) AS n FROM exchanges WHERE session_id = ${sessionId} GROUP BY host ORDER BY host` });
      assert.deepEqual(result.columns, ['host', 'n']);
      assert.equal(result.rows.length, 3);
      assert.equal(result.row_limit_hit, false);
      assert.equal(result.byte_limit_hit, false);
      const capped = await mcp.ok('run_sql', { sql: 'SELECT id FROM exchanges', max_rows: 5 });
      assert.equal(capped.rows.length, 5);
      assert.equal(capped.row_limit_hit, true);
    });

    it('read_exchanges: moves a named consumer, each row once', async () => {
      const first = await mcp.ok('read_exchanges', { consumer: 'suite', session_id: sessionId, limit: 30 });
      assert.equal(first.items.length, 30);
      assert.equal(first.has_more, true);
      const rest = await mcp.readAll('suite', { session_id: sessionId, limit: 30 });
      assert.equal(rest.length, FIXTURE_SIZE - 30);
      increasingIds([...first.items, ...rest]);
      const other = await mcp.ok('read_exchanges', { consumer: 'another', session_id: sessionId, limit: 100 });
      assert.equal(other.items.length, FIXTURE_SIZE, 'consumers share a cursor');
    });

    it('import_capture, export_har, delete_session', async () => {
      writeHar(path.join(dir, 'more.har'), 4, { firstIndex: 2000, specOf: () => ({ host: 'more.example.test' }) });
      const imported = await mcp.ok('import_capture', { path: path.join(dir, 'more.har'), name: 'more' });
      assert.equal(imported.stored, 4);
      assert.equal(imported.rejected, 0);
      assert.ok(!imported.fatal, `fatal: ${imported.fatal}`);
      const session = await mcp.session(imported.session_id);
      assert.equal(session.name, 'more');
      assert.equal(session.exchange_count, 4);

      const out = path.join(dir, 'errors.har');
      const exported = await mcp.ok('export_har', { path: out, session_id: sessionId, status: '5xx' });
      const fivexx = fixture.filter((e) => e.spec.status >= 500).length;
      assert.equal(exported.entries, fivexx);
      const har = JSON.parse(fs.readFileSync(exported.path, 'utf8'));
      assert.equal(har.log.version, '1.2');
      assert.equal(har.log.entries.length, fivexx);
      assert.ok(har.log.entries.every((e) => e.response.status === 500));

      const deleted = await mcp.ok('delete_session', { session_id: imported.session_id });
      assert.equal(deleted.session_id, imported.session_id);
      assert.ok(deleted.deleted, 'deleted is falsy');
      assert.equal(await mcp.session(imported.session_id), undefined, 'deleted session still listed');
      assert.equal((await mcp.ok('filter_exchanges', { session_id: imported.session_id })).total, 0);
    });

    it('bad arguments answer isError:true saying what was wrong, and run nothing', async () => {
      await checkEach(BAD_ARGUMENTS, ([tool, args, says]) => mcp.fails(tool, args, says));
      const since = await mcp.fails('peek_exchanges', { since: 'yesterday-ish' }, /since/);
      assert.match(since, /yesterday-ish/, 'the message should quote the bad value');
      assert.match(since, /\d+[mhd]\b|\d{4}-\d\d-\d\dT/, 'the message should give a corrected example');
      assert.equal((await mcp.ok('list_sessions', {})).items.length, 2, 'a refused call stored something');
    });

    it('an unknown tool is a JSON-RPC error', async () => {
      await assert.rejects(mcp.call('no_such_tool', {}), (error) => {
        assert.ok(error instanceof McpError, `not a JSON-RPC error: ${error}`);
        assert.ok([ErrorCode.InvalidParams, ErrorCode.MethodNotFound].includes(error.code), `code ${error.code}`);
        assert.match(error.message, /no_such_tool/);
        return true;
      });
    });

    it('resources: templates, the newest sessions, session and exchange reads, resource_link items', async () => {
      const { resourceTemplates } = await mcp.client.listResourceTemplates();
      assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(),
        ['trafficdb://exchanges/{id}', 'trafficdb://sessions/{id}']);
      const { resources } = await mcp.client.listResources();
      assert.deepEqual(resources.map((r) => r.uri), sessionIds.map((id) => `trafficdb://sessions/${id}`));
      const session = await mcp.client.readResource({ uri: `trafficdb://sessions/${sessionId}` });
      assert.ok(session.contents[0].text.includes('fixture'));
      const [exchange] = (await mcp.ok('peek_exchanges', { session_id: sessionId, limit: 1 })).items;
      const read = await mcp.client.readResource({ uri: `trafficdb://exchanges/${exchange.id}` });
      assert.ok(read.contents[0].text.includes('/v1/users/0'));
      const linksOf = async (tool, args) => (await mcp.call(tool, args)).content
        .filter((b) => b.type === 'resource_link').map((b) => b.uri);
      assert.ok((await linksOf('get_exchange', { id: exchange.id })).includes(`trafficdb://exchanges/${exchange.id}`),
        'get_exchange has no resource_link to its exchange');
      assert.ok((await linksOf('list_sessions', {})).includes(`trafficdb://sessions/${sessionId}`),
        'list_sessions has no resource_link to its sessions');
      await assert.rejects(mcp.client.readResource({ uri: 'trafficdb://exchanges/987654321' }), McpError);
    });

    it('the client saw nothing but protocol', () => {
      assert.deepEqual(mcp.problems.map(String), []);
    });
  });
}
