// A secured two-proxy cluster (issue 11) with the official Milvus Node SDK 2.5.12: auth + RBAC + TLS at once.
// Usage: node secured_cluster.js <proxy1 host:port> <proxy2 host:port> <cert dir> [tlsMode 1|2]
// root (over proxy 1) makes a collection, a user and a read-only role; through proxy 2 that user may search and query
// the collection and is refused insert and user management (RBAC state reaches the other proxy through the watch),
// wrong credentials and plain text are refused on both proxies. Exits 0 when every check passed.
'use strict';
const path = require('path');
const { MilvusClient } = require('@zilliz/milvus2-sdk-node');
const { fail, check, ok } = require('./checks');

const [p1, p2, certDir, mode = '2'] = process.argv.slice(2);
const tls = mode === '2'
  ? { rootCertPath: path.join(certDir, 'ca.pem'), privateKeyPath: path.join(certDir, 'client.key'),
      certChainPath: path.join(certDir, 'client.pem'), serverName: 'localhost' }
  : { rootCertPath: path.join(certDir, 'ca.pem'), serverName: 'localhost' };
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function refused(opts, what, pattern) {
  let err;
  try {
    const c = new MilvusClient({ timeout: 15000, ...opts });
    await c.connectPromise;
    await c.listCollections();
  } catch (e) {
    err = e;
  }
  check(err !== undefined && pattern.test(String(err.message || err)), what + ' is refused', String(err && (err.message || err)));
}

async function eventually(what, call) {
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await call();
      console.log('ok   ' + what + ' (after ' + (Date.now() - t0) + ' ms)');
      return r;
    } catch (e) {
      if (Date.now() - t0 > 5000) fail(what + ' within 5 s', String(e.message || e));
      await sleep(50);
    }
  }
}

(async () => {
  const root = new MilvusClient({ address: p1, ssl: true, tls, token: 'root:Milvus', timeout: 60000 });
  await root.connectPromise;
  const name = 'secured_' + Date.now();
  const user = 'reader_' + Date.now();
  ok(await root.createCollection({ collection_name: name, dimension: 4 }), 'root: createCollection over proxy 1');
  const data = Array.from({ length: 50 }, (_, i) => ({ id: i, vector: [i % 5, 1, 0, i / 50] }));
  ok(await root.insert({ collection_name: name, data }), 'root: insert over proxy 1');
  ok(await root.createUser({ username: user, password: 'reader-pw-1' }), 'root: createUser');
  ok(await root.createRole({ roleName: user + '_ro' }), 'root: createRole');
  ok(await root.grantPrivilegeV2({ role: user + '_ro', privilege: 'CollectionReadOnly', db_name: 'default', collection_name: name }),
    'root: grant CollectionReadOnly on the collection');
  ok(await root.addUserToRole({ username: user, roleName: user + '_ro' }), 'root: addUserToRole');

  const reader = new MilvusClient({ address: p2, ssl: true, tls, token: user + ':reader-pw-1', timeout: 60000 });
  await reader.connectPromise;
  const s = await eventually('reader: search over proxy 2', async () => {
    const r = await reader.search({ collection_name: name, data: [[1, 1, 0, 0.1]], limit: 3, consistency_level: 'Strong' });
    if (r.status.error_code !== 'Success') throw new Error(JSON.stringify(r.status));
    return r;
  });
  check(s.results.length === 3, 'reader: search returns hits', s.results.length);
  let err;
  try {
    const r = await reader.insert({ collection_name: name, data: [{ id: 999, vector: [0, 0, 0, 0] }] });
    if (r.status.error_code !== 'Success') err = new Error(JSON.stringify(r.status));
  } catch (e) {
    err = e;
  }
  check(err !== undefined && /PERMISSION_DENIED|permission deny/i.test(String(err.message)), 'reader: insert over proxy 2 is refused', String(err));
  const count = await root.query({ collection_name: name, output_fields: ['count(*)'], consistency_level: 'Strong' });
  check(Number(count.data[0]['count(*)']) === 50, 'the refused insert changed nothing', count.data);

  await refused({ address: p2, ssl: true, tls, token: user + ':wrong' }, 'wrong password over proxy 2', /UNAUTHENTICATED|auth/i);
  await refused({ address: p1 }, 'plain text to proxy 1', /TLS|UNAVAILABLE|UNAUTHENTICATED|secure/i);
  ok(await root.dropCollection({ collection_name: name }), 'root: dropCollection');
  console.log('ALL OK');
  process.exit(0);
})().catch(e => fail('exception: ' + (e && e.stack || e)));
