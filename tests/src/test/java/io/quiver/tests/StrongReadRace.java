package io.quiver.tests;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A race of writes and Strong reads that checks Strong reads see every acknowledged write, under concurrency: several
 * writer threads, each with its own SDK client, insert, upsert and delete their own rows; right after each
 * acknowledgement the writer checks the other writers' rows with a Strong query, search or count through a different
 * client. A ledger records per row the newest write
 * issued and the newest acknowledged; a read must show, for every row, a state no older than the one acknowledged
 * before the read was issued, and no newer than the newest write issued before it returned (a write still in flight
 * was concurrent with the read, so either order is allowed).
 *
 * <p>Writer w's clients go to {@code targets[w % targets]}: with two proxies of one cluster a write goes through one and
 * its check through the other. Upserts are optional because a Strong read can still fall between an upsert's delete
 * and insert messages (docs/architecture.md, known gaps) and then shows the row absent.
 */
public final class StrongReadRace {
    private static final int DIM = 4;
    /** Rows of writer w have primary keys from w * KEY_SPACE. */
    private static final long KEY_SPACE = 1_000_000L;
    /** At most this many of the other writers' rows are checked per read. */
    private static final int CHECKED_ROWS = 64;

    /**
     * One row's history as its owner writes it: versions 1, 2, ... (insert, then upserts), a delete is a version too
     * and final (a key is never reused). {@code issued} is set before a write is sent, {@code acked} after it returned.
     */
    static final class RowLedger {
        final long pk;
        final AtomicLong issued = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        volatile long deletedAt;

        RowLedger(long pk) {
            this.pk = pk;
        }

        /** Whether version v (0: never written) has the row. */
        boolean presentAt(long v) {
            return v >= 1 && (deletedAt == 0 || v < deletedAt);
        }
    }

    /** A read's view of one row: absent, or present with the version it was written with. */
    record Seen(long pk, Long version) {}

    record Failure(long seed, String read, long pk, long ackedAtIssue, long issuedAtReturn, long deletedAt, String observed) {
        @Override
        public String toString() {
            return "seed=" + seed + " read=" + read + " pk=" + pk + " acked-before-issue=v" + ackedAtIssue
                    + " issued-before-return=v" + issuedAtReturn + " deleted-at=v" + deletedAt + " observed=" + observed;
        }
    }

    /** How a race is run. */
    public record Options(long seed, long seconds, int writers, boolean upserts) {}

    /** What a race did and the reads that missed an acknowledged write. */
    public record Outcome(long writes, long reads, List<String> failures) {}

    private StrongReadRace() {}

    /** Runs a race against the servers at {@code targets} (each an SDK URI) in a new collection, dropped after. */
    public static Outcome run(List<String> targets, Options o) throws Exception {
        List<MilvusClientV2> clients = new ArrayList<>();
        try {
            for (int i = 0; i < o.writers(); i++) {
                clients.add(new MilvusClientV2(ConnectConfig.builder().uri(targets.get(i % targets.size())).rpcDeadlineMs(60_000).build()));
            }
            String coll = "strong_race_" + Long.toString(Math.abs(o.seed()) % 100_000, 36);
            createCollection(clients.get(0), coll);
            List<List<RowLedger>> ledger = new ArrayList<>();
            for (int w = 0; w < o.writers(); w++) {
                ledger.add(new CopyOnWriteArrayList<>());
            }
            Queue<Failure> failures = new ConcurrentLinkedQueue<>();
            AtomicLong reads = new AtomicLong();
            long until = System.nanoTime() + o.seconds() * 1_000_000_000L;
            ExecutorService pool = Executors.newFixedThreadPool(o.writers());
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < o.writers(); w++) {
                Writer writer = new Writer(o, w, coll, clients.get(w), clients.get((w + 1) % o.writers()), ledger, failures, reads);
                done.add(pool.submit(() -> writer.run(until)));
            }
            try {
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            long writes = ledger.stream().mapToLong(l -> l.stream().mapToLong(r -> r.acked.get()).sum()).sum();
            clients.get(0).dropCollection(DropCollectionReq.builder().collectionName(coll).build());
            return new Outcome(writes, reads.get(), failures.stream().map(Failure::toString).toList());
        } finally {
            for (MilvusClientV2 c : clients) {
                c.close();
            }
        }
    }

