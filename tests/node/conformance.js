// Quiver conformance with the official Milvus Node SDK 2.5.12.
// Usage: node conformance.js <host:port>. Exits 0 when every check passed, 1 on the first mismatch.
'use strict';
const { MilvusClient, ConsistencyLevelEnum } = require('@zilliz/milvus2-sdk-node');

const address = process.argv[2] || '127.0.0.1:19530';
const DIM = 8;
const N = 200;

const { fail, check, ok, random } = require('./checks');

// deterministic pseudo-random vectors
const rnd = random(12345);

(async () => {
  const client = new MilvusClient({ address, timeout: 30000 });
  await client.connectPromise;
  const name = 'node_sdk_' + Date.now();

  ok(await client.createCollection({ collection_name: name, dimension: DIM }), 'createCollection (quick setup)');
  const has = await client.hasCollection({ collection_name: name });
  check(has.value === true, 'hasCollection true', has);
  const desc = await client.describeCollection({ collection_name: name });
  ok(desc, 'describeCollection');
  const fieldNames = desc.schema.fields.map(f => f.name).sort();
  check(JSON.stringify(fieldNames) === JSON.stringify(['id', 'vector']), 'user fields only', fieldNames);

  const vectors = [];
  const data = [];
  for (let i = 0; i < N; i++) {
    const v = [];
    for (let j = 0; j < DIM; j++) v.push(rnd());
    vectors.push(v);
    data.push({ id: i, vector: v, color: i % 2 === 0 ? 'red' : 'blue' });
  }
  const ins = await client.insert({ collection_name: name, data });
  ok(ins, 'insert');
  check(Number(ins.insert_cnt) === N, 'insert_cnt', ins.insert_cnt);

  ok(await client.loadCollectionSync({ collection_name: name }), 'loadCollectionSync');
  const ls = await client.getLoadState({ collection_name: name });
  check(ls.state === 'LoadStateLoaded', 'load state', ls.state);

  const s = await client.search({
    collection_name: name, data: [vectors[42]], limit: 5, output_fields: ['id', 'color'],
    consistency_level: ConsistencyLevelEnum.Strong,
  });
  ok(s, 'search');
  check(s.results.length === 5, 'search returns topk', s.results.length);
  check(String(s.results[0].id) === '42', 'search top hit is the query row', s.results[0]);
  check(s.results[0].color === 'red', 'search output field (dynamic)', s.results[0]);
  for (let i = 1; i < s.results.length; i++) {
    check(s.results[i].score <= s.results[i - 1].score, 'COSINE scores descending', s.results.map(r => r.score));
  }

  const multi = await client.search({
    collection_name: name, data: [vectors[1], vectors[2]], limit: 3, consistency_level: ConsistencyLevelEnum.Strong,
    output_fields: ['id'],
  });
  ok(multi, 'search nq=2');
  check(multi.results.length === 2 && String(multi.results[1][0].id) === '2', 'nq=2 second query finds row 2', multi.results);

  const q = await client.query({
    collection_name: name, filter: 'id in [3, 4, 5]', output_fields: ['id', 'color'],
    consistency_level: ConsistencyLevelEnum.Strong,
  });
  ok(q, 'query');
  const ids = q.data.map(r => String(r.id)).sort();
  check(JSON.stringify(ids) === JSON.stringify(['3', '4', '5']), 'query by ids', ids);
  // Node's query() builds rows from fields_data, so a dynamic key comes back inside $meta (as with Milvus)
  const colorOf = r => (r.color !== undefined ? r.color : (r.$meta || {}).color);
  check(q.data.every(r => colorOf(r) === (Number(r.id) % 2 === 0 ? 'red' : 'blue')), 'query output fields', q.data);

  const c = await client.count({ collection_name: name });
  ok(c, 'count');
  check(Number(c.data) === N, 'count(*)', c.data);

  const del = await client.delete({ collection_name: name, ids: [7, 8] });
  ok(del, 'delete by ids');
  const gone = await client.query({
    collection_name: name, filter: 'id in [7, 8, 9]', output_fields: ['id'], consistency_level: ConsistencyLevelEnum.Strong,
  });
  ok(gone, 'query after delete');
  check(gone.data.length === 1 && String(gone.data[0].id) === '9', 'deleted rows are gone', gone.data);

  ok(await client.dropCollection({ collection_name: name }), 'dropCollection');
  const has2 = await client.hasCollection({ collection_name: name });
  check(has2.value === false, 'hasCollection false after drop', has2);
  client.closeConnection();
  console.log('ALL OK');
  process.exit(0);
})().catch(e => fail('exception: ' + (e && e.stack || e)));
