package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.CompactionState;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.utility.request.CompactReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.utility.request.GetCompactionStateReq;
import io.milvus.v2.service.utility.request.GetPersistentSegmentInfoReq;
import io.milvus.v2.service.utility.response.GetCompactionStateResp;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10: kill -9 the standalone server while a compaction runs, restart it on the same data directory, and check
 * that no acknowledged row is lost, none is duplicated, no old version (pre-upsert) or deleted row is visible, and
 * that a compaction completes after the restarts and merges the flushed segments. Three kills, placed by the server
 * log: while the datanode executes the compaction's first plan, while it executes a mix plan, and right after a
 * commit (before the result is handed off to the read path). A second client keeps inserting until each kill; every
 * acknowledged row joins the model. Prints FIGURE lines (also written to target/compaction-kill9.txt).
 */
class CompactionKillNineTest {
    static final int DIM = 32;
    static final String COLL = "compact_kill9";
    static final int SEGMENTS = 6;
    static final int SEGMENT_ROWS = 20_000;
    static final int CHUNK = 5_000;                 // rows per insert/upsert request
    static final long WRITER_FIRST_ID = 10_000_000; // ids of the concurrent writer
    static final int WRITER_BATCH = 500;
    static final Pattern PLANNED = Pattern.compile("compaction planned planId=(\\d+) type=(\\w+)");
    static final Pattern ISSUED = Pattern.compile("compaction issued planId=(\\d+)");
    static final Pattern EXECUTED = Pattern.compile("compaction executed planId=(\\d+)"); // the datanode finished the plan
    static final Pattern COMMITTED = Pattern.compile("compaction committed planId=(\\d+)");
    static final long WRITER_PAUSE_MS = 50; // between the writer's batches: keeps the model (and the checks) a few 100k rows

    Path dir;
    /** Every server process started on the data directory, in order (each but the last was killed). */
    final List<StandaloneProcess> servers = new ArrayList<>();
    MilvusClientV2 client;
    /** The client's model of the live rows: id -> ver. */
    final Map<Long, Long> model = new HashMap<>();
    final Set<Long> deleted = new HashSet<>();
    final List<String> figures = new ArrayList<>();
    int killsInsideCompaction;

    @AfterEach
    void cleanUp() throws Exception {
        if (client != null) client.close();
        for (StandaloneProcess s : servers) s.close();
        ConformanceBase.deleteTree(dir == null ? null : dir.resolve("data"));
    }

    void figure(String format, Object... args) {
        String line = "FIGURE compaction-kill9 " + String.format(format, args);
        System.out.println(line);
        figures.add(line);
    }

    static float[] vec(long id, long ver) {
        return ConformanceBase.randVec(new Random(id * 7919L + ver * 104729L + 17), DIM);
    }

    static List<JsonObject> rows(long from, long to, long ver) {
        List<JsonObject> out = new ArrayList<>((int) (to - from));
        for (long id = from; id < to; id++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.add("vector", ConformanceBase.json(vec(id, ver)));
            o.addProperty("ver", ver);
            out.add(o);
        }
        return out;
    }

    static List<JsonObject> rowsOf(List<Long> ids, long ver) {
        List<JsonObject> out = new ArrayList<>(ids.size());
        for (long id : ids) out.addAll(rows(id, id + 1, ver));
        return out;
    }

