// Sparse, half-precision vectors, analyzers and TEXT_MATCH / PHRASE_MATCH with the official Milvus Node SDK 2.5.12 (issue 12), mirroring
// SparseVectorSdkTest, HalfVectorSdkTest, AnalyzerSdkTest and TextMatchSdkTest: the SDK's own forms go in, exact answers come out.
// Usage: node data_types.js <host:port>. Exits 0 when every check passed, 1 on the first mismatch.
'use strict';
const { MilvusClient, DataType, FunctionType } = require('@zilliz/milvus2-sdk-node');
const { fail, check, ok, notOk, random } = require('./checks');

const address = process.argv[2] || '127.0.0.1:19530';
const STRONG = 'Strong';
let client;

function sparseRow(rnd) {
  const row = {};
  for (let t = 0; t < 6; t++) {
    row[Math.floor((rnd() + 1) * 500)] = Math.fround((rnd() + 1) / 2 + 0.01);
  }
  return row;
}
function dot(a, b) {
  let s = 0;
  for (const k of Object.keys(a)) if (b[k] !== undefined) s += a[k] * b[k];
  return s;
}

async function sparseVectors() {
  const name = 'node_sparse_' + Date.now();
  ok(await client.createCollection({
    collection_name: name, consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'sv', data_type: DataType.SparseFloatVector },
    ],
  }), 'createCollection sparse');
  const rnd = random(11);
  const rows = [];
  for (let i = 0; i < 200; i++) rows.push({ id: i, sv: sparseRow(rnd) });
  const ins = await client.insert({ collection_name: name, data: rows });
  ok(ins, 'insert sparse rows (dict form)');
  ok(await client.createIndex({ collection_name: name, field_name: 'sv', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP',
    params: { inverted_index_algo: 'DAAT_MAXSCORE' } }), 'createIndex SPARSE_INVERTED_INDEX');
  ok(await client.loadCollectionSync({ collection_name: name }), 'load');
  const q = rows[7].sv;
  const s = await client.search({ collection_name: name, anns_field: 'sv', data: [q], limit: 5, metric_type: 'IP', consistency_level: STRONG });
  ok(s, 'search sparse');
  const want = rows.map(r => ({ id: r.id, s: dot(q, r.sv) })).filter(x => x.s > 0)
    .sort((a, b) => b.s - a.s || a.id - b.id).slice(0, 5).map(x => x.id);
  const got = s.results.map(r => Number(r.id));
  check(JSON.stringify(got.slice().sort((a, b) => a - b)) === JSON.stringify(want.slice().sort((a, b) => a - b)),
    'sparse top-5 equals exact IP', { got, want });
  const back = await client.query({ collection_name: name, filter: 'id == 7', output_fields: ['sv'], consistency_level: STRONG });
  ok(back, 'query sparse back');
  const sv = back.data[0].sv;
  const same = Object.keys(q).every(k => Math.abs(Number(sv[k]) - q[k]) < 1e-6) && Object.keys(sv).length === Object.keys(q).length;
  check(same, 'sparse row comes back as inserted', { sv, q });
  const bad = await client.insert({ collection_name: name, data: [{ id: 1000, sv: { 3: -1.0 } }] });
  notOk(bad, 'negative sparse value refused');
  ok(await client.dropCollection({ collection_name: name }), 'drop sparse');
}

async function halfVectors() {
  const name = 'node_half_' + Date.now();
  ok(await client.createCollection({
    collection_name: name, consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'f16', data_type: DataType.Float16Vector, dim: 8 },
    ],
    index_params: [{ field_name: 'f16', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } }],
  }), 'createCollection float16 (HNSW/L2, loaded)');
  const rnd = random(21);
  const rows = [];
  for (let i = 0; i < 100; i++) rows.push({ id: i, f16: Array.from({ length: 8 }, () => rnd()) });
  ok(await client.insert({ collection_name: name, data: rows }), 'insert float16 rows (float arrays, converted by the SDK)');
  const s = await client.search({ collection_name: name, anns_field: 'f16', data: [rows[42].f16], limit: 3, consistency_level: STRONG });
  ok(s, 'search float16');
  check(Number(s.results[0].id) === 42, 'float16 search of row 42 finds it first', s.results);
  check(Math.abs(Number(s.results[0].score)) < 1e-3, 'and at distance ~0', s.results[0]);
  ok(await client.dropCollection({ collection_name: name }), 'drop float16');
}

