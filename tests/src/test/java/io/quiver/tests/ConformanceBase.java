package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;

/**
 * One standalone server (child process) per test class, one SDK client with an RPC deadline so that a server
 * hang fails the test instead of blocking it. Helpers for seeded data, brute-force ground truth and errors.
 */
abstract class ConformanceBase {
    static final int RPC_DEADLINE_MS = 30_000;
    private static final AtomicInteger SEQ = new AtomicInteger();

    static Path dir;
    static StandaloneProcess server;
    static MilvusClientV2 client;

    @BeforeAll
    static void startServer() throws Exception {
        dir = Files.createTempDirectory("quiver-it-");
        server = new StandaloneProcess(dir.resolve("data"));
        server.start();
        client = newClient();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (client != null) client.close();
        client = null;
        if (server != null) server.close();
        server = null;
        deleteTree(dir == null ? null : dir.resolve("data")); // the server log next to it is kept
    }

    static void deleteTree(Path p) {
        if (p == null || System.getProperty("quiver.keep.data") != null) return;
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (Exception ignored) {
        }
    }

    /** A server that died (or was killed from outside) would make every following call wait for the RPC deadline. */
    @BeforeEach
    void serverAlive() {
        assertThat(server.isAlive()).as("server process is gone; log tail:%n%s", server.tail()).isTrue();
    }

    static MilvusClientV2 newClient() {
        return new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).rpcDeadlineMs(RPC_DEADLINE_MS).build());
    }

    static String uniq(String prefix) {
        return prefix + "_" + SEQ.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 100000, 36);
    }

    static float[] randVec(Random r, int dim) {
        float[] v = new float[dim];
        for (int i = 0; i < dim; i++) v[i] = r.nextFloat() * 2 - 1;
        return v;
    }

    static List<float[]> randVecs(long seed, int n, int dim) {
        Random r = new Random(seed);
        List<float[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(randVec(r, dim));
        return out;
    }

    static JsonArray json(float[] v) {
        JsonArray a = new JsonArray();
        for (float f : v) a.add(f);
        return a;
    }

    /** Rows {id, vector, plus the given extra properties}. */
    static List<JsonObject> rows(long firstId, List<float[]> vecs) {
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < vecs.size(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", firstId + i);
            o.add("vector", json(vecs.get(i)));
            rows.add(o);
        }
        return rows;
    }

    static double score(IndexParam.MetricType m, float[] a, float[] b) {
        double dot = 0, l2 = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            double d = a[i] - b[i];
            l2 += d * d;
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return switch (m) {
            case L2 -> l2;
            case IP -> dot;
            case COSINE -> dot / Math.sqrt(na * nb);
            default -> throw new IllegalArgumentException(m.name());
        };
    }

    /** Ground-truth top-k ids (id = firstId + position) under the metric. */
    static List<Long> bruteForce(IndexParam.MetricType m, List<float[]> data, long firstId, float[] q, int k) {
        Comparator<Integer> cmp = Comparator.comparingDouble(i -> score(m, data.get(i), q));
        if (m != IndexParam.MetricType.L2) cmp = cmp.reversed();
        return IntStream.range(0, data.size()).boxed().sorted(cmp).limit(k).map(i -> firstId + i).toList();
    }

    static List<Long> ids(List<SearchResp.SearchResult> hits) {
        return hits.stream().map(h -> ((Number) h.getId()).longValue()).toList();
    }

    static void assertOrdered(IndexParam.MetricType m, List<SearchResp.SearchResult> hits) {
        List<Float> scores = hits.stream().map(SearchResp.SearchResult::getScore).toList();
        for (int i = 1; i < scores.size(); i++) {
            if (m == IndexParam.MetricType.L2) {
                assertThat(scores.get(i)).as("L2 scores ascending: %s", scores).isGreaterThanOrEqualTo(scores.get(i - 1));
            } else {
                assertThat(scores.get(i)).as("%s scores descending: %s", m, scores).isLessThanOrEqualTo(scores.get(i - 1));
            }
        }
    }

    static void awaitLoaded(String coll) {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!client.getLoadState(io.milvus.v2.service.collection.request.GetLoadStateReq.builder().collectionName(coll).build())) {
            assertThat(System.currentTimeMillis()).as("collection %s not loaded within 60 s", coll).isLessThan(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }
    }

    static long count(String coll, String filter) {
        return count(coll, filter, null);
    }

    static long count(String coll, String filter, List<String> partitions) {
        QueryReq.QueryReqBuilder<?, ?> b = QueryReq.builder().collectionName(coll).filter(filter == null ? "" : filter)
                .outputFields(List.of("count(*)")).consistencyLevel(ConsistencyLevel.STRONG);
        if (partitions != null) b.partitionNames(partitions);
        QueryResp r = client.query(b.build());
        assertThat(r.getQueryResults()).hasSize(1);
        return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    static List<QueryResp.QueryResult> query(String coll, String filter, List<String> out) {
        return client.query(QueryReq.builder().collectionName(coll).filter(filter).outputFields(out)
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults();
    }

    static List<Long> idsOf(List<QueryResp.QueryResult> rows, String pk) {
        return rows.stream().map(r -> ((Number) r.getEntity().get(pk)).longValue()).sorted().toList();
    }

    /** The call must fail with a server-side MilvusClientException (not a client-side check, not a hang). */
    static MilvusClientException serverError(Executable call) {
        MilvusClientException e = assertThrows(MilvusClientException.class, call);
        assertThat(e.getServerErrCode() != 0 || e.getLegacyServerCode() != 0)
                .as("expected a server status error, got %s %s (server code %d, legacy %d)", e.getErrorCode(), e.getMessage(),
                        e.getServerErrCode(), e.getLegacyServerCode())
                .isTrue();
        return e;
    }
}