    long count() {
        QueryResp r = client.query(QueryReq.builder().collectionName(COLL).filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        return ((Number) r.getQueryResults().get(0).getEntity().get("count(*)")).longValue();
    }

    List<QueryResp.QueryResult> query(String filter) {
        return client.query(QueryReq.builder().collectionName(COLL).filter(filter).outputFields(List.of("id", "ver"))
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getQueryResults();
    }

    void flush() {
        client.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
    }

    long flushedDataSegments() {
        return client.getPersistentSegmentInfo(GetPersistentSegmentInfoReq.builder().collectionName(COLL).build()).getSegmentInfos().stream()
                .filter(s -> s.getState().equals("Flushed") && !s.getLevel().equals("L0")).count();
    }

    static void awaitTrue(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    void createAndFill() {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("ver").dataType(DataType.Int64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(COLL).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG)
                .indexParams(List.of(IndexParam.builder().fieldName("vector").indexName("vidx").indexType(IndexParam.IndexType.HNSW)
                        .metricType(IndexParam.MetricType.L2).extraParams(Map.of("M", 16, "efConstruction", 64)).build()))
                .build());
        for (int seg = 0; seg < SEGMENTS; seg++) {
            for (long from = (long) seg * SEGMENT_ROWS; from < (long) (seg + 1) * SEGMENT_ROWS; from += CHUNK) {
                long n = client.insert(InsertReq.builder().collectionName(COLL).data(rows(from, from + CHUNK, 0)).build()).getInsertCnt();
                assertThat(n).isEqualTo(CHUNK);
                for (long id = from; id < from + CHUNK; id++) model.put(id, 0L);
            }
            flush(); // one flushed segment per batch
        }
        // upsert a third of the ids (ver 1), delete a tenth
        List<Long> upserts = new ArrayList<>();
        List<Long> deletes = new ArrayList<>();
        for (long id = 0; id < (long) SEGMENTS * SEGMENT_ROWS; id++) {
            if (id % 3 == 0) upserts.add(id);
            if (id % 10 == 7) deletes.add(id);
        }
        for (int i = 0; i < upserts.size(); i += CHUNK) {
            List<Long> part = upserts.subList(i, Math.min(upserts.size(), i + CHUNK));
            client.upsert(UpsertReq.builder().collectionName(COLL).data(rowsOf(part, 1)).build());
            part.forEach(id -> model.put(id, 1L));
        }
        for (int i = 0; i < deletes.size(); i += CHUNK) {
            List<Long> part = deletes.subList(i, Math.min(deletes.size(), i + CHUNK));
            client.delete(DeleteReq.builder().collectionName(COLL).ids(new ArrayList<Object>(part)).build());
            part.forEach(id -> {
                model.remove(id);
                deleted.add(id);
            });
        }
        flush();
    }

    /** Inserts batches of new rows until stopped; acknowledged ids join {@code acked}, the batch in flight is kept. */
    record Writer(Thread thread, Map<Long, Long> acked, AtomicReference<long[]> inFlight, AtomicBoolean stop,
                  AtomicReference<Throwable> error, MilvusClientV2 client) {}

    Writer startWriter(StandaloneProcess s, long firstId) {
        Map<Long, Long> acked = new ConcurrentHashMap<>();
        AtomicReference<long[]> inFlight = new AtomicReference<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> error = new AtomicReference<>();
        MilvusClientV2 c = KillNineDurabilityTest.connect(s, 10_000);
        Thread t = new Thread(() -> {
            for (long from = firstId; !stop.get(); from += WRITER_BATCH) {
                inFlight.set(new long[] {from, from + WRITER_BATCH});
                try {
                    long n = c.insert(InsertReq.builder().collectionName(COLL).data(rows(from, from + WRITER_BATCH, 7)).build()).getInsertCnt();
                    if (n == WRITER_BATCH) {
                        for (long id = from; id < from + WRITER_BATCH; id++) acked.put(id, 7L);
                        inFlight.set(null);
                    }
                    Thread.sleep(WRITER_PAUSE_MS);
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable e) {
                    error.set(e);
                    return;
                }
            }
        }, "insert-writer");
        t.start();
        return new Writer(t, acked, inFlight, stop, error, c);
    }

    /** New lines of the server log from {@code offset}; returns the new offset. */
    static long readLog(Path log, long offset, StringBuilder out) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (len <= offset) return offset;
            byte[] b = new byte[(int) (len - offset)];
            f.seek(offset);
            f.readFully(b);
            String s = new String(b, StandardCharsets.UTF_8);
            int lastNl = s.lastIndexOf('\n');
            if (lastNl < 0) return offset;
            out.append(s, 0, lastNl + 1);
            return offset + s.substring(0, lastNl + 1).getBytes(StandardCharsets.UTF_8).length;
        }
    }

    /** Where to kill: a plan issued to the datanode, a mix plan issued, a plan committed (result not yet handed off). */
    enum KillAt { ISSUED, MIX_ISSUED, COMMITTED }

    /** What the server log said about compactions between the compact call and the kill. */
    record KillPoint(String landed, Map<Long, String> planned, Set<Long> issued, Set<Long> executed, Set<Long> committed,
                     long msAfterCompact) {}