async function analyzers() {
  const r = await client.runAnalyzer({ text: ['The running dogs are happily jumping'], analyzer_params: { type: 'english' }, with_detail: true });
  ok(r, 'runAnalyzer english');
  const tokens = r.results[0].tokens.map(t => t.token);
  check(JSON.stringify(tokens) === JSON.stringify(['run', 'dog', 'happili', 'jump']), 'english tokens', tokens);
  const std = await client.runAnalyzer({ text: ["dog's 32.3"] });
  ok(std, 'runAnalyzer standard');
  check(JSON.stringify(std.results[0].tokens.map(t => t.token)) === JSON.stringify(['dog', 's', '32', '3']), 'standard tokens', std.results[0].tokens);
  const bad = await client.runAnalyzer({ text: ['x'], analyzer_params: { tokenizer: 'standard', filter: ['nosuch'] } });
  const st = notOk(bad, 'runAnalyzer with an unknown filter');
  check(st.code === 2000 && String(st.reason).includes('filter not found :nosuch'), 'code 2000 and the filter named', st);
}

async function idsOf(name, filter) {
  const r = await client.query({ collection_name: name, filter, output_fields: ['id'], consistency_level: STRONG });
  ok(r, 'query ' + filter);
  return r.data.map(x => Number(x.id)).sort((a, b) => a - b);
}

// TEXT_MATCH / PHRASE_MATCH (mirrors TextMatchSdkTest): english stems, phrases with slop, Chinese, flushed and growing
// rows, delete by filter, and code 2042 on a field without enable_match
async function textMatch() {
  const name = 'node_text_' + Date.now();
  ok(await client.createCollection({
    collection_name: name, consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'text', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true, enable_match: true,
        analyzer_params: { type: 'english' } },
      { name: 'zh', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true, enable_match: true,
        analyzer_params: { type: 'chinese' } },
      { name: 'plain', data_type: DataType.VarChar, max_length: 200 },
    ],
    index_params: [{ field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }],
  }), 'createCollection with enable_match fields');
  const texts = ['Running dogs in the park', 'a dog runs', 'cats sleep in the park', 'the park dog', 'machine deep learning'];
  const zh = ['我们喜欢向量数据库', '向量是数据库的基础', '今天天气很好', '数据库和向量', '机器学习很有趣'];
  const row = (i) => ({ id: i, v: [i, 1], text: texts[i % 5], zh: zh[i % 5], plain: texts[i % 5] });
  ok(await client.insert({ collection_name: name, data: [0, 1, 2, 3, 4].map(row) }), 'insert text rows');
  ok(await client.flushSync({ collection_names: [name] }), 'flush (sealed)');
  ok(await client.insert({ collection_name: name, data: [5, 6, 7, 8, 9].map(row) }), 'insert growing text rows');
  const same = (got, want, what) => check(JSON.stringify(got) === JSON.stringify(want), what, { got, want });
  same(await idsOf(name, "text_match(text, 'run')"), [0, 1, 5, 6], 'text_match stems (running, runs)');
  same(await idsOf(name, "TEXT_MATCH(text, 'cat DOG') and id < 5"), [0, 1, 2, 3], 'TEXT_MATCH any token, and');
  same(await idsOf(name, "phrase_match(text, 'dog park')"), [], 'phrase_match slop 0');
  same(await idsOf(name, "phrase_match(text, 'dog park', 2)"), [0, 3, 5, 8], 'phrase_match slop 2 (gap of two, reversed pair)');
  same(await idsOf(name, "phrase_match(text, 'machine learning', 1) or id == 0"), [0, 4, 9], 'phrase_match slop 1, or');
  same(await idsOf(name, "text_match(zh, '数据库')"), [0, 1, 3, 5, 6, 8], 'chinese text_match');
  same(await idsOf(name, "phrase_match(zh, '向量数据库', 1)"), [0, 1, 5, 6], 'chinese phrase_match (slop in characters)');
  const search = await client.search({ collection_name: name, anns_field: 'v', data: [[0, 1]], limit: 10,
    filter: "text_match(text, 'park')", consistency_level: STRONG });
  ok(search, 'search with text_match filter');
  same(search.results.map(r => Number(r.id)).sort((a, b) => a - b), [0, 2, 3, 5, 7, 8], 'search hits are the matching rows');
  ok(await client.delete({ collection_name: name, filter: "text_match(text, 'cat')" }), 'delete by text_match');
  same(await idsOf(name, "text_match(text, 'park')"), [0, 3, 5, 8], 'deleted rows are gone');
  const bad = await client.query({ collection_name: name, filter: "text_match(plain, 'dog')", output_fields: ['id'], consistency_level: STRONG });
  const st = notOk(bad, 'text_match on a field without enable_match');
  check(st.code === 2042 && String(st.reason).includes('failed to get text index, text index not found'), 'code 2042 and Milvus reason', st);
  const slop = await client.query({ collection_name: name, filter: "phrase_match(text, 'a b', -1)", output_fields: ['id'], consistency_level: STRONG });
  check(notOk(slop, 'a negative slop').code === 1100, 'negative slop: code 1100', slop);
  ok(await client.dropCollection({ collection_name: name }), 'drop text collection');
}

