package io.quiver.querynode.bench;

import io.quiver.common.text.Analyzer;
import io.quiver.common.text.AnalyzerParams;
import io.quiver.common.text.AnalyzerToken;
import io.quiver.common.text.TermCounts;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.SearchResult;
import io.quiver.index.SparseVectors;
import io.quiver.index.TermStats;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.analysis.core.WhitespaceAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;

/**
 * BM25 top-10 search in process, one thread, on a real corpus (one document per line, {@code name<TAB>text}): Quiver's
 * path (the query analysed with Milvus' standard analyzer, IDF from the index's term statistics, index-core's BM25
 * sparse index with each {@code inverted_index_algo}) against Lucene ({@code IndexSearcher}, {@code BM25Similarity}
 * k1 1.2 b 0.75, one merged segment) on the same tokens (documents and queries pre-tokenised by the same analyzer,
 * indexed with a whitespace analyzer), in the same run. Prints QPS of each and the mean top-10 overlap with Lucene.
 *
 * <pre>
 * ./mvnw -q -B -pl querynode exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.querynode.bench.Bm25SpeedBench \
 *   -Dexec.args="/tmp/quiver-data/debian-desc.tsv 63436 2000"
 * </pre>
 */
public final class Bm25SpeedBench {
    private Bm25SpeedBench() {}

