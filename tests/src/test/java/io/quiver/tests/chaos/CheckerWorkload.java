package io.quiver.tests.chaos;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.quiver.tests.chaos.ChaosLog.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The checker clients: per proxy, one writer thread (inserts of increasing primary keys, upserts that bump a row's
 * version, deletes; every outcome goes to the {@link WriteLedger}) and one reader thread (Strong and Bounded searches,
 * Bounded queries, Strong count). Each writer owns the keys {@code (w + 1) * KEY_SPACE + seq}, so every key has one
 * writer and its history is sequential. After an acknowledged insert the writer sometimes reads the row back with
 * Strong consistency: a miss is a read-your-writes violation. Every call is logged to the {@link ChaosLog}.
 */
final class CheckerWorkload implements AutoCloseable {
    static final String COLLECTION = "chaos";
    static final int DIM = 8;
    static final long KEY_SPACE = 1_000_000_000L;
    private static final int BATCH = 10;

    private final ChaosLog log;
    private final WriteLedger ledger;
    private final List<FailoverClient> clients = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final long seed;
    private final AtomicLong readYourWritesViolations = new AtomicLong();
    private final Map<Integer, Long> nextSeq = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    CheckerWorkload(ChaosLog log, WriteLedger ledger, long seed) {
        this.log = log;
        this.ledger = ledger;
        this.seed = seed;
    }

    /** Starts a writer and a reader per proxy; {@code proxies} own first for each. */
    void start(List<String> proxies, Function<String, String> uriOf, Function<String, Boolean> isDown) {
        for (int w = 0; w < proxies.size(); w++) {
            List<String> order = new ArrayList<>();
            for (int i = 0; i < proxies.size(); i++) {
                order.add(proxies.get((w + i) % proxies.size()));
            }
            FailoverClient writer = new FailoverClient(order, uriOf, isDown);
            FailoverClient reader = new FailoverClient(order, uriOf, isDown);
            clients.add(writer);
            clients.add(reader);
            int owner = w;
            threads.add(Thread.ofPlatform().name("chaos-writer-" + w).start(() -> writeLoop(owner, writer)));
            threads.add(Thread.ofPlatform().name("chaos-reader-" + w).start(() -> readLoop(owner, reader)));
        }
    }

    static float[] vector(long pk, long version) {
        Random r = new Random(pk * 31 + version);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    static JsonObject row(long pk, long version) {
        JsonObject o = new JsonObject();
        o.addProperty("id", pk);
        o.addProperty("ver", version);
        JsonArray arr = new JsonArray();
        for (float f : vector(pk, version)) {
            arr.add(f);
        }
        o.add("vec", arr);
        return o;
    }

    private void writeLoop(int owner, FailoverClient fc) {
        Random rnd = new Random(seed * 1000 + owner);
        long base = (owner + 1) * KEY_SPACE;
        Map<Long, Long> versions = new HashMap<>(); // own keys -> last version attempted
        List<Long> keys = new ArrayList<>();
        long seq = 0;
        while (running) {
            double r = rnd.nextDouble();
            if (r < 0.55 || keys.isEmpty()) {
                List<Long> pks = new ArrayList<>();
                List<JsonObject> rows = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    long pk = base + seq++;
                    pks.add(pk);
                    rows.add(row(pk, 1));
                    versions.put(pk, 1L);
                    keys.add(pk);
                }
                boolean ok = call(fc, Op.INSERT, c -> c.insert(InsertReq.builder().collectionName(COLLECTION).data(rows).build()));
                pks.forEach(pk -> record(pk, 1, ok));
                if (ok && rnd.nextInt(4) == 0) {
                    readBack(fc, pks.get(pks.size() - 1));
                }
            } else if (r < 0.85) {
                long pk = keys.get(rnd.nextInt(keys.size()));
                long v = versions.get(pk) + 1;
                versions.put(pk, v);
                boolean ok = call(fc, Op.UPSERT, c -> c.upsert(UpsertReq.builder().collectionName(COLLECTION).data(List.of(row(pk, v))).build()));
                record(pk, v, ok);
            } else {
                long pk = keys.get(rnd.nextInt(keys.size()));
                boolean ok = call(fc, Op.DELETE, c -> c.delete(DeleteReq.builder().collectionName(COLLECTION).ids(List.of(pk)).build()));
                record(pk, WriteLedger.DELETED, ok);
            }
            nextSeq.put(owner, seq);
            pause(20);
        }
    }

