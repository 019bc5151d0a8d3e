package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.RetryConfig;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexBuildState;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Item 10: kill -9 the standalone server while a client inserts batches of 1,000 rows, restart it on the same data
 * directory, and check that every acknowledged row is there, and that the collection, its index and its load state
 * came back. Prints the numbers for the issue note (also written to target/durability.txt).
 */
class KillNineDurabilityTest {
    static final int DIM = 32;
    static final int BATCH = 1_000;
    static final int INITIAL_BATCHES = 3; // inserted, flushed and indexed before the concurrent writer starts

    Path dir;
    StandaloneProcess first;
    StandaloneProcess second;
    MilvusClientV2 client;

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.close();
        if (first != null) first.close();
        if (second != null) second.close();
        ConformanceBase.deleteTree(dir == null ? null : dir.resolve("data"));
    }

    static MilvusClientV2 connect(StandaloneProcess s) {
        return connect(s, 30_000);
    }

    static MilvusClientV2 connect(StandaloneProcess s, long deadlineMs) {
        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(s.uri()).rpcDeadlineMs(deadlineMs).build());
        // once the server is gone, fail the in-flight insert quickly instead of retrying for minutes
        c.retryConfig(RetryConfig.builder().maxRetryTimes(2).initialBackOffMs(10).maxBackOffMs(100).maxRetryTimeoutMs(2_000).build());
        return c;
    }

    static float[] vec(long id) {
        Random r = new Random(id * 7919L + 17);
        return ConformanceBase.randVec(r, DIM);
    }

    static List<JsonObject> batch(int b) {
        List<JsonObject> rows = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            long id = (long) b * BATCH + i;
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.add("vector", ConformanceBase.json(vec(id)));
            o.addProperty("batch", b);
            rows.add(o);
        }
        return rows;
    }

    long count(String coll, String filter) {
        QueryResp r = client.query(QueryReq.builder().collectionName(coll).filter(filter).outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    static final String COLL = "durable";

    /** Result of one insert-then-kill round. */
    record Round(List<Integer> acked, int nextBatch) {}

    /**
     * Inserts batches from {@code fromBatch} on a writer thread (a batch is acknowledged only when insert() returned),
     * optionally flushes midway from another client, and kill -9s the server after {@code killAfterMs}.
     */
    Round insertAndKill(StandaloneProcess s, int fromBatch, long killAfterMs, int minBatches, boolean flushMidway) throws Exception {
        ConcurrentLinkedQueue<Integer> acked = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        AtomicReference<Integer> next = new AtomicReference<>(fromBatch);
        MilvusClientV2 writerClient = connect(s, 10_000); // the SDK waits for a connection until the deadline
        Thread writer = new Thread(() -> {
            for (int b = fromBatch; !stop.get(); b++) {
                next.set(b + 1);
                try {
                    long n = writerClient.insert(InsertReq.builder().collectionName(COLL).data(batch(b)).build()).getInsertCnt();
                    if (n == BATCH) acked.add(b);
                } catch (Throwable t) {
                    writerError.set(t);
                    return;
                }
            }
        }, "insert-writer");
        writer.start();
        long t0 = System.currentTimeMillis();
        boolean flushed = false;
        Thread flusher = null;
        while ((System.currentTimeMillis() - t0 < killAfterMs || acked.size() < minBatches) && writer.isAlive()
                && System.currentTimeMillis() - t0 < 60_000) {
            if (flushMidway && !flushed && System.currentTimeMillis() - t0 > killAfterMs / 2) {
                flushed = true;
                flusher = new Thread(() -> {
                    try {
                        client.flush(FlushReq.builder().collectionNames(List.of(COLL)).waitFlushedTimeoutMs(5_000L).build());
                    } catch (Throwable ignored) {
                        // the flush may be cut short by the kill
                    }
                }, "flusher");
                flusher.start();
            }
            Thread.sleep(20);
        }
        assertThat(writer.isAlive()).as("writer died before the kill: %s", writerError.get()).isTrue();
        s.kill9();
        stop.set(true);
        writer.join(60_000);
        assertThat(writer.isAlive()).as("insert did not fail after kill -9").isFalse();
        if (flusher != null) flusher.join(60_000);
        writerClient.close();
        List<Integer> list = new ArrayList<>(acked);
        list.sort(null);
        return new Round(list, next.get());
    }

    /** Restarts on the same data directory; returns {healthy s, first Connect s, attempts}. */
    double[] restart(StandaloneProcess s) throws Exception {
        if (client != null) client.close();
        client = null;
        long r0 = System.nanoTime();
        Duration toHealthy = s.start();
        // /healthz is up: a client should be able to connect now; retry (bounded) and record how long it took
        long connectDeadline = System.currentTimeMillis() + 60_000;
        int attempts = 0;
        RuntimeException last = null;
        while (client == null && System.currentTimeMillis() < connectDeadline) {
            attempts++;
            try {
                MilvusClientV2 c = connect(s);
                c.hasCollection(HasCollectionReq.builder().collectionName(COLL).build());
                client = c;
            } catch (RuntimeException e) {
                last = e;
                Thread.sleep(250);
            }
        }
        assertThat(client).as("no successful Connect within 60 s of restart: %s", last).isNotNull();
        double toConnect = (System.nanoTime() - r0) / 1e9;
        assertThat(attempts).as("Connect must work as soon as /healthz is 200 (last error: %s)", last).isEqualTo(1);
        return new double[] {toHealthy.toMillis() / 1000.0, toConnect, r0};
    }

    /** Collection, index and load state came back, and every acknowledged batch is complete. Returns the report. */
    String verify(String label, List<Integer> acked, int maxBatchSent, double[] restart) throws Exception {
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(COLL).build())).isTrue();
        assertThat(client.describeCollection(DescribeCollectionReq.builder().collectionName(COLL).build()).getFieldNames())
                .containsExactly("id", "vector", "batch");
        DescribeIndexResp.IndexDesc idx = client.describeIndex(DescribeIndexReq.builder().collectionName(COLL).fieldName("vector")
                .indexName("vidx").build()).getIndexDescByIndexName("vidx");
        assertThat(idx).as("index after restart").isNotNull();
        assertThat(idx.getIndexType()).isEqualTo(IndexParam.IndexType.HNSW);
        assertThat(idx.getMetricType()).isEqualTo(IndexParam.MetricType.L2);
        assertThat(idx.getExtraParams()).containsEntry("M", "16");

        // the load state comes back by itself (bounded wait, no load call)
        boolean reloaded = false;
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (client.getLoadState(GetLoadStateReq.builder().collectionName(COLL).build())) {
                reloaded = true;
                break;
            }
            Thread.sleep(100);
        }
        if (!reloaded) client.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
        long found = count(COLL, "");
        double toServing = (System.nanoTime() - (long) restart[2]) / 1e9;

        // the writer is sequential: acknowledged batches are contiguous. Ids are unique, so a range count equal to the
        // range size means every row of the range is there (ranges of 10 batches, single batches where one is short)
        int first = acked.get(0);
        int last = acked.get(acked.size() - 1);
        assertThat(acked).as("acknowledged batches are contiguous").hasSize(last - first + 1);
        List<Integer> incomplete = incompleteBatches(first, last);
        if (incomplete.isEmpty()) {
            // flush what the restarted server recovered (recovered growing data is sealed, flushed and handed off to
            // sealed segments) and check again once that settled
            client.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
            Thread.sleep(3_000);
            incomplete = incompleteBatches(first, last);
            if (!incomplete.isEmpty()) System.out.println("rows went missing after the post-restart flush/handoff");
        }
        long ackedRows = (long) acked.size() * BATCH;
        String diagnosis = "";
        if (!incomplete.isEmpty()) {
            // tell "rows missing" from "range filter wrong": the same batch counted three ways
            int b = incomplete.get(0);
            long byRange = count(COLL, "id >= " + (long) b * BATCH + " and id < " + ((long) b + 1) * BATCH);
            long byBatch = count(COLL, "batch == " + b);
            StringBuilder in = new StringBuilder();
            for (int i = 0; i < BATCH; i += 50) in.append(in.length() == 0 ? "" : ", ").append((long) b * BATCH + i);
            long byIds = count(COLL, "id in [" + in + "]");
            diagnosis = String.format("  first incomplete batch %d: count(id range) = %d, count(batch == %d) = %d, count(id in 20 sampled ids) = %d%n",
                    b, byRange, b, byBatch, byIds);
        }
        String report = String.format("%s%n  rows acknowledged: %d (batches %d..%d of %d rows)%n  rows found after restart: %d%n"
                + "  restart to healthy: %.2f s%n  restart to first successful Connect: %.2f s%n"
                + "  restart to serving (loaded, count(*) answered): %.2f s%n  load state recovered without a load call: %s%n"
                + "  incomplete acknowledged batches: %s%n%s", label, ackedRows, first, last, BATCH, found, restart[0], restart[1], toServing,
                reloaded, incomplete, diagnosis);
        System.out.println(report);

        assertThat(incomplete).as("acknowledged batches with missing rows").isEmpty();
        // nothing beyond what was sent: acknowledged + at most the batch in flight at the kill
        assertThat(count(COLL, "id >= " + (long) maxBatchSent * BATCH)).isZero();
        assertThat(found).as("count(*) after restart").isGreaterThanOrEqualTo(ackedRows);
        // spot checks: content of acknowledged rows and search over the recovered data
        for (long id : List.of((long) first * BATCH, (long) last * BATCH + BATCH - 1, (long) acked.get(acked.size() / 2) * BATCH + 17)) {
            List<QueryResp.QueryResult> rows = client.query(QueryReq.builder().collectionName(COLL).filter("id == " + id)
                    .outputFields(List.of("batch", "vector")).consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults();
            assertThat(rows).as("row %d", id).hasSize(1);
            assertThat(((Number) rows.get(0).getEntity().get("batch")).longValue()).isEqualTo(id / BATCH);
            @SuppressWarnings("unchecked")
            List<Float> v = (List<Float>) rows.get(0).getEntity().get("vector");
            assertThat(v.get(5)).isEqualTo(vec(id)[5]);
            var hits = client.search(SearchReq.builder().collectionName(COLL).data(List.of(new FloatVec(vec(id)))).topK(1)
                    .searchParams(Map.of("ef", 64)).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
            assertThat(hits).hasSize(1);
            assertThat(((Number) hits.get(0).getId()).longValue()).isEqualTo(id);
        }
        assertThat(reloaded).as("load state came back after restart (within 60 s)").isTrue();
        return report;
    }

    List<Integer> incompleteBatches(int first, int last) {
        List<Integer> incomplete = new ArrayList<>();
        for (int b0 = first; b0 <= last; b0 += 10) {
            int b1 = Math.min(last + 1, b0 + 10);
            if (count(COLL, "id >= " + (long) b0 * BATCH + " and id < " + (long) b1 * BATCH) == (long) (b1 - b0) * BATCH) continue;
            for (int b = b0; b < b1; b++) {
                if (count(COLL, "id >= " + (long) b * BATCH + " and id < " + ((long) b + 1) * BATCH) != BATCH) incomplete.add(b);
            }
        }
        return incomplete;
    }

    @Test
    void everyAcknowledgedInsertSurvivesKillNine() throws Exception {
        dir = Files.createTempDirectory("quiver-kill9-");
        Path data = dir.resolve("data");
        first = new StandaloneProcess(data);
        first.start();
        client = connect(first);

        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("batch").dataType(DataType.Int32).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(COLL).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        for (int b = 0; b < INITIAL_BATCHES; b++) client.insert(InsertReq.builder().collectionName(COLL).data(batch(b)).build());
        client.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
        client.createIndex(io.milvus.v2.service.index.request.CreateIndexReq.builder().collectionName(COLL)
                .indexParams(List.of(IndexParam.builder().fieldName("vector").indexName("vidx").indexType(IndexParam.IndexType.HNSW)
                        .metricType(IndexParam.MetricType.L2).extraParams(Map.of("M", 16, "efConstruction", 100)).build()))
                .build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());

        // round 1: kill -9 during a stream of inserts
        // (>= 600 batches: > 64 MB of WAL, so the datanode has checkpointed a growing segment when the kill comes)
        Round r1 = insertAndKill(first, INITIAL_BATCHES, 4_000, 600, false);
        List<Integer> acked = new ArrayList<>();
        for (int b = 0; b < INITIAL_BATCHES; b++) acked.add(b);
        acked.addAll(r1.acked());
        second = new StandaloneProcess(data);
        String report1 = verify("round 1 (kill -9 during inserts)", acked, r1.nextBatch(), restart(second));

        // round 2: inserts resume after the restarted server's batches; a flush runs concurrently; kill -9 again
        Round r2 = insertAndKill(second, r1.nextBatch() + 1, 3_000, 5, true);
        List<Integer> acked2 = new ArrayList<>(r2.acked());
        StandaloneProcess third = new StandaloneProcess(data);
        try {
            String report2 = verify("round 2 (kill -9 during inserts + flush)", acked2, r2.nextBatch(), restart(third));
            // round 1's rows are all still there too
            long round1 = count(COLL, "id < " + (long) (acked.get(acked.size() - 1) + 1) * BATCH);
            assertThat(round1).isEqualTo((long) acked.size() * BATCH);
            Files.writeString(Path.of("target", "durability.txt"), report1 + report2);
            // and the server keeps accepting writes
            client.insert(InsertReq.builder().collectionName(COLL).data(batch(100_000)).build());
            assertThat(count(COLL, "batch == 100000")).isEqualTo(BATCH);
        } finally {
            if (client != null) client.close();
            client = null;
            third.close();
        }
    }
}
