// Quiver's RESTful API v2 through the official Node SDK's HttpClient (@zilliz/milvus2-sdk-node 2.5.12): collections,
// entities (insert, upsert, get, query, search, hybrid search, delete), partitions, indexes, aliases, import jobs, and
// with a token users and roles. Usage: node rest.js <host:port> [user:password]. Exits 0 when every check passed.
'use strict';
const { HttpClient } = require('@zilliz/milvus2-sdk-node');
const { fail, check, random } = require('./checks');

const address = process.argv[2] || '127.0.0.1:19530';
const token = process.argv[3] || '';
const DIM = 4;
const N = 50;

const rnd = random(4242);
const okRes = (res, what) => check(res && res.code === 0, what + ' code 0', res);
const l2 = (a, b) => a.reduce((s, x, i) => s + (x - b[i]) * (x - b[i]), 0);

(async () => {
  const client = new HttpClient({ endpoint: 'http://' + address, token, timeout: 60000 });
  const name = 'node_rest_' + Date.now();

  // ---- collections ----
  okRes(await client.createCollection({
    collectionName: name,
    schema: {
      autoID: false,
      enableDynamicField: true,
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
        { fieldName: 'vec2', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
        { fieldName: 'tag', dataType: 'VarChar', elementTypeParams: { max_length: 16 } },
        { fieldName: 'arr', dataType: 'Array', elementDataType: 'Int64', elementTypeParams: { max_capacity: 4 } },
      ],
    },
    indexParams: [
      { fieldName: 'vec', indexName: 'vec_idx', metricType: 'L2', indexType: 'FLAT' },
      { fieldName: 'vec2', indexName: 'vec2_idx', metricType: 'IP', indexType: 'FLAT' },
    ],
  }), 'createCollection with schema and indexes');
  const has = await client.hasCollection({ collectionName: name });
  check(has.code === 0 && has.data.has === true, 'hasCollection', has);
  const list = await client.listCollections();
  check(list.code === 0 && list.data.includes(name), 'listCollections names the new collection', list);
  const desc = await client.describeCollection({ collectionName: name });
  check(desc.code === 0 && desc.data.fields.length === 5 && desc.data.enableDynamicField === true, 'describeCollection fields', desc);
  check(desc.data.indexes.length === 2, 'describeCollection lists both indexes', desc.data.indexes);
  let load;
  for (let i = 0; i < 100; i++) {
    load = await client.getCollectionLoadState({ collectionName: name });
    if (load.data && load.data.loadState === 'LoadStateLoaded') break;
    await new Promise(r => setTimeout(r, 200));
  }
  check(load.data.loadState === 'LoadStateLoaded', 'created with indexes: loaded', load);

  // ---- entities ----
  const rows = [];
  for (let i = 0; i < N; i++) {
    rows.push({ id: i, vec: Array.from({ length: DIM }, rnd), vec2: Array.from({ length: DIM }, rnd), tag: 't' + (i % 3), arr: [i, i + 1], extra: i * 2 });
  }
  const ins = await client.insert({ collectionName: name, data: rows });
  check(ins.code === 0 && ins.data.insertCount === N, 'insert ' + N + ' rows', ins);
  const count = await client.query({ collectionName: name, filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
  check(count.code === 0 && Number(count.data[0]['count(*)']) === N, 'count(*) = ' + N, count);

  const q = rows[7].vec;
  const expected = rows.map(r => [r.id, l2(q, r.vec)]).sort((a, b) => a[1] - b[1]).slice(0, 5).map(x => String(x[0]));
  const s = await client.search({ collectionName: name, annsField: 'vec', data: [q], limit: 5, outputFields: ['tag', 'extra'], consistencyLevel: 'Strong' });
  check(s.code === 0 && s.data.length === 5, 'search returns 5 hits', s);
  check(JSON.stringify(s.data.map(h => String(h.id))) === JSON.stringify(expected), 'search order equals brute force (L2)', { got: s.data.map(h => h.id), expected });
  check(s.data[0].tag === rows[Number(s.data[0].id)].tag && s.data[0].extra === rows[Number(s.data[0].id)].extra, 'search output fields incl. dynamic', s.data[0]);
  const s2 = await client.search({ collectionName: name, annsField: 'vec', data: [rows[1].vec, rows[2].vec], limit: 3 });
  check(s2.code === 0 && s2.data.length === 2 && String(s2.data[0][0].id) === '1' && String(s2.data[1][0].id) === '2', 'search nq=2 split by topks', s2.data);
  const filtered = await client.search({ collectionName: name, annsField: 'vec', data: [q], limit: 50, filter: 'tag == "t1"' });
  check(filtered.code === 0 && filtered.data.length === rows.filter(r => r.tag === 't1').length, 'filtered search', filtered.data.length);

  const hy = await client.hybridSearch({
    collectionName: name,
    search: [{ data: [q], annsField: 'vec', limit: 5 }, { data: [rows[7].vec2], annsField: 'vec2', limit: 5 }],
    rerank: { strategy: 'rrf', params: { k: 60 } },
    limit: 3,
    outputFields: ['tag'],
  });
  check(hy.code === 0 && hy.data.length === 3 && String(hy.data[0].id) === '7', 'hybrid search (RRF) ranks the shared nearest first', hy);

  const got = await client.get({ collectionName: name, id: [3, 4], outputFields: ['tag', 'arr'] });
  check(got.code === 0 && got.data.length === 2 && Number(got.data.find(r => Number(r.id) === 4).arr[1]) === 5, 'get by ids', got);
  const qr = await client.query({ collectionName: name, filter: 'id < 10 and tag == "t0"', outputFields: ['id'], limit: 100 });
  check(qr.code === 0 && qr.data.length === 4, 'query with a filter', qr);

  const up = await client.upsert({ collectionName: name, data: [{ id: 3, vec: [0, 0, 0, 0], vec2: [0, 0, 0, 1], tag: 'new', arr: [] }] });
  check(up.code === 0 && up.data.upsertCount === 1, 'upsert', up);
  const after = await client.get({ collectionName: name, id: 3, outputFields: ['tag'] });
  check(after.data.length === 1 && after.data[0].tag === 'new', 'upsert replaced the row', after);
  okRes(await client.delete({ collectionName: name, filter: 'id in [0, 1, 2]' }), 'delete by filter');
  const count2 = await client.query({ collectionName: name, filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
  check(Number(count2.data[0]['count(*)']) === N - 3, 'count after delete', count2);
  const bad = await client.insert({ collectionName: name, data: [{ id: 999, vec: [1, 2], vec2: [0, 0, 0, 0], tag: 'x', arr: [] }] });
  check(bad.code === 1804, 'a wrong dimension is refused with code 1804', bad);
  const missing = await client.describeCollection({ collectionName: name + '_missing' });
  check(missing.code === 100, 'an unknown collection gives code 100', missing);

  // ---- partitions ----
  okRes(await client.createPartition({ collectionName: name, partitionName: 'p1' }), 'createPartition');
  const parts = await client.listPartitions({ collectionName: name });
  check(parts.code === 0 && parts.data.includes('p1') && parts.data.includes('_default'), 'listPartitions', parts);
  const hp = await client.hasPartition({ collectionName: name, partitionName: 'p1' });
  check(hp.data.has === true, 'hasPartition', hp);
  okRes(await client.insert({ collectionName: name, partitionName: 'p1', data: [{ id: 1000, vec: [1, 1, 1, 1], vec2: [1, 1, 1, 1], tag: 'p', arr: [] }] }), 'insert into a partition');
  const pq = await client.query({ collectionName: name, partitionNames: ['p1'], filter: 'id >= 0', outputFields: ['id'], consistencyLevel: 'Strong' });
  check(pq.code === 0 && pq.data.length === 1 && Number(pq.data[0].id) === 1000, 'query one partition', pq);
  okRes(await client.releasePartitions({ collectionName: name, partitionNames: ['p1'] }), 'releasePartitions');
  okRes(await client.loadPartitions({ collectionName: name, partitionNames: ['p1'] }), 'loadPartitions');
  const ps = await client.getPartitionStatistics({ collectionName: name, partitionName: 'p1' });
  check(ps.code === 0 && typeof ps.data.rowCount === 'number', 'getPartitionStatistics', ps);

  // ---- indexes ----
  const idx = await client.listIndexes({ collectionName: name });
  check(idx.code === 0 && idx.data.includes('vec_idx') && idx.data.includes('vec2_idx'), 'listIndexes', idx);
  const di = await client.describeIndex({ collectionName: name, indexName: 'vec_idx' });
  check(di.code === 0 && di.data[0].indexType === 'FLAT' && di.data[0].metricType === 'L2', 'describeIndex', di);

  // ---- aliases ----
  okRes(await client.createAlias({ collectionName: name, aliasName: name + '_a' }), 'createAlias');
  const da = await client.describeAlias({ aliasName: name + '_a' });
  check(da.code === 0 && da.data.collectionName === name, 'describeAlias', da);
  const la = await client.listAliases({ collectionName: name });
  check(la.code === 0 && la.data.includes(name + '_a'), 'listAliases', la);
  const viaAlias = await client.query({ collectionName: name + '_a', filter: 'id == 5', outputFields: ['tag'] });
  check(viaAlias.code === 0 && viaAlias.data.length === 1, 'query through the alias', viaAlias);
  okRes(await client.dropAlias({ aliasName: name + '_a' }), 'dropAlias');

  // ---- import jobs: created; the file does not exist, so the job fails naming it ----
  const imp = await client.createImportJobs({ collectionName: name, files: [['a.parquet']] });
  check(imp.code === 0 && typeof imp.data.jobId === 'string', 'import job created', imp);
  let job = null;
  for (let i = 0; i < 100; i++) {
    job = await client.getImportJobProgress({ jobId: imp.data.jobId });
    if (job.code !== 0 || job.data.state === 'Failed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  check(job.code === 0 && job.data.state === 'Failed' && job.data.reason === 'importing data failed: file a.parquet does not exist',
    'import job fails with the reason', job);
  const jobs = await client.listImportJobs({ collectionName: name });
  check(jobs.code === 0 && jobs.data.records.some((r) => r.jobId === imp.data.jobId), 'listImportJobs lists the job', jobs);

  // ---- users and roles (with a token) ----
  if (token) {
    const user = 'rest_user_' + Date.now();
    const role = 'rest_role_' + Date.now();
    okRes(await client.createUser({ userName: user, password: 'P@ssw0rd1' }), 'createUser');
    const users = await client.listUsers();
    check(users.code === 0 && users.data.includes(user), 'listUsers', users);
    okRes(await client.createRole({ roleName: role }), 'createRole');
    okRes(await client.grantPrivilegeToRole({ roleName: role, objectType: 'Collection', objectName: name, privilege: 'Query' }), 'grant');
    const dr = await client.describeRole({ roleName: role });
    check(dr.code === 0 && dr.data.some(g => g.privilege === 'Query' && g.objectName === name), 'describeRole lists the grant', dr);
    okRes(await client.grantRoleToUser({ userName: user, roleName: role }), 'grantRoleToUser');
    const du = await client.describeUser({ userName: user });
    check(du.code === 0 && du.data.includes(role), 'describeUser lists the role', du);
    const asUser = new HttpClient({ endpoint: 'http://' + address, username: user, password: 'P@ssw0rd1' });
    const allowed = await asUser.query({ collectionName: name, filter: 'id == 5', outputFields: ['tag'] });
    check(allowed.code === 0 && allowed.data.length === 1, 'the user queries with the granted privilege', allowed);
    const denied = await asUser.insert({ collectionName: name, data: [{ id: 77, vec: [0, 0, 0, 0], vec2: [0, 0, 0, 0], tag: 'x', arr: [] }] });
    check(denied.code !== 0, 'the user may not insert', denied);
    okRes(await client.updateUserPassword({ userName: user, password: 'P@ssw0rd1', newPassword: 'P@ssw0rd2' }), 'updateUserPassword');
    const stale = await asUser.query({ collectionName: name, filter: 'id == 5' });
    check(stale.code === 1800, 'the old password is refused with code 1800', stale);
    okRes(await client.revokeRoleFromUser({ userName: user, roleName: role }), 'revokeRoleFromUser');
    okRes(await client.revokePrivilegeFromRole({ roleName: role, objectType: 'Collection', objectName: name, privilege: 'Query' }), 'revoke');
    okRes(await client.dropRole({ roleName: role }), 'dropRole');
    okRes(await client.dropUser({ userName: user }), 'dropUser');
    const anon = new HttpClient({ endpoint: 'http://' + address });
    const refused = await anon.listCollections();
    check(refused.code === 1800, 'no credentials: code 1800', refused);
  }

  // ---- tidy up ----
  okRes(await client.releaseCollection({ collectionName: name }), 'releaseCollection');
  okRes(await client.renameCollection({ collectionName: name, newCollectionName: name + '_r' }), 'renameCollection');
  okRes(await client.dropCollection({ collectionName: name + '_r' }), 'dropCollection');
  console.log('ALL OK');
})().catch(e => fail('unexpected error', String(e && e.stack || e)));
