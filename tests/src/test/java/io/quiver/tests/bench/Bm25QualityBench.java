package io.quiver.tests.bench;

import com.google.gson.JsonObject;
import io.milvus.common.clientenum.FunctionType;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.EmbeddedText;
import io.milvus.v2.service.vector.response.SearchResp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * BM25 quality and insert cost through the official Java SDK on a real English corpus (one document per line,
 * {@code name<TAB>text}; Debian's package descriptions: see docs/benchmarks.md for the command that writes it).
 *
 * <p>Inserts the documents into a collection with a BM25 function (and, for the insert comparison, the same texts
 * into one without: text plus a 2-d vector), flushes, indexes, loads, then runs {@code --queries} seeded queries
 * (2-3 words of random documents) with {@code EmbeddedText} and compares each top-10 with an exact BM25 computed
 * here independently: tokens by Milvus' standard analyzer (maximal runs of Unicode letters and digits, lowercased),
 * IDF {@code ln(1 + (N - n + 0.5) / (n + 0.5))}, Lucene's BM25 document score with exact lengths, k1 1.2, b 0.75.
 * Reports the mean top-10 overlap by id and tie-aware (a hit counts when its exact score reaches the exact 10th best);
 * when fewer than 10 documents share a term with a query, the exact answer is those documents (a document with no
 * common term is no match, in Milvus as here). Also the SDK's search QPS on one thread.
 *
 * <pre>
 * ./mvnw -q -B -pl tests exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.tests.bench.Bm25QualityBench \
 *   -Dexec.args="--uri http://127.0.0.1:19530 --corpus /tmp/quiver-data/debian-desc.tsv --docs 30000 --queries 200"
 * </pre>
 */
public final class Bm25QualityBench {
    static final double K1 = 1.2;
    static final double B = 0.75;

    private Bm25QualityBench() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new HashMap<>(Map.of("--uri", "http://127.0.0.1:19530", "--corpus", "/tmp/quiver-data/debian-desc.tsv",
                "--docs", "30000", "--queries", "200", "--seed", "1"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        List<String> docs = Files.readAllLines(Path.of(a.get("--corpus"))).stream().limit(Integer.parseInt(a.get("--docs")))
                .map(l -> l.substring(l.indexOf('\t') + 1)).toList();
        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(a.get("--uri")).build());
        try {
            if (!Boolean.parseBoolean(a.getOrDefault("--reuse", "false"))) {
                double plain = insertAll(c, "bm25q_plain", docs, false);
                double withBm25 = insertAll(c, "bm25q", docs, true);
                System.out.printf(Locale.ROOT, "insert: %d docs, with BM25 function %.0f rows/s, without %.0f rows/s (ratio %.2f)%n", docs.size(),
                        withBm25, plain, withBm25 / plain);
            }
            quality(c, docs, Integer.parseInt(a.get("--queries")), Long.parseLong(a.get("--seed")));
        } finally {
            c.close();
        }
    }

    static double insertAll(MilvusClientV2 c, String coll, List<String> docs, boolean bm25) {
        c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
        CreateCollectionReq.CollectionSchema s = c.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("text").dataType(DataType.VarChar).maxLength(8192).enableAnalyzer(true).build());
        if (bm25) {
            s.addField(AddFieldReq.builder().fieldName("sparse").dataType(DataType.SparseFloatVector).build());
            s.addFunction(CreateCollectionReq.Function.builder().name("bm25").functionType(FunctionType.BM25)
                    .inputFieldNames(List.of("text")).outputFieldNames(List.of("sparse")).build());
        } else {
            s.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(2).build());
        }
        c.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(s).build());
        long t0 = System.nanoTime();
        for (int off = 0; off < docs.size(); off += 2000) {
            List<JsonObject> rows = new ArrayList<>();
            for (int i = off; i < Math.min(docs.size(), off + 2000); i++) {
                JsonObject o = new JsonObject();
                o.addProperty("id", (long) i);
                o.addProperty("text", docs.get(i));
                if (!bm25) {
                    com.google.gson.JsonArray v = new com.google.gson.JsonArray();
                    v.add(0.5f);
                    v.add(0.25f);
                    o.add("vec", v);
                }
                rows.add(o);
            }
            c.insert(InsertReq.builder().collectionName(coll).data(rows).build());
        }
        double rate = docs.size() / ((System.nanoTime() - t0) / 1e9);
        if (!bm25) {
            c.dropCollection(DropCollectionReq.builder().collectionName(coll).build());
            return rate;
        }
        c.flush(FlushReq.builder().collectionNames(List.of(coll)).build());
        c.createIndex(CreateIndexReq.builder().collectionName(coll).indexParams(List.of(IndexParam.builder().fieldName("sparse")
                .indexType(IndexParam.IndexType.SPARSE_INVERTED_INDEX).metricType(IndexParam.MetricType.BM25).build())).build());
        c.loadCollection(LoadCollectionReq.builder().collectionName(coll).build());
        return rate;
    }

    /** Milvus' standard analyzer, written independently: maximal runs of Unicode letters or digits, lowercased. */
    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (Character.isLetterOrDigit(cp)) {
                cur.appendCodePoint(cp);
            } else if (!cur.isEmpty()) {
                out.add(cur.toString().toLowerCase(Locale.ROOT));
                cur.setLength(0);
            }
        });
        if (!cur.isEmpty()) {
            out.add(cur.toString().toLowerCase(Locale.ROOT));
        }
        return out;
    }

    static void quality(MilvusClientV2 c, List<String> docs, int nq, long seed) {
        List<Map<String, Integer>> tfs = new ArrayList<>();
        Map<String, Integer> df = new HashMap<>();
        int[] len = new int[docs.size()];
        long total = 0;
        for (int i = 0; i < docs.size(); i++) {
            Map<String, Integer> tf = new HashMap<>();
            for (String t : tokens(docs.get(i))) {
                tf.merge(t, 1, Integer::sum);
                len[i]++;
            }
            tf.keySet().forEach(t -> df.merge(t, 1, Integer::sum));
            tfs.add(tf);
            total += len[i];
        }
        double n = docs.size();
        double avgdl = Math.max(1, total / n);
        Random r = new Random(seed);
        List<String> queries = new ArrayList<>();
        while (queries.size() < nq) {
            List<String> t = tokens(docs.get(r.nextInt(docs.size())));
            if (t.size() >= 3) {
                int from = r.nextInt(t.size() - 2);
                queries.add(String.join(" ", t.subList(from, from + 2 + r.nextInt(2))));
            }
        }
        double overlapIds = 0;
        double overlapTies = 0;
        long searchNanos = 0;
        int shown = 0;
        for (String q : queries) {
            Map<String, Integer> qtf = new HashMap<>();
            tokens(q).forEach(t -> qtf.merge(t, 1, Integer::sum));
            double[] score = new double[docs.size()];
            for (int i = 0; i < docs.size(); i++) {
                for (var e : qtf.entrySet()) {
                    Integer f = tfs.get(i).get(e.getKey());
                    if (f != null) {
                        int d = df.get(e.getKey());
                        double idf = Math.log(1 + (n - d + 0.5) / (d + 0.5));
                        score[i] += e.getValue() * idf * f * (K1 + 1) / (f + K1 * (1 - B + B * len[i] / avgdl));
                    }
                }
            }
            Integer[] order = new Integer[docs.size()];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, (x, y) -> Double.compare(score[y], score[x]));
            // only documents sharing a term with the query match (as in Milvus): fewer than 10 may
            int matching = 0;
            while (matching < 10 && score[order[matching]] > 0) {
                matching++;
            }
            Set<Integer> truth = new HashSet<>(Arrays.asList(order).subList(0, matching));
            double tenth = matching == 0 ? 0 : score[order[matching - 1]];
            long t0 = System.nanoTime();
            List<SearchResp.SearchResult> hits = c.search(SearchReq.builder().collectionName("bm25q").annsField("sparse")
                    .data(List.of(new EmbeddedText(q))).topK(10).consistencyLevel(ConsistencyLevel.BOUNDED).build()).getSearchResults().get(0);
            searchNanos += System.nanoTime() - t0;
            int byId = 0;
            int byScore = 0;
            for (SearchResp.SearchResult h : hits) {
                int id = ((Number) h.getId()).intValue();
                byId += truth.contains(id) ? 1 : 0;
                byScore += score[id] > 0 && score[id] >= tenth * (1 - 1e-5) ? 1 : 0;
            }
            if ((byScore < matching || byId < Math.min(matching, hits.size()) || matching == 0 && !hits.isEmpty() || hits.size() < matching) && shown++ < 5) {
                StringBuilder b = new StringBuilder();
                for (SearchResp.SearchResult h : hits) {
                    int id = ((Number) h.getId()).intValue();
                    b.append(String.format(Locale.ROOT, " %d:%.4f/%.4f", id, h.getScore(), score[id]));
                }
                System.out.printf(Locale.ROOT, "mismatch: '%s' tokens %s matching %d exact 10th %.4f (top %.4f); hits id:server/exact%s%n", q,
                        tokens(q), matching, tenth, score[order[0]], b);
            }
            overlapIds += matching == 0 ? (hits.isEmpty() ? 1 : 0) : Math.min(1.0, byId / (double) matching);
            overlapTies += matching == 0 ? (hits.isEmpty() ? 1 : 0) : Math.min(1.0, byScore / (double) matching);
        }
        System.out.printf(Locale.ROOT, "quality: %d docs, %d queries, mean top-10 overlap %.4f by id, %.4f tie-aware; SDK search %.0f QPS (1 thread)%n",
                docs.size(), nq, overlapIds / nq, overlapTies / nq, nq / (searchNanos / 1e9));
    }
}