    private void record(long pk, long version, boolean ok) {
        if (ok) {
            ledger.acked(pk, version);
        } else {
            ledger.unknown(pk, version);
        }
    }

    /** Strong read of a row just acknowledged: it must be there with the acknowledged version. */
    private void readBack(FailoverClient fc, long pk) {
        Long want = ledger.ackedVersion(pk);
        List<Map<String, Object>> got = new ArrayList<>();
        boolean ok = call(fc, Op.QUERY, c -> c.query(QueryReq.builder().collectionName(COLLECTION).filter("id == " + pk)
                .outputFields(List.of("id", "ver")).consistencyLevel(ConsistencyLevel.STRONG).build())
                .getQueryResults().forEach(q -> got.add(q.getEntity())));
        if (ok && (got.size() != 1 || want == null || ((Number) got.get(0).get("ver")).longValue() != want)) {
            readYourWritesViolations.incrementAndGet();
            System.err.println("chaos: read-your-writes violation pk=" + pk + " want=" + want + " got=" + got);
        }
    }

    private void readLoop(int owner, FailoverClient fc) {
        Random rnd = new Random(seed * 1000 + 500 + owner);
        while (running) {
            double r = rnd.nextDouble();
            float[] q = vector(rnd.nextLong(), 1);
            if (r < 0.35) {
                call(fc, Op.SEARCH_STRONG, c -> c.search(SearchReq.builder().collectionName(COLLECTION).data(List.of(new FloatVec(q)))
                        .topK(10).consistencyLevel(ConsistencyLevel.STRONG).build()));
            } else if (r < 0.7) {
                call(fc, Op.SEARCH_BOUNDED, c -> c.search(SearchReq.builder().collectionName(COLLECTION).data(List.of(new FloatVec(q)))
                        .topK(10).consistencyLevel(ConsistencyLevel.BOUNDED).build()));
            } else if (r < 0.9) {
                long seq = nextSeq.getOrDefault(owner, 0L);
                long lo = (owner + 1) * KEY_SPACE + (seq == 0 ? 0 : rnd.nextLong(seq));
                call(fc, Op.QUERY, c -> c.query(QueryReq.builder().collectionName(COLLECTION).filter("id >= " + lo + " and id < " + (lo + 20))
                        .outputFields(List.of("id", "ver")).consistencyLevel(ConsistencyLevel.BOUNDED).build()));
            } else {
                call(fc, Op.COUNT, c -> c.query(QueryReq.builder().collectionName(COLLECTION).filter("")
                        .outputFields(List.of("count(*)")).consistencyLevel(ConsistencyLevel.STRONG).build()));
            }
            pause(20);
        }
    }

    interface Call {
        void run(MilvusClientV2 c) throws Exception;
    }

    /** One SDK call, logged; true if it succeeded. */
    boolean call(FailoverClient fc, Op op, Call call) {
        return call(log, fc, op, call);
    }

    /** One SDK call through {@code fc}, logged to {@code log}; true if it succeeded. */
    static boolean call(ChaosLog log, FailoverClient fc, Op op, Call call) {
        long start = System.currentTimeMillis();
        boolean down = fc.ownProxyDown();
        String error = null;
        try {
            call.run(fc.client());
        } catch (Exception e) {
            error = String.valueOf(e.getMessage());
        }
        long end = System.currentTimeMillis();
        boolean ok = error == null;
        log.op(new ChaosLog.OpRecord(op, start, end, ok, down || (!ok && fc.ownProxyDown()), error));
        fc.outcome(ok, end);
        return ok;
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            running = false;
        }
    }

    long readYourWritesViolations() {
        return readYourWritesViolations.get();
    }

    /** Every switch to another proxy: milliseconds from the first failure to the first success there. */
    List<Long> reconnects() {
        List<Long> out = new ArrayList<>();
        clients.forEach(c -> out.addAll(c.reconnects()));
        return out;
    }

    /** How many writer threads there are (one per proxy). */
    int writers() {
        return clients.size() / 2;
    }

    /** The highest sequence number handed out by writer {@code owner} (for the final read). */
    long keysOf(int owner) {
        return nextSeq.getOrDefault(owner, 0L);
    }

    /** Stops the threads and waits for their current call. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(60_000);
        }
        clients.forEach(FailoverClient::close);
    }
}
