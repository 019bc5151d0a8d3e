// TEXT_MATCH / PHRASE_MATCH query QPS through the Node SDK (docs/benchmarks.md): 100,000 rows of Debian package
// descriptions (row i joins description i mod n and description (7i + 3) mod n, as TextMatchBench), english analyzer,
// flushed into sealed segments and loaded; then count(*) and query (limit 100) with each filter for a few seconds,
// one request at a time. Usage: node text_match_bench.js <host:port> <apt-cache dumpavail file> [rows] [seconds]
'use strict';
const fs = require('fs');
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
const { fail, ok } = require('./checks');

const [address, file] = [process.argv[2], process.argv[3]];
const ROWS = Number(process.argv[4] || 100000);
const SECONDS = Number(process.argv[5] || 5);
const FILTERS = ["id < 50000", "text like '%python%'", "text_match(text, 'python')", "text_match(text, 'library')",
  "text_match(text, 'kernel firmware driver')", "phrase_match(text, 'command line')", "phrase_match(text, 'shared library', 2)"];

async function timed(fn) {
  const lat = [];
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    const t = process.hrtime.bigint();
    await fn();
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  lat.sort((a, b) => a - b);
  return { qps: Math.round(lat.length / SECONDS), p50_ms: +lat[lat.length >> 1].toFixed(2), p99_ms: +lat[Math.floor(lat.length * 0.99)].toFixed(2) };
}

(async () => {
  const client = new MilvusClient({ address, timeout: 120000 });
  await client.connectPromise;
  const d = fs.readFileSync(file, 'utf8').split('\n').filter(l => l.startsWith('Description:')).map(l => l.slice(12).trim());
  const name = 'text_match_bench';
  await client.dropCollection({ collection_name: name });
  ok(await client.createCollection({ collection_name: name, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    { name: 'text', data_type: DataType.VarChar, max_length: 2000, enable_analyzer: true, enable_match: true, analyzer_params: { type: 'english' } },
  ] }), 'create');
  let t0 = Date.now();
  for (let off = 0; off < ROWS; off += 5000) {
    const rows = [];
    for (let i = off; i < Math.min(ROWS, off + 5000); i++) rows.push({ id: i, v: [i % 7, 1], text: d[i % d.length] + ' ' + d[(7 * i + 3) % d.length] });
    ok(await client.insert({ collection_name: name, data: rows }), 'insert ' + off);
  }
  ok(await client.flushSync({ collection_names: [name] }), 'flush');
  ok(await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'index');
  const insertS = (Date.now() - t0) / 1000;
  t0 = Date.now();
  ok(await client.loadCollectionSync({ collection_name: name }), 'load');
  console.log(JSON.stringify({ rows: ROWS, insert_flush_s: insertS, load_s: (Date.now() - t0) / 1000, loadavg: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0] }));
  for (const f of FILTERS) {
    const count = await client.query({ collection_name: name, filter: f, output_fields: ['count(*)'], consistency_level: 'Eventually' });
    ok(count, 'count ' + f);
    const warm = Date.now() + 1000;
    while (Date.now() < warm) await client.query({ collection_name: name, filter: f, output_fields: ['count(*)'], consistency_level: 'Eventually' });
    const c = await timed(() => client.query({ collection_name: name, filter: f, output_fields: ['count(*)'], consistency_level: 'Eventually' }));
    const q = await timed(() => client.query({ collection_name: name, filter: f, output_fields: ['id'], limit: 100, consistency_level: 'Eventually' }));
    console.log(JSON.stringify({ filter: f, matched: Number(count.data[0]['count(*)']), count: c, query_limit100: q,
      loadavg: fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0] }));
  }
  await client.dropCollection({ collection_name: name });
  client.closeConnection();
  process.exit(0);
})().catch(e => fail('exception: ' + (e && e.stack || e)));
