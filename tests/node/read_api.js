// Quiver read API (issue 5) with the official Milvus Node SDK 2.5.12: filtered query/search, count with a filter,
// delete by filter, aliases, hybrid search (RRF), query iterator, databases and their isolation.
// Usage: node read_api.js <host:port>. Exits 0 when every check passed, 1 on the first mismatch.
'use strict';
const { MilvusClient, ConsistencyLevelEnum, DataType, RRFRanker, WeightedRanker } = require('@zilliz/milvus2-sdk-node');

const address = process.argv[2] || '127.0.0.1:19530';
const DIM = 8;
const N = 400;
const STRONG = ConsistencyLevelEnum.Strong;

const { fail, check, ok, notOk, random } = require('./checks');
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const rnd = random(777);
const l2 = (a, b) => a.reduce((s, x, i) => s + (x - b[i]) * (x - b[i]), 0);
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const f32 = v => Array.from(new Float32Array(v));

(async () => {
  const client = new MilvusClient({ address, timeout: 60000 });
  await client.connectPromise;
  const name = 'node_read_' + Date.now();

  // ---- a collection with two vector fields, scalars, JSON, array and the dynamic field ----
  ok(await client.createCollection({
    collection_name: name,
    enable_dynamic_field: true,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'v1', data_type: DataType.FloatVector, dim: DIM },
      { name: 'v2', data_type: DataType.FloatVector, dim: DIM },
      { name: 'age', data_type: DataType.Int32 },
      { name: 'tag', data_type: DataType.VarChar, max_length: 32 },
      { name: 'meta', data_type: DataType.JSON },
      { name: 'arr', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 4 },
    ],
    index_params: [
      { field_name: 'v1', index_type: 'FLAT', metric_type: 'L2' },
      { field_name: 'v2', index_type: 'FLAT', metric_type: 'IP' },
    ],
  }), 'createCollection (two vector fields)');

  const rows = [];
  for (let i = 0; i < N; i++) {
    const v1 = f32(Array.from({ length: DIM }, rnd));
    const v2 = f32(Array.from({ length: DIM }, rnd));
    rows.push({
      id: i, v1, v2, age: i % 100, tag: ['red', 'green', 'blue'][i % 3],
      meta: { level: i % 10, name: 'n' + i }, arr: [i % 4, i % 6], color: i % 2 === 0 ? 'even' : 'odd',
    });
  }
  const ins = await client.insert({ collection_name: name, data: rows });
  ok(ins, 'insert');
  check(Number(ins.insert_cnt) === N, 'insert_cnt', ins.insert_cnt);
  ok(await client.loadCollectionSync({ collection_name: name }), 'loadCollectionSync');

  // ---- filtered query: reference computed from the rows ----
  const filters = [
    ['age > 90', r => r.age > 90],
    ['10 <= age < 13 and tag == "red"', r => r.age >= 10 && r.age < 13 && r.tag === 'red'],
    ['tag in ["green", "blue"] and age < 3', r => (r.tag === 'green' || r.tag === 'blue') && r.age < 3],
    ['tag like "gr%" and id < 30', r => r.tag.startsWith('gr') && r.id < 30],
    ['meta["level"] == 7 and age < 40', r => r.meta.level === 7 && r.age < 40],
    ['array_contains(arr, 3) and id < 60', r => r.arr.includes(3) && r.id < 60],
    ['color == "odd" and age > 95', r => r.color === 'odd' && r.age > 95],
    ['not (age >= 2) or id == 399', r => !(r.age >= 2) || r.id === 399],
    ['age * 2 == 10', r => r.age * 2 === 10],
  ];
  for (const [expr, pred] of filters) {
    const want = rows.filter(pred).map(r => String(r.id)).sort();
    const q = await client.query({ collection_name: name, filter: expr, output_fields: ['id', 'age', 'tag'], consistency_level: STRONG });
    ok(q, 'query `' + expr + '`');
    const got = q.data.map(r => String(r.id)).sort();
    check(same(got, want), 'query rows `' + expr + '`', { got, want });
    const c = await client.count({ collection_name: name, expr });
    ok(c, 'count `' + expr + '`');
    check(Number(c.data) === want.length, 'count(*) `' + expr + '`', { got: c.data, want: want.length });
  }
  const all = await client.count({ collection_name: name });
  check(Number(all.data) === N, 'count(*) without filter', all.data);

  // ---- filtered search on each vector field ----
  const qv = f32(Array.from({ length: DIM }, rnd));
  for (const [field, metric] of [['v1', 'L2'], ['v2', 'IP']]) {
    const expr = 'age < 50 and tag != "blue"';
    const cand = rows.filter(r => r.age < 50 && r.tag !== 'blue');
    const key = metric === 'L2' ? r => l2(r[field], qv) : r => -dot(r[field], qv);
    const want = cand.slice().sort((a, b) => key(a) - key(b)).slice(0, 10).map(r => String(r.id));
    const s = await client.search({
      collection_name: name, anns_field: field, data: [qv], limit: 10, filter: expr,
      output_fields: ['id', 'age', 'tag'], consistency_level: STRONG,
    });
    ok(s, 'filtered search ' + field);
    check(same(s.results.map(r => String(r.id)), want), 'filtered search ' + field + ' ids', { got: s.results.map(r => r.id), want });
    check(s.results.every(r => r.age < 50 && r.tag !== 'blue'), 'filtered search ' + field + ' output fields', s.results);
  }

  // ---- hybrid search, RRF (k=60) and weighted ----
  const per = 20;
  const rankL2 = rows.slice().sort((a, b) => l2(a.v1, qv) - l2(b.v1, qv)).slice(0, per);
  const rankIP = rows.slice().sort((a, b) => dot(b.v2, qv) - dot(a.v2, qv)).slice(0, per);
  const rrf = new Map();
  rankL2.forEach((r, i) => rrf.set(r.id, (rrf.get(r.id) || 0) + 1 / (60 + i + 1)));
  rankIP.forEach((r, i) => rrf.set(r.id, (rrf.get(r.id) || 0) + 1 / (60 + i + 1)));
  const rrfWant = [...rrf.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const h = await client.hybridSearch({
    collection_name: name,
    data: [{ data: [qv], anns_field: 'v1', limit: per }, { data: [qv], anns_field: 'v2', limit: per }],
    rerank: RRFRanker(60), limit: 10, output_fields: ['id', 'tag'], consistency_level: STRONG,
  });
  ok(h, 'hybridSearch RRF');
  check(h.results.length === 10, 'hybridSearch RRF returns limit', h.results.length);
  for (let i = 0; i < 10; i++) {
    const r = h.results[i];
    check(Math.abs(r.score - rrfWant[i][1]) < 1e-6, 'RRF score at rank ' + i, { got: r, want: rrfWant[i] });
    check(Math.abs(rrf.get(Number(r.id)) - r.score) < 1e-6, 'RRF score of id ' + r.id, { got: r.score, want: rrf.get(Number(r.id)) });
    check(r.tag === rows[Number(r.id)].tag, 'RRF output field of id ' + r.id, r);
  }
  const hf = await client.hybridSearch({
    collection_name: name,
    data: [{ data: [qv], anns_field: 'v1', expr: 'tag == "red"' }, { data: [qv], anns_field: 'v2', expr: 'tag == "red"' }],
    rerank: WeightedRanker([0.5, 0.5]), limit: 15, output_fields: ['tag'], consistency_level: STRONG,
  });
  ok(hf, 'hybridSearch weighted with filters');
  check(hf.results.length === 15 && hf.results.every(r => r.tag === 'red'), 'weighted hybrid honours the filters', hf.results);
  for (let i = 1; i < hf.results.length; i++) {
    check(hf.results[i].score <= hf.results[i - 1].score, 'weighted scores descending', hf.results.map(r => r.score));
  }

  // ---- query iterator: every matching row once, pk ascending ----
  // (`expr`, not `filter`: SDK 2.5.12's query() prefers data.filter over the iterator's paging expression in data.expr,
  // so an iterator given `filter` would return its first page forever — a client-side bug)
  const itExpr = 'age >= 70';
  const itWant = rows.filter(r => r.age >= 70).map(r => r.id);
  const it = await client.queryIterator({
    collection_name: name, expr: itExpr, batchSize: 25, output_fields: ['id', 'age'], consistency_level: STRONG,
  });
  const seen = [];
  for await (const batch of it) {
    check(batch.length <= 25, 'query iterator batch size', batch.length);
    for (const r of batch) {
      if (!(Number(r.age) >= 70)) fail('query iterator row outside the filter', r);
      seen.push(Number(r.id));
    }
  }
  check(same(seen, itWant), 'query iterator returns every row once in pk order', { got: seen, want: itWant });

  // ---- aliases ----
  const alias = name + '_alias';
  ok(await client.createAlias({ collection_name: name, alias }), 'createAlias');
  const da = await client.describeAlias({ collection_name: name, alias });
  ok(da, 'describeAlias');
  check(da.collection === name && da.alias === alias, 'describeAlias names the collection', da);
  const la = await client.listAliases({ collection_name: name });
  ok(la, 'listAliases');
  check(la.aliases.includes(alias), 'listAliases contains the alias', la.aliases);
  const qa = await client.query({ collection_name: alias, filter: 'id in [1, 2, 3]', output_fields: ['id'], consistency_level: STRONG });
  ok(qa, 'query through the alias');
  check(same(qa.data.map(r => String(r.id)).sort(), ['1', '2', '3']), 'query through the alias rows', qa.data);
  const sa = await client.search({ collection_name: alias, anns_field: 'v1', data: [rows[17].v1], limit: 1, output_fields: ['id'], consistency_level: STRONG });
  ok(sa, 'search through the alias');
  check(sa.results.length === 1 && String(sa.results[0].id) === '17', 'search through the alias finds the row', sa.results);
  const ca = await client.count({ collection_name: alias, expr: 'age < 10' });
  check(Number(ca.data) === rows.filter(r => r.age < 10).length, 'count through the alias', ca.data);
  ok(await client.dropAlias({ collection_name: name, alias }), 'dropAlias');
  notOk(await client.describeAlias({ collection_name: name, alias }), 'describeAlias after drop');

  // ---- delete by filter ----
  const del = await client.delete({ collection_name: name, filter: 'age > 90 or tag like "bl%" and age < 5' });
  ok(del, 'delete by filter');
  const gonePred = r => r.age > 90 || (r.tag.startsWith('bl') && r.age < 5);
  const remaining = rows.filter(r => !gonePred(r));
  check(Number(del.delete_cnt) === N - remaining.length, 'delete_cnt', { got: del.delete_cnt, want: N - remaining.length });
  const cAfter = await client.count({ collection_name: name });
  check(Number(cAfter.data) === remaining.length, 'count after delete', { got: cAfter.data, want: remaining.length });
  const qAfter = await client.query({ collection_name: name, filter: 'age > 90', output_fields: ['id'], consistency_level: STRONG });
  ok(qAfter, 'query after delete');
  check(qAfter.data.length === 0, 'deleted rows are gone from query', qAfter.data);
  const sAfter = await client.search({
    collection_name: name, anns_field: 'v1', data: [rows[95].v1], limit: 500, output_fields: ['id', 'age'], consistency_level: STRONG,
  });
  ok(sAfter, 'search after delete');
  check(sAfter.results.length === remaining.length, 'search sees only the remaining rows', sAfter.results.length);
  check(sAfter.results.every(r => !gonePred(rows[Number(r.id)])), 'deleted rows are gone from search', null);

  // ---- databases ----
  const db = 'node_db_' + Date.now();
  ok(await client.createDatabase({ db_name: db }), 'createDatabase');
  const ldb = await client.listDatabases();
  ok(ldb, 'listDatabases');
  check(ldb.db_names.includes(db) && ldb.db_names.includes('default'), 'listDatabases has default and the new db', ldb.db_names);
  const ddb = await client.describeDatabase({ db_name: db });
  ok(ddb, 'describeDatabase');
  check(ddb.db_name === db, 'describeDatabase name', ddb);

  const dbClient = new MilvusClient({ address, timeout: 60000, database: db });
  await dbClient.connectPromise;
  const inDb = 'node_in_db_' + Date.now();
  ok(await dbClient.createCollection({ collection_name: inDb, dimension: 4 }), 'createCollection in the db');
  const insDb = await dbClient.insert({ collection_name: inDb, data: [0, 1, 2, 3, 4].map(i => ({ id: i, vector: [i, 1, 0, 0] })) });
  ok(insDb, 'insert in the db');
  const cDb = await dbClient.count({ collection_name: inDb });
  check(Number(cDb.data) === 5, 'count in the db', cDb.data);
  const showDb = await dbClient.showCollections();
  ok(showDb, 'showCollections in the db');
  check(same(showDb.data.map(c => c.name), [inDb]), 'the db lists only its collection', showDb.data.map(c => c.name));
  const showDefault = await client.showCollections();
  check(!showDefault.data.map(c => c.name).includes(inDb), 'the default db does not list it', showDefault.data.map(c => c.name));
  const hasDefault = await client.hasCollection({ collection_name: inDb });
  check(hasDefault.value === false, 'hasCollection in default db is false', hasDefault);
  // use() switches the dbname header on an existing client
  await client.use({ db_name: db });
  const hasInDb = await client.hasCollection({ collection_name: inDb });
  check(hasInDb.value === true, 'after use(db) the collection is visible', hasInDb);
  const qDb = await client.query({ collection_name: inDb, filter: 'id >= 3', output_fields: ['id'], consistency_level: STRONG });
  ok(qDb, 'query in the db after use()');
  check(same(qDb.data.map(r => String(r.id)).sort(), ['3', '4']), 'query in the db rows', qDb.data);
  notOk(await client.dropDatabase({ db_name: db }), 'dropDatabase of a non-empty db');
  await client.use({ db_name: 'default' });
  check((await client.hasCollection({ collection_name: name })).value === true, 'back in default: own collection visible', null);
  ok(await dbClient.dropCollection({ collection_name: inDb }), 'dropCollection in the db');
  ok(await client.dropDatabase({ db_name: db }), 'dropDatabase');
  const ldb2 = await client.listDatabases();
  check(!ldb2.db_names.includes(db), 'dropped db no longer listed', ldb2.db_names);
  dbClient.closeConnection();

  ok(await client.dropCollection({ collection_name: name }), 'dropCollection');
  client.closeConnection();
  console.log('ALL OK');
  process.exit(0);
})().catch(e => fail('exception: ' + (e && e.stack || e)));