    public static void main(String[] args) throws IOException {
        Path corpus = Path.of(args.length > 0 ? args[0] : "/tmp/quiver-data/debian-desc.tsv");
        int maxDocs = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        int nq = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        Analyzer analyzer = AnalyzerParams.parse(null);
        List<String> docs = Files.readAllLines(corpus).stream().limit(maxDocs).map(l -> l.substring(l.indexOf('\t') + 1)).toList();
        int n = docs.size();
        int[] offsets = new int[n + 1];
        List<TermCounts> counts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            TermCounts c = TermCounts.of(analyzer, docs.get(i));
            counts.add(c);
            offsets[i + 1] = offsets[i] + c.size();
        }
        int[] indices = new int[offsets[n]];
        float[] values = new float[offsets[n]];
        for (int i = 0; i < n; i++) {
            TermCounts c = counts.get(i);
            for (int j = 0; j < c.size(); j++) {
                indices[offsets[i] + j] = c.terms()[j];
                values[offsets[i] + j] = c.counts()[j];
            }
        }
        SparseVectors rows = SparseVectors.of(offsets, indices, values);
        double avgdl = (double) offsets[n] == 0 ? 1 : Math.max(1, sumLengths(counts) / (double) n);
        Random r = new Random(7);
        List<String> queries = new ArrayList<>();
        while (queries.size() < nq) {
            List<AnalyzerToken> t = analyzer.analyze(docs.get(r.nextInt(n)));
            if (t.size() >= 3) {
                int from = r.nextInt(t.size() - 2);
                StringBuilder q = new StringBuilder();
                for (int k = from; k < from + 2 + r.nextInt(2); k++) {
                    q.append(t.get(k).text()).append(' ');
                }
                queries.add(q.toString().trim());
            }
        }
        // Lucene on the same tokens
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(new WhitespaceAnalyzer()).setSimilarity(new BM25Similarity()))) {
            for (int i = 0; i < n; i++) {
                Document d = new Document();
                d.add(new TextField("t", joined(analyzer, docs.get(i)), Field.Store.NO));
                d.add(new StoredField("id", i));
                w.addDocument(d);
            }
            w.forceMerge(1);
        }
        DirectoryReader reader = DirectoryReader.open(dir);
        IndexSearcher searcher = new IndexSearcher(reader);
        searcher.setSimilarity(new BM25Similarity());
        List<BooleanQuery> lq = new ArrayList<>();
        for (String q : queries) {
            BooleanQuery.Builder b = new BooleanQuery.Builder();
            for (AnalyzerToken t : analyzer.analyze(q)) {
                b.add(new TermQuery(new Term("t", t.text())), BooleanClause.Occur.SHOULD);
            }
            lq.add(b.build());
        }
        System.out.printf(Locale.ROOT, "corpus: %d docs, %d postings, avgdl %.2f; %d queries%n", n, offsets[n], avgdl, nq);
        List<Set<Integer>> luceneTop = new ArrayList<>();
        for (BooleanQuery q : lq) {
            Set<Integer> ids = new HashSet<>();
            for (ScoreDoc sd : searcher.search(q, 10).scoreDocs) {
                ids.add(sd.doc); // one segment, added in order: doc id = row
            }
            luceneTop.add(ids);
        }
        double lucene = 0;
        Map<String, Double> ours = new HashMap<>();
        Map<String, VectorIndex> indexes = new HashMap<>();
        for (String algo : List.of("TAAT_NAIVE", "DAAT_WAND", "DAAT_MAXSCORE")) {
            indexes.put(algo, VectorIndexes.buildSparse(IndexSpec.of("SPARSE_INVERTED_INDEX", MetricType.BM25, 0, "inverted_index_algo", algo), rows));
        }
        for (int round = 0; round < 3; round++) {
            lucene = Math.max(lucene, timeLucene(searcher, lq));
            for (String algo : List.of("TAAT_NAIVE", "DAAT_WAND", "DAAT_MAXSCORE")) {
                double[] res = timeQuiver(indexes.get(algo), analyzer, queries, n, avgdl, luceneTop);
                ours.merge(algo, res[0], Math::max);
                ours.put("overlap-" + algo, res[1]);
            }
        }
        System.out.printf(Locale.ROOT, "Lucene %s BM25Similarity: %.0f QPS%n", org.apache.lucene.util.Version.LATEST, lucene);
        for (String algo : List.of("TAAT_NAIVE", "DAAT_WAND", "DAAT_MAXSCORE")) {
            System.out.printf(Locale.ROOT, "Quiver %-13s: %.0f QPS (%.2fx Lucene), top-10 overlap with Lucene %.4f%n", algo, ours.get(algo),
                    ours.get(algo) / lucene, ours.get("overlap-" + algo));
        }
        reader.close();
    }

    private static long sumLengths(List<TermCounts> counts) {
        long s = 0;
        for (TermCounts c : counts) {
            s += c.length();
        }
        return s;
    }

    private static String joined(Analyzer a, String text) {
        StringBuilder b = new StringBuilder();
        for (AnalyzerToken t : a.analyze(text)) {
            b.append(t.text()).append(' ');
        }
        return b.toString();
    }

    private static double timeLucene(IndexSearcher s, List<BooleanQuery> qs) throws IOException {
        long t0 = System.nanoTime();
        long sink = 0;
        for (BooleanQuery q : qs) {
            TopDocs td = s.search(q, 10);
            sink += td.scoreDocs.length;
        }
        double qps = qs.size() / ((System.nanoTime() - t0) / 1e9);
        return sink >= 0 ? qps : 0;
    }

    /** QPS of the whole query path (analyse, term statistics, weights, search) and mean overlap with Lucene's top 10. */
    private static double[] timeQuiver(VectorIndex index, Analyzer analyzer, List<String> queries, int n, double avgdl,
                                       List<Set<Integer>> luceneTop) {
        Map<String, String> params = Map.of("bm25_avgdl", Double.toString(avgdl));
        double overlap = 0;
        long t0 = System.nanoTime();
        for (int qi = 0; qi < queries.size(); qi++) {
            TermCounts c = TermCounts.of(analyzer, queries.get(qi));
            TermStats st = index.termStats(c.terms(), null);
            float[] w = new float[c.size()];
            for (int i = 0; i < c.size(); i++) {
                long df = st.docFreq()[i];
                w[i] = df == 0 ? 0f : (float) (c.counts()[i] * Math.log(1 + (n - df + 0.5) / (df + 0.5)));
            }
            SearchResult res = index.searchSparse(SparseVectors.of(new int[] {0, c.size()}, c.terms(), w), 10, params, null);
            int hit = 0;
            for (int row : res.rows()) {
                hit += row >= 0 && luceneTop.get(qi).contains(row) ? 1 : 0;
            }
            overlap += luceneTop.get(qi).isEmpty() ? 1 : (double) hit / Math.min(10, luceneTop.get(qi).size());
        }
        double qps = queries.size() / ((System.nanoTime() - t0) / 1e9);
        return new double[] {qps, overlap / queries.size()};
    }
}
