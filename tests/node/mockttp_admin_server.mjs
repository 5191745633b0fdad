// A real Mockttp admin server, the engine HTTP Toolkit runs, for the HTTP
// Toolkit recorder's tests (tests/httptoolkit_live_test.cpp):
//   node mockttp_admin_server.mjs PORT [--strict-origin] [--keepalive MS]
// --strict-origin: like HTTP Toolkit's, accept only the Origin
// https://app.httptoolkit.tech (403 otherwise, WebSocket upgrades dropped).
// --keepalive: send graphql-ws `ka` messages and WebSocket pings this often.
// Prints "ready PORT" once listening; stops its sessions on SIGTERM.
// Mockttp's passthrough trusts the CAs in NODE_EXTRA_CA_CERTS (the test
// upstream's).
import mockttp from 'mockttp';

const args = process.argv.slice(2);
const port = Number(args[0]);
const strict = args.includes('--strict-origin');
const keepAliveAt = args.indexOf('--keepalive');
const options = {};
if (strict) options.corsOptions = { origin: 'https://app.httptoolkit.tech', strict: true };
if (keepAliveAt >= 0) options.webSocketKeepAlive = Number(args[keepAliveAt + 1]);

const admin = mockttp.getAdminServer(options);
await admin.start(port);
console.log(`ready ${port}`);

const stop = async () => {
  await admin.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
