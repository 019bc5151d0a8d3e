// Quiver authentication and RBAC with the official Milvus Node SDK 2.5.12, against a server started with
// common.security.authorizationEnabled: true. Usage: node auth.js <host:port>. Exits 0 when every check passed.
'use strict';
const { MilvusClient, ConsistencyLevelEnum } = require('@zilliz/milvus2-sdk-node');
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

// a call the caller's roles do not allow: gRPC PERMISSION_DENIED with Milvus' reason, raised at once
async function denied(call, what, reason) {
  let err;
  try {
    await call();
  } catch (e) {
    err = e;
  }
  check(err !== undefined && /PERMISSION_DENIED/.test(String(err.message || err)), what + ' is refused', String(err));
  check(String(err.message).includes(reason), what + ' says why', String(err.message));
}

// a change reaches the proxy's policy through a watch: retried for up to one second
async function within1s(call, what) {
  const t0 = Date.now();
  for (;;) {
    try {
      await call();
      console.log('ok   ' + what + ' (applied after ' + (Date.now() - t0) + ' ms)');
      return;
    } catch (e) {
      if (Date.now() - t0 > 1000) fail(what, String(e && e.message || e));
    }
    await sleep(10);
  }
}

async function deniedWithin1s(call, what, reason) {
  const t0 = Date.now();
  for (;;) {
    try {
      await call();
    } catch (e) {
      if (/PERMISSION_DENIED/.test(String(e.message)) && String(e.message).includes(reason)) {
        console.log('ok   ' + what + ' is refused (applied after ' + (Date.now() - t0) + ' ms)');
        return;
      }
      fail(what, String(e.message || e));
    }
    if (Date.now() - t0 > 1000) fail(what + ': still allowed one second after the change');
    await sleep(10);
  }
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

async function collection(root, name) {
  ok(await root.createCollection({ collection_name: name, dimension: 4 }), 'createCollection ' + name);
  const data = [];
  for (let i = 0; i < 10; i++) data.push({ id: i, vector: [i + 1, 1, 0, 0] });
  ok(await root.insert({ collection_name: name, data }), 'insert ' + name);
}

async function hits(client, name) {
  const s = await client.search({ collection_name: name, data: [[1, 0, 0, 0]], limit: 3, consistency_level: ConsistencyLevelEnum.Strong });
  if (s.status.error_code !== 'Success') throw new Error(s.status.reason);
  return s.results.length;
}

async function count(client, name) {
  const q = await client.query({ collection_name: name, filter: '', output_fields: ['count(*)'], consistency_level: ConsistencyLevelEnum.Strong });
  if (q.status.error_code !== 'Success') throw new Error(q.status.reason);
  return Number(q.data[0]['count(*)']);
}

// a user holding a read-only role on one collection: reads it, is refused everything else, nothing changes;
// then grants, revokes, a privilege group and database scope
async function rbac(root) {
  await collection(root, 'node_rbac_a');
  await collection(root, 'node_rbac_b');
  ok(await root.createUser({ username: 'node_reader', password: 'reader-pw' }), 'createUser node_reader');
  ok(await root.createRole({ roleName: 'node_ro' }), 'createRole');
  ok(await root.grantPrivilegeV2({ role: 'node_ro', privilege: 'CollectionReadOnly', db_name: 'default', collection_name: 'node_rbac_a' }),
    'grantPrivilegeV2 CollectionReadOnly');
  ok(await root.addUserToRole({ username: 'node_reader', roleName: 'node_ro' }), 'addUserToRole');
  const roles = await root.listRoles();
  check(roles.results.map(r => r.role.name).includes('node_ro'), 'listRoles', roles.results);

  const reader = new MilvusClient({ address, timeout: 30000, token: 'node_reader:reader-pw' });
  await reader.connectPromise;
  await within1s(async () => check(await hits(reader, 'node_rbac_a') === 3, 'reader searches its collection'), 'read-only role applies');
  check(await count(reader, 'node_rbac_a') === 10, 'reader queries its collection');
  const listed = await reader.listCollections();
  check(JSON.stringify(listed.data.map(c => c.name)) === JSON.stringify(['node_rbac_a']), 'reader lists only its collection', listed.data);
  const why = 'permission deny to node_reader';
  await denied(() => reader.insert({ collection_name: 'node_rbac_a', data: [{ id: 99, vector: [1, 1, 1, 1] }] }), 'insert', why);
  await denied(() => reader.delete({ collection_name: 'node_rbac_a', filter: 'id in [1, 2]' }), 'delete', why);
  await denied(() => reader.dropCollection({ collection_name: 'node_rbac_a' }), 'dropCollection', why);
  await denied(() => reader.createCollection({ collection_name: 'node_rbac_new', dimension: 4 }), 'createCollection', why);
  await denied(() => reader.createUser({ username: 'node_mallory', password: 'mallory-pw' }), 'createUser', why);
  await denied(() => reader.addUserToRole({ username: 'node_reader', roleName: 'admin' }), 'addUserToRole admin', why);
  await denied(() => hits(reader, 'node_rbac_b'), 'search of another collection', why);
  await denied(() => count(reader, 'node_rbac_b'), 'query of another collection', why);
  check(await count(root, 'node_rbac_a') === 10, 'nothing was inserted or deleted');
  check((await root.hasCollection({ collection_name: 'node_rbac_a' })).value === true, 'nothing was dropped');
  check((await root.hasCollection({ collection_name: 'node_rbac_new' })).value === false, 'nothing was created');
  check(!(await root.listUsers()).usernames.includes('node_mallory'), 'no user was created');

  // v1 grant and revoke
  ok(await root.grantPrivilege({ roleName: 'node_ro', object: 'Collection', objectName: 'node_rbac_a', privilegeName: 'Insert' }), 'grantPrivilege Insert');
  await within1s(async () => ok(await reader.insert({ collection_name: 'node_rbac_a', data: [{ id: 99, vector: [1, 1, 1, 1] }] }), 'granted insert'),
    'grant applies');
  ok(await root.revokePrivilegeV2({ role: 'node_ro', privilege: 'CollectionReadOnly', db_name: 'default', collection_name: 'node_rbac_a' }),
    'revokePrivilegeV2');
  await deniedWithin1s(() => hits(reader, 'node_rbac_a'), 'search after the revoke', 'PrivilegeSearch');
  const grants = await root.listGrants({ roleName: 'node_ro' });
  check(grants.entities.length === 1 && grants.entities[0].grantor.privilege.name === 'Insert', 'listGrants', grants.entities);
  notOk(await root.dropRole({ roleName: 'node_ro' }), 'dropping a role holding privileges');
  notOk(await root.dropRole({ roleName: 'admin' }), 'dropping admin');

  // a custom privilege group
  ok(await root.createPrivilegeGroup({ group_name: 'node_group' }), 'createPrivilegeGroup');
  ok(await root.addPrivilegesToGroup({ group_name: 'node_group', privileges: ['Search', 'Query'] }), 'addPrivilegesToGroup');
  const groups = await root.listPrivilegeGroups();
  const mine = groups.privilege_groups.find(g => g.group_name === 'node_group');
  check(mine && mine.privileges.map(p => p.name).sort().join() === 'Query,Search', 'listPrivilegeGroups', groups.privilege_groups);
  check(groups.privilege_groups.some(g => g.group_name === 'ClusterAdmin'), 'built-in groups listed');
  ok(await root.grantPrivilegeV2({ role: 'node_ro', privilege: 'node_group', db_name: 'default', collection_name: 'node_rbac_b' }),
    'grant the group');
  await within1s(async () => check(await hits(reader, 'node_rbac_b') === 3, 'group grants search'), 'group applies');
  notOk(await root.dropPrivilegeGroup({ group_name: 'node_group' }), 'dropping a group in use');

  // database scope: a grant in another database does not apply in default
  ok(await root.createDatabase({ db_name: 'node_rbac_db' }), 'createDatabase');
  ok(await root.grantPrivilegeV2({ role: 'node_ro', privilege: 'CollectionReadOnly', db_name: 'node_rbac_db', collection_name: '*' }),
    'grant in another database');
  await sleep(200);
  await denied(() => hits(reader, 'node_rbac_a'), 'search in default with a grant in another database', 'in the `default` database');

  // backup, remove everything, restore: the same user (same password hash) reads again
  const backup = await root.backupRBAC();
  ok(backup, 'backupRBAC');
  const all = backup.RBAC_meta;
  // only this script's part (the Java tests on the same server may have made roles of their own)
  const ours = name => name.startsWith('node_');
  const meta = {
    users: all.users.filter(u => ours(u.user)),
    roles: all.roles.filter(r => ours(r.name)),
    grants: all.grants.filter(g => ours(g.role.name)),
    privilege_groups: all.privilege_groups.filter(g => ours(g.group_name)),
  };
  check(meta.roles.some(r => r.name === 'node_ro') && meta.users.some(u => u.user === 'node_reader')
    && meta.privilege_groups.some(g => g.group_name === 'node_group') && !meta.users.some(u => u.user === 'root'),
  'backup holds roles, users and groups (not root)', meta);
  notOk(await root.restoreRBAC({ RBAC_meta: meta }), 'restoring roles that exist');
  for (const g of (await root.listGrants({ roleName: 'node_ro', db_name: '*' })).entities) {
    ok(await root.revokePrivilegeV2({ role: 'node_ro', privilege: g.grantor.privilege.name, db_name: g.db_name, collection_name: g.object_name }),
      'revoke ' + g.grantor.privilege.name);
  }
  ok(await root.removeUserFromRole({ username: 'node_reader', roleName: 'node_ro' }), 'removeUserFromRole');
  ok(await root.dropRole({ roleName: 'node_ro' }), 'dropRole');
  ok(await root.dropPrivilegeGroup({ group_name: 'node_group' }), 'dropPrivilegeGroup');
  ok(await root.deleteUser({ username: 'node_reader' }), 'deleteUser node_reader');
  ok(await root.restoreRBAC({ RBAC_meta: meta }), 'restoreRBAC');
  const again = new MilvusClient({ address, timeout: 30000, token: 'node_reader:reader-pw' });
  await again.connectPromise;
  await within1s(async () => check(await hits(again, 'node_rbac_b') === 3, 'restored user, role and group grant search'), 'restore applies');
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
  await denied(() => user.createUser({ username: 'mallory', password: 'mallory-pw' }), 'createUser without CreateOwnership',
    'PrivilegeCreateOwnership: permission deny to nodeuser');
  notOk(await user.updateUser({ username: 'nodeuser', oldPassword: 'wrong-pw', newPassword: 'node-pw-2' }), 'update with a wrong old password');
  ok(await user.updateUser({ username: 'nodeuser', oldPassword: 'node-pw-1', newPassword: 'node-pw-2' }), 'updateUser');
  await eventuallyRefused(user, 'old password refused after the update');
  const user2 = new MilvusClient({ address, timeout: 30000, username: 'nodeuser', password: 'node-pw-2' });
  await user2.connectPromise;
  ok(await user2.listCollections(), 'new password works');

  notOk(await root.deleteUser({ username: 'root' }), 'deleting root');
  ok(await root.deleteUser({ username: 'nodeuser' }), 'deleteUser');
  await eventuallyRefused(user2, 'deleted user refused');
  await rbac(root);
  console.log('ALL OK');
  process.exit(0);
})().catch(e => fail('unexpected exception', String(e && e.stack || e)));