    /**
     * Calls compact and kill -9s the server as soon as the log shows a plan planned after the call (the manual plans
     * or automatic ones) reach the point {@code at}. Bounded: 60 s (120 s for a mix plan or a commit); then kills
     * anyway and reports where it landed.
     */
    KillPoint compactAndKill(StandaloneProcess s, KillAt at) throws Exception {
        boolean afterCommit = at == KillAt.COMMITTED;
        long offset = Files.size(s.log());
        long t0 = System.nanoTime();
        long compactionId = client.compact(CompactReq.builder().collectionName(COLL).build()).getCompactionID();
        figure("compactionId=%d", compactionId);
        Map<Long, String> planned = new TreeMap<>();
        Set<Long> issued = new HashSet<>();
        Set<Long> executed = new HashSet<>();
        Set<Long> committed = new HashSet<>();
        long deadline = System.currentTimeMillis() + (at == KillAt.ISSUED ? 60_000 : 120_000);
        while (System.currentTimeMillis() < deadline) {
            StringBuilder sb = new StringBuilder();
            offset = readLog(s.log(), offset, sb);
            for (String line : sb.toString().split("\n")) {
                Matcher m = PLANNED.matcher(line);
                if (m.find()) planned.put(Long.parseLong(m.group(1)), m.group(2));
                m = ISSUED.matcher(line);
                if (m.find()) issued.add(Long.parseLong(m.group(1)));
                m = EXECUTED.matcher(line);
                if (m.find()) executed.add(Long.parseLong(m.group(1)));
                m = COMMITTED.matcher(line);
                if (m.find()) committed.add(Long.parseLong(m.group(1)));
            }
            if (at == KillAt.ISSUED && issued.stream().anyMatch(p -> planned.containsKey(p) && !committed.contains(p))) break;
            if (at == KillAt.MIX_ISSUED && issued.stream().anyMatch(p -> "MIX_COMPACTION".equals(planned.get(p)) && !committed.contains(p))) break;
            if (afterCommit && committed.stream().anyMatch(planned::containsKey)) break;
            Thread.sleep(5);
        }
        s.kill9();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        // anything written between the last read and the kill
        StringBuilder sb = new StringBuilder();
        readLog(s.log(), offset, sb);
        for (String line : sb.toString().split("\n")) {
            Matcher m = ISSUED.matcher(line);
            if (m.find()) issued.add(Long.parseLong(m.group(1)));
            m = EXECUTED.matcher(line);
            if (m.find()) executed.add(Long.parseLong(m.group(1)));
            m = COMMITTED.matcher(line);
            if (m.find()) committed.add(Long.parseLong(m.group(1)));
        }
        // the state of each plan planned after the compact call, at the kill
        List<String> states = new ArrayList<>();
        planned.forEach((p, type) -> states.add(type + " " + (committed.contains(p) ? "committed (not handed off)"
                : executed.contains(p) ? "executed by the datanode, not committed"
                : issued.contains(p) ? "executing on the datanode" : "planned, not issued")));
        String landed = states.isEmpty() ? "before planning" : String.join(" + ", states);
        return new KillPoint(landed, planned, issued, executed, committed, ms);
    }