// BM25 function (mirrors Bm25SdkTest): texts in, raw-text search out; scores are Okapi BM25 over the live rows.
async function bm25() {
  const name = 'node_bm25_' + Date.now();
  ok(await client.createCollection({
    collection_name: name, consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'text', data_type: DataType.VarChar, max_length: 1000, enable_analyzer: true },
      { name: 'sparse', data_type: DataType.SparseFloatVector },
    ],
    functions: [{ name: 'bm25', type: FunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
  }), 'create bm25 collection');
  const docs = ['the quick brown fox', 'a lazy dog sleeps', 'the fox and the dog', 'vector databases store vectors', 'quick quick quick'];
  ok(await client.insert({ collection_name: name, data: docs.map((text, id) => ({ id, text })) }), 'insert texts');
  ok(await client.createIndex({ collection_name: name, field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }),
    'bm25 index');
  ok(await client.loadCollection({ collection_name: name }), 'load bm25');
  const s = await client.search({ collection_name: name, data: ['quick fox'], anns_field: 'sparse', limit: 5, output_fields: ['id', 'text'] });
  ok(s, 'bm25 search');
  // by hand: N 5, 20 tokens (avgdl 4); quick in 2 rows, fox in 2 rows
  const n = 5, avgdl = 20 / 5, k1 = 1.2, b = 0.75;
  const idf = df => Math.log(1 + (n - df + 0.5) / (df + 0.5));
  const tfn = (tf, dl) => tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));
  const want = { 0: idf(2) * tfn(1, 4) + idf(2) * tfn(1, 4), 4: idf(2) * tfn(3, 3), 2: idf(2) * tfn(1, 5) };
  check(s.results.length === 3, 'three rows share a term with the query', s.results);
  for (const h of s.results) {
    check(Math.abs(Number(h.score) - want[Number(h.id)]) < 1e-4, 'bm25 score of row ' + h.id, { got: h.score, want: want[Number(h.id)] });
    check(h.text === docs[Number(h.id)], 'text output of row ' + h.id, h);
  }
  check(Number(s.results[0].id) === 0, 'the row with both words first', s.results);
  const d = await client.describeCollection({ collection_name: name });
  check(d.schema.functions.length === 1 && d.schema.functions[0].name === 'bm25', 'describe shows the function', d.schema.functions);
  const bad = await client.search({ collection_name: name, data: ['fox'], anns_field: 'sparse', limit: 3, metric_type: 'IP' });
  const st = notOk(bad, 'bm25 search with metric IP');
  check(String(st.reason).includes('BM25'), 'the reason names BM25', st);
  ok(await client.dropCollection({ collection_name: name }), 'drop bm25');
}

(async () => {
  client = new MilvusClient({ address, timeout: 60000 });
  await client.connectPromise;
  await sparseVectors();
  await halfVectors();
  await analyzers();
  await bm25();
  await textMatch();
  client.closeConnection();
  console.log('ALL OK');
  process.exit(0);
})().catch(e => fail('exception: ' + (e && e.stack || e)));
