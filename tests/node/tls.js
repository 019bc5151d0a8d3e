// Quiver TLS with the official Milvus Node SDK 2.5.12, against a server with common.security.tlsMode 1 or 2 and the
// certificates of deploy/tls/gen-certs.sh. Usage: node tls.js <host:port> <mode> <certDir> [otherCaCertDir]
// Exits 0 when every check passed.
'use strict';
const path = require('path');
const { MilvusClient } = require('@zilliz/milvus2-sdk-node');
const { fail, check, ok } = require('./checks');

const [address = '127.0.0.1:19530', mode = '1', certDir = './certs', otherDir] = process.argv.slice(2);
const cert = (dir, f) => path.join(dir, f);

async function refused(opts, what, pattern) {
  const t0 = Date.now();
  let err;
  try {
    const c = new MilvusClient({ address, timeout: 10000, ...opts });
    await c.connectPromise;
    await c.listCollections();
  } catch (e) {
    err = e;
  }
  check(err !== undefined, what + ' is refused (' + (Date.now() - t0) + ' ms)');
  if (pattern) check(pattern.test(String(err && (err.message || err))), what + ' says why', String(err));
}

(async () => {
  const tls = mode === '2'
    ? { rootCertPath: cert(certDir, 'ca.pem'), privateKeyPath: cert(certDir, 'client.key'), certChainPath: cert(certDir, 'client.pem'), serverName: 'localhost' }
    : { rootCertPath: cert(certDir, 'ca.pem'), serverName: 'localhost' };
  const client = new MilvusClient({ address, ssl: true, tls, timeout: 30000 });
  await client.connectPromise;
  const name = 'node_tls_' + mode + '_' + address.split(':').pop();
  ok(await client.createCollection({ collection_name: name, dimension: 4 }), 'createCollection over TLS');
  const data = Array.from({ length: 20 }, (_, i) => ({ id: i, vector: [i % 3, 1, 0, i / 20] }));
  const ins = await client.insert({ collection_name: name, data });
  ok(ins, 'insert over TLS');
  const res = await client.search({ collection_name: name, data: [[1, 1, 0, 0]], limit: 5, consistency_level: 'Strong' });
  ok(res, 'search over TLS');
  check(res.results.length === 5, 'search returns 5 hits', res.results.length);

  await refused({}, 'a plain-text client', /UNAUTHENTICATED|accepts TLS connections only/);
  if (mode === '2') {
    await refused({ ssl: true, tls: { rootCertPath: cert(certDir, 'ca.pem'), serverName: 'localhost' } }, 'a client without a certificate');
    if (otherDir) {
      await refused({ ssl: true, tls: { rootCertPath: cert(certDir, 'ca.pem'), privateKeyPath: cert(otherDir, 'client.key'),
        certChainPath: cert(otherDir, 'client.pem'), serverName: 'localhost' } }, 'a client certificate from another CA');
    }
  } else {
    await refused({ ssl: true, tls: { rootCertPath: otherDir ? cert(otherDir, 'ca.pem') : cert(certDir, 'client.pem'), serverName: 'localhost' } },
      'a client that does not trust the server certificate');
  }
  console.log('ALL OK');
  process.exit(0);
})().catch(e => fail('unexpected exception', String(e && e.stack || e)));