    /** Restarts on the same data directory and waits (bounded) until the collection is loaded; returns seconds. */
    double restart(StandaloneProcess s) throws Exception {
        if (client != null) client.close();
        client = null;
        long t0 = System.nanoTime();
        s.start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (client == null && System.currentTimeMillis() < deadline) {
            try {
                MilvusClientV2 c = KillNineDurabilityTest.connect(s);
                c.hasCollection(HasCollectionReq.builder().collectionName(COLL).build());
                client = c;
            } catch (RuntimeException e) {
                Thread.sleep(250);
            }
        }
        assertThat(client).as("connect after restart").isNotNull();
        boolean loaded = false;
        while (!loaded && System.currentTimeMillis() < deadline + 60_000) {
            loaded = client.getLoadState(GetLoadStateReq.builder().collectionName(COLL).build());
            if (!loaded) Thread.sleep(200);
        }
        if (!loaded) client.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
        figure("loadStateRecovered=%s", loaded);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Checks count(*), every id's single row and version, deleted ids absent, no duplicates in a large search. */
    void verify(String label) {
        long found = count();
        // every id the collection may hold, by range: the model's rows, deleted ids and the writer's range
        TreeMap<Long, Long> sorted = new TreeMap<>(model);
        List<String> lost = new ArrayList<>();
        List<String> duplicated = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        for (long a = 0; a < (long) SEGMENTS * SEGMENT_ROWS; a += CHUNK) ranges.add(new long[] {a, a + CHUNK});
        long writerMax = sorted.isEmpty() ? WRITER_FIRST_ID : Math.max(WRITER_FIRST_ID, sorted.lastKey() + 1);
        for (long a = WRITER_FIRST_ID; a < writerMax + 2L * WRITER_BATCH; a += CHUNK) ranges.add(new long[] {a, a + CHUNK});
        long seen = 0;
        for (long[] r : ranges) {
            Map<Long, List<Long>> byId = new HashMap<>();
            for (QueryResp.QueryResult q : query("id >= " + r[0] + " and id < " + r[1])) {
                long id = ((Number) q.getEntity().get("id")).longValue();
                byId.computeIfAbsent(id, k -> new ArrayList<>()).add(((Number) q.getEntity().get("ver")).longValue());
            }
            for (var e : byId.entrySet()) {
                seen += e.getValue().size();
                Long want = model.get(e.getKey());
                if (e.getValue().size() > 1) duplicated.add(e.getKey() + "=" + e.getValue());
                if (want == null) extra.add(e.getKey() + (deleted.contains(e.getKey()) ? "(deleted)" : "") + "=" + e.getValue());
                else if (e.getValue().stream().anyMatch(v -> !v.equals(want))) stale.add(e.getKey() + "=" + e.getValue() + " want " + want);
            }
            for (var e : sorted.subMap(r[0], r[1]).entrySet()) {
                if (!byId.containsKey(e.getKey())) lost.add(e.getKey() + "(ver " + e.getValue() + ")");
            }
        }
        // search with a large topK: no id twice, no deleted id, only ids of the model
        List<Object> hits = new ArrayList<>();
        for (SearchResp.SearchResult h : client.search(SearchReq.builder().collectionName(COLL).annsField("vector").topK(16_384)
                .data(List.of(new FloatVec(vec(424_242, 0)))).searchParams(Map.of("ef", 16_384))
                .consistencyLevel(ConsistencyLevel.STRONG).build()).getSearchResults().get(0)) {
            hits.add(h.getId());
        }
        List<Long> hitIds = hits.stream().map(o -> ((Number) o).longValue()).toList();
        long hitDuplicates = hitIds.size() - new HashSet<>(hitIds).size();
        List<Long> hitUnknown = hitIds.stream().filter(id -> !model.containsKey(id)).limit(20).toList();
        figure("%s: modelRows=%d count=%d rowsQueried=%d lost=%d duplicated=%d staleVersion=%d extra=%d searchHits=%d searchDuplicates=%d searchUnknown=%d",
                label, model.size(), found, seen, lost.size(), duplicated.size(), stale.size(), extra.size(), hitIds.size(), hitDuplicates,
                hitUnknown.size());
        assertThat(lost.subList(0, Math.min(20, lost.size()))).as("%s: acknowledged rows lost (first 20)", label).isEmpty();
        assertThat(duplicated.subList(0, Math.min(20, duplicated.size()))).as("%s: ids with more than one row", label).isEmpty();
        assertThat(stale.subList(0, Math.min(20, stale.size()))).as("%s: ids showing an old version", label).isEmpty();
        assertThat(extra.subList(0, Math.min(20, extra.size()))).as("%s: rows not in the model (deleted or never acknowledged)", label).isEmpty();
        assertThat(found).as("%s: count(*)", label).isEqualTo(model.size());
        assertThat(hitDuplicates).as("%s: duplicate ids in search", label).isZero();
        assertThat(hitUnknown).as("%s: search hits not in the model", label).isEmpty();
        assertThat(hitIds).as("%s: search hits", label).hasSize(Math.min(16_384, model.size()));
    }

    /** The writer's in-flight batch at the kill was not acknowledged: its rows count only if the server kept them. */
    void adoptInFlight(Writer w) {
        long[] r = w.inFlight().get();
        if (r == null) return;
        long present = 0;
        for (QueryResp.QueryResult q : query("id >= " + r[0] + " and id < " + r[1])) {
            model.put(((Number) q.getEntity().get("id")).longValue(), 7L);
            present++;
        }
        figure("unacknowledgedInFlightRowsPresent=%d of %d", present, r[1] - r[0]);
    }

    @Test
    void killNineDuringCompactionLosesNothingAndCompactionCompletesAfterRestart() throws Exception {
        dir = Files.createTempDirectory("quiver-compact-kill9-");
        Path data = dir.resolve("data");
        StandaloneProcess first = new StandaloneProcess(data);
        servers.add(first);
        first.start();
        client = KillNineDurabilityTest.connect(first, 60_000);
        long f0 = System.nanoTime();
        createAndFill();
        figure("fill: rows=%d (segments=%d x %d, upserted a third, deleted %d) took=%.1fs", model.size(), SEGMENTS, SEGMENT_ROWS,
                deleted.size(), (System.nanoTime() - f0) / 1e9);
        awaitTrue("collection loaded", 120, () -> client.getLoadState(GetLoadStateReq.builder().collectionName(COLL).build()));
        long segmentsBefore = flushedDataSegments();
        figure("flushedSegmentsBeforeCompaction=%d", segmentsBefore);

        // round 1: kill -9 while the datanode executes the first plan of the compaction (an L0 plan when deletes are
        // pending); round 2: while it executes a mix plan; round 3: right after a commit, before the handoff
        killRound("round 1", KillAt.ISSUED);
        killRound("round 2", KillAt.MIX_ISSUED);
        killRound("round 3", KillAt.COMMITTED);
        finalCompaction(segmentsBefore);
        figure("kills landing inside a compaction (planned, executing, or committed and not handed off): %d of 3", killsInsideCompaction);
        Files.writeString(Path.of("target", "compaction-kill9.txt"), String.join("\n", figures) + "\n");
    }

    /** A writer inserts, compact is called, the server is killed at the given point and restarted on {@code next}. */
    void killRound(String label, KillAt at) throws Exception {
        StandaloneProcess s = servers.get(servers.size() - 1);
        long writerFirstId = model.keySet().stream().mapToLong(x -> x).max().orElse(0) + 2L * WRITER_BATCH;
        Writer w = startWriter(s, Math.max(WRITER_FIRST_ID, writerFirstId));
        Thread.sleep(300); // the writer is running when the compaction starts
        KillPoint kill = compactAndKill(s, at);
        w.stop().set(true);
        w.thread().join(60_000);
        assertThat(w.thread().isAlive()).as("writer stopped after the kill").isFalse();
        w.client().close();
        model.putAll(w.acked());
        if (!kill.landed().equals("before planning")) killsInsideCompaction++;
        figure("%s: kill landed %s, %d ms after compact (planned=%s issued=%s executed=%s committed=%s); writer rows acknowledged=%d",
                label, kill.landed(), kill.msAfterCompact(), kill.planned(), kill.issued(), kill.executed(), kill.committed(), w.acked().size());
        StandaloneProcess next = new StandaloneProcess(s.log().resolveSibling("data"));
        servers.add(next);
        double restartS = restart(next);
        figure("%s: restart to loaded: %.2f s", label, restartS);
        adoptInFlight(w);
        verify(label + ", after restart");
    }

    /** A compaction completes after the restarts and the flushed segments get merged; the answers stay the same. */
    void finalCompaction(long segmentsBefore) throws Exception {
        // a compaction with at least one plan completes after the restarts (a manual compaction plans only servable
        // segments, so it is called again until one has a plan), and the flushed segments get merged
        flush();
        long c0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + 180_000;
        long completedPlans = 0;
        int calls = 0;
        while (completedPlans == 0) {
            assertThat(System.currentTimeMillis()).as("a compaction with a plan completed within 180 s after the restarts").isLessThan(deadline);
            calls++;
            long id = client.compact(CompactReq.builder().collectionName(COLL).build()).getCompactionID();
            assertThat(id).isPositive();
            GetCompactionStateResp st = client.getCompactionState(GetCompactionStateReq.builder().compactionID(id).build());
            while (st.getState() != CompactionState.Completed && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
                st = client.getCompactionState(GetCompactionStateReq.builder().compactionID(id).build());
            }
            assertThat(st.getState()).as("compaction %d completed within 180 s", id).isEqualTo(CompactionState.Completed);
            completedPlans = st.getCompletedPlanNo() == null ? 0 : st.getCompletedPlanNo();
            if (completedPlans == 0) Thread.sleep(2_000);
        }
        double completedS = (System.nanoTime() - c0) / 1e9;
        awaitTrue("flushed segments merged below " + segmentsBefore, 180, () -> flushedDataSegments() < segmentsBefore);
        long segmentsAfter = flushedDataSegments();
        figure("compaction after the restarts: completed with %d plan(s) in %.1f s (%d compact call(s)); flushedSegments before=%d after=%d",
                completedPlans, completedS, calls, segmentsBefore, segmentsAfter);
        verify("after compaction");
    }
}
