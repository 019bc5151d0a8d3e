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

    @Test
    void everyAcknowledgedInsertSurvivesKillNine() throws Exception {
        dir = Files.createTempDirectory("quiver-kill9-");
        Path data = dir.resolve("data");
        first = new StandaloneProcess(data);
        first.start();
        client = connect(first);

        String coll = "durable";
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("batch").dataType(DataType.Int32).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        for (int b = 0; b < INITIAL_BATCHES; b++) client.insert(InsertReq.builder().collectionName(coll).data(batch(b)).build());
        client.flush(FlushReq.builder().collectionNames(List.of(coll)).build());
        client.createIndex(io.milvus.v2.service.index.request.CreateIndexReq.builder().collectionName(coll)
                .indexParams(List.of(IndexParam.builder().fieldName("vector").indexName("vidx").indexType(IndexParam.IndexType.HNSW)
                        .metricType(IndexParam.MetricType.L2).extraParams(Map.of("M", 16, "efConstruction", 100)).build()))
                .build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(coll).build());

        // writer: batches of 1,000; a batch counts as acknowledged only when insert() returned successfully
        ConcurrentLinkedQueue<Integer> acked = new ConcurrentLinkedQueue<>();
        for (int b = 0; b < INITIAL_BATCHES; b++) acked.add(b);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerError = new AtomicReference<>();
        AtomicReference<Integer> inFlight = new AtomicReference<>();
        MilvusClientV2 writerClient = connect(first, 10_000); // the SDK waits for a connection until the deadline
        Thread writer = new Thread(() -> {
            for (int b = INITIAL_BATCHES; !stop.get(); b++) {
                List<JsonObject> rows = batch(b);
                inFlight.set(b);
                try {
                    long n = writerClient.insert(InsertReq.builder().collectionName(coll).data(rows).build()).getInsertCnt();
                    if (n == BATCH) acked.add(b);
                } catch (Throwable t) {
                    writerError.set(t);
                    return;
                }
            }
        }, "insert-writer");
        writer.start();
        long t0 = System.currentTimeMillis();
        // a few seconds of inserts (and at least a handful of acknowledged batches), then kill -9 mid-insert
        while ((System.currentTimeMillis() - t0 < 4_000 || acked.size() < INITIAL_BATCHES + 5) && writer.isAlive()
                && System.currentTimeMillis() - t0 < 60_000) {
            Thread.sleep(50);
        }
        assertThat(writer.isAlive()).as("writer died before the kill: %s", writerError.get()).isTrue();
        first.kill9();
        stop.set(true);
        writer.join(60_000);
        assertThat(writer.isAlive()).as("insert did not fail after kill -9").isFalse();
        writerClient.close();
        client.close();
        client = null;
        List<Integer> ackedBatches = new ArrayList<>(acked);
        ackedBatches.sort(null);
        long ackedRows = (long) ackedBatches.size() * BATCH;

        // restart on the same data directory
        second = new StandaloneProcess(data);
        long r0 = System.nanoTime();
        Duration toHealthy = second.start();
        // /healthz is up: a client should be able to connect now; retry (bounded) and record how long it took
        long connectDeadline = System.currentTimeMillis() + 60_000;
        int connectAttempts = 0;
        RuntimeException lastConnectError = null;
        while (client == null && System.currentTimeMillis() < connectDeadline) {
            connectAttempts++;
            try {
                MilvusClientV2 c = connect(second);
                c.hasCollection(HasCollectionReq.builder().collectionName(coll).build());
                client = c;
            } catch (RuntimeException e) {
                lastConnectError = e;
                Thread.sleep(250);
            }
        }
        assertThat(client).as("no successful Connect within 60 s of restart: %s", lastConnectError).isNotNull();
        double toConnect = (System.nanoTime() - r0) / 1e9;
        System.out.printf("restart: healthy after %.2f s, first successful Connect+HasCollection after %.2f s (%d attempts, last error %s)%n",
                toHealthy.toMillis() / 1000.0, toConnect, connectAttempts, lastConnectError);
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(coll).build())).isTrue();
        assertThat(client.describeCollection(DescribeCollectionReq.builder().collectionName(coll).build()).getFieldNames())
                .containsExactly("id", "vector", "batch");
        DescribeIndexResp.IndexDesc idx = client.describeIndex(DescribeIndexReq.builder().collectionName(coll).fieldName("vector")
                .indexName("vidx").build()).getIndexDescByIndexName("vidx");
        assertThat(idx).as("index after restart").isNotNull();
        assertThat(idx.getIndexType()).isEqualTo(IndexParam.IndexType.HNSW);
        assertThat(idx.getMetricType()).isEqualTo(IndexParam.MetricType.L2);
        assertThat(idx.getIndexState()).isEqualTo(IndexBuildState.Finished);

        // the load state comes back by itself (bounded wait, no load call)
        boolean reloaded = false;
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (client.getLoadState(GetLoadStateReq.builder().collectionName(coll).build())) {
                reloaded = true;
                break;
            }
            Thread.sleep(100);
        }
        if (!reloaded) client.loadCollection(LoadCollectionReq.builder().collectionName(coll).build());
        long found = count(coll, "");
        double toServing = (System.nanoTime() - r0) / 1e9;

        // every acknowledged batch is complete; nothing beyond acknowledged + the in-flight batch exists
        // (the writer is sequential, so the acknowledged batches are 0..last; ids are unique, so a range count equal to
        // the range size means every row of the range is there; ranges of 10 batches, then single batches where short)
        assertThat(ackedBatches).as("acknowledged batches are contiguous").containsExactlyElementsOf(
                java.util.stream.IntStream.range(0, ackedBatches.size()).boxed().toList());
        List<Integer> incomplete = new ArrayList<>();
        for (int b0 = 0; b0 < ackedBatches.size(); b0 += 10) {
            int b1 = Math.min(ackedBatches.size(), b0 + 10);
            long n = count(coll, "id >= " + (long) b0 * BATCH + " and id < " + (long) b1 * BATCH);
            if (n == (long) (b1 - b0) * BATCH) continue;
            for (int b = b0; b < b1; b++) {
                if (count(coll, "id >= " + (long) b * BATCH + " and id < " + ((long) b + 1) * BATCH) != BATCH) incomplete.add(b);
            }
        }
        String numbers = String.format("rows acknowledged: %d (%d batches of %d)%nrows found after restart: %d%n"
                + "restart to healthy: %.2f s%nrestart to first successful Connect: %.2f s (%d attempts)%nrestart to serving (loaded, count(*) answered): %.2f s%nload state recovered without a load call: %s%n"
                + "incomplete acknowledged batches: %s%n", ackedRows, ackedBatches.size(), BATCH, found,
                toHealthy.toMillis() / 1000.0, toConnect, connectAttempts, toServing, reloaded, incomplete);
        System.out.println("=== kill -9 durability ===\n" + numbers);
        Files.writeString(Path.of("target", "durability.txt"), numbers);

        assertThat(incomplete).as("acknowledged batches with missing rows").isEmpty();
        assertThat(connectAttempts).as("Connect must work as soon as /healthz is 200 (last error: %s)", lastConnectError).isEqualTo(1);
        assertThat(found).as("count(*) after restart").isGreaterThanOrEqualTo(ackedRows)
                .isLessThanOrEqualTo(ackedRows + 2L * BATCH);
        // spot checks: content of acknowledged rows and search over recovered data
        int last = ackedBatches.get(ackedBatches.size() - 1);
        for (long id : List.of(0L, (long) last * BATCH + BATCH - 1, (long) ackedBatches.get(ackedBatches.size() / 2) * BATCH + 17)) {
            List<QueryResp.QueryResult> rows = client.query(QueryReq.builder().collectionName(coll).filter("id == " + id)
                    .outputFields(List.of("batch", "vector")).consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults();
            assertThat(rows).as("row %d", id).hasSize(1);
            assertThat(((Number) rows.get(0).getEntity().get("batch")).longValue()).isEqualTo(id / BATCH);
            @SuppressWarnings("unchecked")
            List<Float> v = (List<Float>) rows.get(0).getEntity().get("vector");
            assertThat(v.get(5)).isEqualTo(vec(id)[5]);
            var hits = client.search(SearchReq.builder().collectionName(coll).data(List.of(new FloatVec(vec(id)))).topK(1)
                    .searchParams(Map.of("ef", 64)).consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0);
            assertThat(hits).hasSize(1);
            assertThat(((Number) hits.get(0).getId()).longValue()).isEqualTo(id);
        }
        assertThat(reloaded).as("load state came back after restart (within 60 s)").isTrue();
        // and the server keeps accepting writes
        client.insert(InsertReq.builder().collectionName(coll).data(batch(100_000)).build());
        assertThat(count(coll, "batch == 100000")).isEqualTo(BATCH);
    }
}
