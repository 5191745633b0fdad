// A WebSocket client that goes through an HTTP proxy (CONNECT), for the HTTP
// Toolkit recorder's tests (tests/httptoolkit_live_test.cpp):
//   node mockttp_ws_client.mjs PROXY_URL WS_URL TEXT_MESSAGE BINARY_HEX
// Sends the text message, then the binary one, waits for both echoes and
// closes with 1000 "done". Prints each echo and "closed CODE"; exits 1 on
// an error or after 10 s.
import WebSocket from 'ws';
import { HttpsProxyAgent } from 'https-proxy-agent';

const [proxy, url, text, binaryHex] = process.argv.slice(2);
const ws = new WebSocket(url, { agent: new HttpsProxyAgent(proxy) });
const timer = setTimeout(() => {
  console.log('timed out');
  process.exit(1);
}, 10000);
let echoes = 0;
ws.on('open', () => {
  ws.send(text);
  ws.send(Buffer.from(binaryHex, 'hex'), { binary: true });
});
ws.on('message', (data, isBinary) => {
  console.log(`echo ${isBinary ? 'binary' : 'text'} ${Buffer.from(data).toString('hex')}`);
  if (++echoes === 2) ws.close(1000, 'done');
});
ws.on('close', (code) => {
  console.log(`closed ${code}`);
  clearTimeout(timer);
});
ws.on('error', (e) => {
  console.log(`error ${e.message}`);
  process.exit(1);
});
