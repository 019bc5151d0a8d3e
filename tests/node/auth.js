// Quiver authentication with the official Milvus Node SDK 2.5.12, against a server started with
// common.security.authorizationEnabled: true. Usage: node auth.js <host:port>. Exits 0 when every check passed.
'use strict';
const { MilvusClient } = require('@zilliz/milvus2-sdk-node');
const { fail, check, ok, notOk } = require('./checks');

const address = process.argv[2] || '127.0.0.1:19530';
const sleep = ms => new Promise(r => setTimeout(r, ms));

// a refusal must be an error at once (UNAUTHENTICATED), not a retry loop: the client's own timeout would end one
async function refused(opts, what) {
  const t0 = Date.now();
  let err;
  try {
    const c = new MilvusClient({ address, timeout: 15000, ...opts });
    await c.connectPromise;
    await c.listCollections();
  } catch (e) {
    err = e;
  }
  const ms = Date.now() - t0;
  check(err !== undefined, what + ' is refused');
  check(/UNAUTHENTICATED|auth check failure|missing authorization/i.test(String(err && (err.message || err))), what + ' says why', String(err));
  check(ms < 10000, what + ' refused without retrying (' + ms + ' ms)');
}

async function eventuallyRefused(client, what) {
  for (let i = 0; i < 50; i++) {
    try {
      await client.listCollections();
    } catch (e) {
      check(/UNAUTHENTICATED/i.test(String(e.message || e)), what, String(e));
      return;
    }
    await sleep(20);
  }
  fail(what + ': still accepted one second after the change');
}

(async () => {
  await refused({}, 'no credentials');
  await refused({ username: 'root', password: 'wrong-password' }, 'wrong password');
  await refused({ token: 'nobody:Milvus' }, 'unknown user');

  const root = new MilvusClient({ address, timeout: 30000, token: 'root:Milvus' });
  await root.connectPromise;
  ok(await root.listCollections(), 'root listCollections');
  ok(await root.createUser({ username: 'nodeuser', password: 'node-pw-1' }), 'createUser');
  const users = await root.listUsers();
  check(users.usernames.includes('nodeuser') && users.usernames.includes('root'), 'listUsers', users.usernames);

  const user = new MilvusClient({ address, timeout: 30000, username: 'nodeuser', password: 'node-pw-1' });
  await user.connectPromise;
  ok(await user.listCollections(), 'created user listCollections');
  notOk(await user.createUser({ username: 'mallory', password: 'mallory-pw' }), 'non-root createUser');
  notOk(await user.updateUser({ username: 'nodeuser', oldPassword: 'wrong-pw', newPassword: 'node-pw-2' }), 'update with a wrong old password');
  ok(await user.updateUser({ username: 'nodeuser', oldPassword: 'node-pw-1', newPassword: 'node-pw-2' }), 'updateUser');
  await eventuallyRefused(user, 'old password refused after the update');
  const user2 = new MilvusClient({ address, timeout: 30000, username: 'nodeuser', password: 'node-pw-2' });
  await user2.connectPromise;
  ok(await user2.listCollections(), 'new password works');

  notOk(await root.deleteUser({ username: 'root' }), 'deleting root');
  ok(await root.deleteUser({ username: 'nodeuser' }), 'deleteUser');
  await eventuallyRefused(user2, 'deleted user refused');
  console.log('ALL OK');
  process.exit(0);
})().catch(e => fail('unexpected exception', String(e && e.stack || e)));