    private static void createCollection(MilvusClientV2 client, String coll) {
        CreateCollectionReq.CollectionSchema schema = client.createSchema();
        schema.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).autoID(false).build());
        schema.addField(AddFieldReq.builder().fieldName("vec").dataType(DataType.FloatVector).dimension(DIM).build());
        schema.addField(AddFieldReq.builder().fieldName("ver").dataType(DataType.Int64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(coll).collectionSchema(schema).numShards(2)
                .indexParams(List.of(IndexParam.builder().fieldName("vec").indexType(IndexParam.IndexType.FLAT)
                        .metricType(IndexParam.MetricType.L2).build()))
                .build());
        client.loadCollection(LoadCollectionReq.builder().collectionName(coll).build());
    }

    static float[] vector(long pk) {
        Random r = new Random(pk);
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    private static JsonObject row(long pk, long version) {
        JsonObject o = new JsonObject();
        o.addProperty("id", pk);
        JsonArray a = new JsonArray();
        for (float f : vector(pk)) {
            a.add(f);
        }
        o.add("vec", a);
        o.addProperty("ver", version);
        return o;
    }

    /** One writer thread: its own rows, its own client for writes, the next writer's client for reads. */
    private static final class Writer {
        private final long seed;
        private final int id;
        private final String coll;
        private final MilvusClientV2 writes;
        private final MilvusClientV2 reads;
        private final List<List<RowLedger>> ledger;
        private final Queue<Failure> failures;
        private final AtomicLong readCount;
        private final Random random;
        private final boolean upserts;
        private final List<RowLedger> live = new ArrayList<>();
        private long nextKey;
        private int readKind;

        Writer(Options o, int id, String coll, MilvusClientV2 writes, MilvusClientV2 reads, List<List<RowLedger>> ledger,
               Queue<Failure> failures, AtomicLong readCount) {
            this.seed = o.seed();
            this.id = id;
            this.coll = coll;
            this.writes = writes;
            this.reads = reads;
            this.ledger = ledger;
            this.failures = failures;
            this.readCount = readCount;
            this.random = new Random(seed * 31 + id);
            this.upserts = o.upserts();
            this.nextKey = id * KEY_SPACE;
        }

        void run(long until) {
            while (System.nanoTime() < until) {
                write();
                check();
            }
        }

        /** One acknowledged write: insert 1-3 new rows, upsert a live row (if enabled), or delete a live row. */
        private void write() {
            int op = live.size() < 4 ? 0 : upserts ? random.nextInt(3) : 2 * random.nextInt(2);
            if (op == 0) {
                List<RowLedger> rows = new ArrayList<>();
                List<JsonObject> data = new ArrayList<>();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    RowLedger r = new RowLedger(nextKey++);
                    r.issued.set(1);
                    ledger.get(id).add(r);
                    rows.add(r);
                    data.add(row(r.pk, 1));
                }
                writes.insert(InsertReq.builder().collectionName(coll).data(data).build());
                for (RowLedger r : rows) {
                    r.acked.set(1);
                    live.add(r);
                }
            } else if (op == 1) {
                RowLedger r = live.get(random.nextInt(live.size()));
                long v = r.issued.get() + 1;
                r.issued.set(v);
                writes.upsert(UpsertReq.builder().collectionName(coll).data(List.of(row(r.pk, v))).build());
                r.acked.set(v);
            } else {
                RowLedger r = live.remove(random.nextInt(live.size()));
                long v = r.issued.get() + 1;
                r.deletedAt = v;
                r.issued.set(v);
                writes.delete(DeleteReq.builder().collectionName(coll).ids(List.of(r.pk)).build());
                r.acked.set(v);
            }
        }

        /** Right after an acknowledgement: a Strong read of some of the other writers' rows, through another client. */
        private void check() {
            List<RowLedger> rows = new ArrayList<>();
            for (int w = 0; w < ledger.size(); w++) {
                if (w != id) {
                    rows.addAll(ledger.get(w));
                }
            }
            if (rows.isEmpty()) {
                return;
            }
            if (rows.size() > CHECKED_ROWS) {
                // the newest rows (most likely in flight) and a random sample of the older ones, each once
                Map<Long, RowLedger> chosen = new LinkedHashMap<>();
                for (RowLedger r : rows.subList(rows.size() - CHECKED_ROWS / 2, rows.size())) {
                    chosen.put(r.pk, r);
                }
                while (chosen.size() < CHECKED_ROWS) {
                    RowLedger r = rows.get(random.nextInt(rows.size() - CHECKED_ROWS / 2));
                    chosen.put(r.pk, r);
                }
                rows = new ArrayList<>(chosen.values());
            }
            // what was acknowledged before the read is issued
            Map<Long, Long> ackedAtIssue = new HashMap<>();
            for (RowLedger r : rows) {
                ackedAtIssue.put(r.pk, r.acked.get());
            }
            String filter = "id in " + Arrays.toString(rows.stream().mapToLong(r -> r.pk).toArray());
            int kind = readKind++ % 3;
            readCount.incrementAndGet();
            switch (kind) {
                case 0 -> verifyRows("query", rows, ackedAtIssue, query(filter));
                case 1 -> verifyRows("search", rows, ackedAtIssue, search(filter, rows.get(0).pk, ackedAtIssue.size()));
                default -> verifyCount(rows, ackedAtIssue, count(filter));
            }
        }

        private Map<Long, Long> query(String filter) {
            QueryResp r = reads.query(QueryReq.builder().collectionName(coll).filter(filter).outputFields(List.of("ver"))
                    .consistencyLevel(ConsistencyLevel.STRONG).build());
            Map<Long, Long> seen = new HashMap<>();
            for (QueryResp.QueryResult row : r.getQueryResults()) {
                seen.put(((Number) row.getEntity().get("id")).longValue(), ((Number) row.getEntity().get("ver")).longValue());
            }
            return seen;
        }

        private Map<Long, Long> search(String filter, long near, int limit) {
            SearchResp r = reads.search(SearchReq.builder().collectionName(coll).annsField("vec").data(List.of(new FloatVec(vector(near))))
                    .filter(filter).topK(limit).outputFields(List.of("ver")).consistencyLevel(ConsistencyLevel.STRONG).build());
            Map<Long, Long> seen = new HashMap<>();
            for (SearchResp.SearchResult hit : r.getSearchResults().get(0)) {
                seen.put(((Number) hit.getId()).longValue(), ((Number) hit.getEntity().get("ver")).longValue());
            }
            return seen;
        }

        private long count(String filter) {
            QueryResp r = reads.query(QueryReq.builder().collectionName(coll).filter(filter).outputFields(List.of("count(*)"))
                    .consistencyLevel(ConsistencyLevel.STRONG).build());
            return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
        }

        /**
         * Each row as seen must be a state between the one acknowledged before the read was issued and the newest
         * issued before it returned.
         */
        private void verifyRows(String read, List<RowLedger> rows, Map<Long, Long> ackedAtIssue, Map<Long, Long> seen) {
            for (RowLedger r : rows) {
                long acked = ackedAtIssue.get(r.pk);
                long issued = r.issued.get();
                Long version = seen.get(r.pk);
                boolean ok = version == null
                        ? !r.presentAt(acked) || (r.deletedAt != 0 && r.deletedAt <= issued)
                        : version >= acked && version <= issued && r.presentAt(version);
                if (!ok) {
                    failures.add(new Failure(seed, read, r.pk, acked, issued, r.deletedAt, version == null ? "absent" : "v" + version));
                }
            }
        }

        /** The count lies between the rows that had to be there and the rows that could be. */
        private void verifyCount(List<RowLedger> rows, Map<Long, Long> ackedAtIssue, long count) {
            long must = 0;
            long may = 0;
            for (RowLedger r : rows) {
                long acked = ackedAtIssue.get(r.pk);
                long issued = r.issued.get();
                long first = Math.max(1, acked);
                if (acked >= 1 && r.presentAt(issued)) {
                    must++; // present at every version from the acknowledged one to the newest issued
                }
                if (issued >= first && (r.deletedAt == 0 || first < r.deletedAt)) {
                    may++; // present at some version in that range
                }
            }
            if (count < must || count > may) {
                failures.add(new Failure(seed, "count", -1, 0, 0, 0, "count " + count + " outside [" + must + ", " + may + "]"));
            }
        }
    }
}
