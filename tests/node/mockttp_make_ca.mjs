// Writes a test CA and a certificate for "localhost" signed by it, for the
// HTTP Toolkit recorder's tests (tests/httptoolkit_live_test.cpp):
//   node mockttp_make_ca.mjs DIR
// DIR/ca.pem and DIR/ca.key: the CA Mockttp intercepts HTTPS with (and
// clients and the upstream server trust); DIR/localhost.pem and
// DIR/localhost.key: the upstream HTTPS server's certificate.
import fs from 'node:fs';
import path from 'node:path';
import mockttp from 'mockttp';
import { getCA } from 'mockttp/dist/util/certificates';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node mockttp_make_ca.mjs DIR');
  process.exit(1);
}
const ca = await mockttp.generateCACertificate({ commonName: 'trafficdb test CA' });
const leaf = await (await getCA({ key: ca.key, cert: ca.cert })).generateCertificate('localhost');
fs.writeFileSync(path.join(dir, 'ca.pem'), ca.cert);
fs.writeFileSync(path.join(dir, 'ca.key'), ca.key);
fs.writeFileSync(path.join(dir, 'localhost.pem'), leaf.cert);
fs.writeFileSync(path.join(dir, 'localhost.key'), leaf.key);
