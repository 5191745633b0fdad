// The server the HTTP Toolkit recorder's tests send their traffic to,
// through Mockttp's proxy (tests/httptoolkit_live_test.cpp):
//   node mockttp_upstream.mjs CA_DIR
// An HTTP and an HTTPS server (CA_DIR/localhost.pem), each with a WebSocket
// echo. Prints "ready HTTP_PORT HTTPS_PORT". Routes:
//   /gzip                 200, a JSON body sent gzip-encoded
//   /status/NNN           NNN "Custom Reason", text body "status NNN"
//   /upload               200, "<bytes received> <sha256 hex of them>"
//   /hang                 never answers; prints "hanging <url>" when it arrives
//   anything else         201 "Made", "got <bytes received>", two Set-Cookie headers
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import zlib from 'node:zlib';
import { WebSocketServer } from 'ws';

const dir = process.argv[2];

function handle(req, res) {
  const hash = crypto.createHash('sha256');
  let received = 0;
  req.on('data', (chunk) => {
    received += chunk.length;
    hash.update(chunk);
  });
  req.on('end', () => {
    const url = new URL(req.url, 'http://upstream');
    const status = url.pathname.match(/^\/status\/(\d{3})$/);
    if (url.pathname === '/gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(zlib.gzipSync(JSON.stringify({ hello: 'world', query: url.search })));
    } else if (status) {
      res.writeHead(Number(status[1]), 'Custom Reason', { 'content-type': 'text/plain' });
      res.end(`status ${status[1]}`);
    } else if (url.pathname === '/upload') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${received} ${hash.digest('hex')}`);
    } else if (url.pathname === '/hang') {
      console.log(`hanging ${req.url}`);  // and never answers
    } else {
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(201, 'Made', { 'content-type': 'text/plain' });
      res.end(`got ${received}`);
    }
  });
}

function listen(server) {
  new WebSocketServer({ server }).on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

const plain = await listen(http.createServer(handle));
const secure = await listen(
  https.createServer(
    {
      key: fs.readFileSync(path.join(dir, 'localhost.key')),
      cert: fs.readFileSync(path.join(dir, 'localhost.pem')),
    },
    handle,
  ),
);
console.log(`ready ${plain} ${secure}`);
process.on('SIGTERM', () => process.exit(0));
