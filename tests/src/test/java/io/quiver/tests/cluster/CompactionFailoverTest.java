package io.quiver.tests.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.CompactionState;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.utility.request.CompactReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.utility.request.GetCompactionStateReq;
import io.milvus.v2.service.utility.request.GetPersistentSegmentInfoReq;
import io.milvus.v2.service.utility.response.GetCompactionStateResp;
import io.milvus.v2.service.vector.request.InsertReq;
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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 in cluster mode: kill -9 the datanode that executes a compaction plan (two datanodes: the other takes over
 * the plan's segments and the dead one's channels), then kill -9 datacoord while a plan executes and start it again.
 * After each kill no acknowledged row is lost, none is duplicated, no old version (pre-upsert) or deleted row is
 * visible, and a compaction completes and merges the flushed segments. A second client inserts throughout each kill;
 * acknowledged rows join the model, failed batches count only if the server kept them. The kills are placed by the
 * datacoord log ("compaction issued planId=... datanode=..."). Prints FIGURE lines (also target/compaction-failover.txt).
 */
class CompactionFailoverTest {
    /** Kept after the run (role logs, for a failure): target/cluster-logs/<test>-<millis>. */
    static final Path tmp = Path.of("target", "cluster-logs", "CompactionFailoverTest-" + System.currentTimeMillis()).toAbsolutePath();
    static final String COLL = "compact_failover";
    static final int SEGMENTS = 5;
    static final int SEGMENT_ROWS = 10_000;
    static final long ROUND2_FIRST_ID = 1_000_000;
    static final int ROUND2_SEGMENTS = 3;
    static final long ROUND3_FIRST_ID = 2_000_000;
    static final long WRITER_FIRST_ID = 10_000_000;
    static final int WRITER_BATCH = 500;
    static final long WRITER_PAUSE_MS = 200; // the writer runs through the recovery: keeps the model a few 100k rows
    static final long WRITER_VER = 7;
    static final String DATACOORD = "datacoord-1";
    static final List<String> DATANODES = List.of("datanode-1", "datanode-2");
    static final Pattern PLANNED = Pattern.compile("compaction planned planId=(\\d+) type=(\\w+)");
    static final Pattern ISSUED = Pattern.compile("compaction issued planId=(\\d+) datanode=(\\d+)");
    static final Pattern COMMITTED = Pattern.compile("compaction committed planId=(\\d+)");

    static LocalCluster cluster;
    static MilvusClientV2 client;
    final RowModel model = new RowModel(COLL);
    final AtomicLong nextWriterId = new AtomicLong(WRITER_FIRST_ID);
    final List<String> figures = new ArrayList<>();

    @BeforeAll
    static void up() throws Exception {
        cluster = new LocalCluster(tmp.resolve("cluster"), "qcf" + (System.currentTimeMillis() % 100000), 19980, 28100);
        // only the test's compact calls plan: automatic compaction merged the fill's segments before round 1 in a CI
        // run, leaving one segment and nothing for the kill to interrupt (the failover path is the same for both)
        Files.createDirectories(tmp);
        Path yaml = tmp.resolve("quiver.yaml");
        Files.writeString(yaml, "dataCoord:\n  compaction:\n    enableAutoCompaction: false\n");
        cluster.roleConfig(yaml);
        long t0 = System.nanoTime();
        cluster.run("up", "--querynodes", "1", "--datanodes", "2", "--indexnodes", "1");
        System.out.printf("FIGURE compaction-failover cluster_up_seconds=%.1f%n", (System.nanoTime() - t0) / 1e9);
        client = connect(120_000);
    }

    @AfterAll
    static void down() throws Exception {
        if (client != null) client.close();
        if (cluster != null) cluster.close();
    }

    static MilvusClientV2 connect(long deadlineMs) {
        return new MilvusClientV2(ConnectConfig.builder().uri("http://127.0.0.1:" + cluster.proxyPort).rpcDeadlineMs(deadlineMs).build());
    }

    void figure(String format, Object... args) {
        String line = "FIGURE compaction-failover " + String.format(format, args);
        System.out.println(line);
        figures.add(line);
    }

    static void awaitTrue(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            assertThat(System.currentTimeMillis()).as("%s within %d s", what, seconds).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    void flush() {
        client.flush(FlushReq.builder().collectionNames(List.of(COLL)).build());
    }

    long flushedDataSegments() {
        return client.getPersistentSegmentInfo(GetPersistentSegmentInfoReq.builder().collectionName(COLL).build()).getSegmentInfos().stream()
                .filter(s -> s.getState().equals("Flushed") && !s.getLevel().equals("L0")).count();
    }

    @Test
    void killNineOfDatanodeAndDatacoordDuringCompactionLosesNothing() throws Exception {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(RowModel.DIM).build());
        s.addField(AddFieldReq.builder().fieldName("ver").dataType(DataType.Int64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(COLL).collectionSchema(s).numShards(1)
                .consistencyLevel(ConsistencyLevel.STRONG)
                .indexParams(List.of(IndexParam.builder().fieldName("vector").indexName("vidx").indexType(IndexParam.IndexType.HNSW)
                        .metricType(IndexParam.MetricType.L2).extraParams(Map.of("M", 16, "efConstruction", 64)).build()))
                .build());
        long f0 = System.nanoTime();
        model.insertFlushed(client, 0, SEGMENTS, SEGMENT_ROWS);
        model.upsertThirdDeleteTenth(client, 0, (long) SEGMENTS * SEGMENT_ROWS);
        client.loadCollection(LoadCollectionReq.builder().collectionName(COLL).build());
        awaitTrue("collection loaded", 180, () -> client.getLoadState(GetLoadStateReq.builder().collectionName(COLL).build()));
        figure("fill: rows=%d (segments=%d x %d, upserted a third, deleted a tenth) took=%.1fs", model.size(), SEGMENTS, SEGMENT_ROWS,
                (System.nanoTime() - f0) / 1e9);
        model.verify(client, "after fill");

        datanodeKillRound();
        datacoordKillRound();
        Files.writeString(Path.of("target", "compaction-failover.txt"), String.join("\n", figures) + "\n");
    }

    /** (1) kill -9 the datanode executing the compaction's first plan; the plan fails over, a compaction completes. */
    void datanodeKillRound() throws Exception {
        long segmentsBefore = flushedDataSegments();
        Map<Long, String> datanodeByServerId = new HashMap<>();
        for (String dn : DATANODES) datanodeByServerId.put(cluster.serverId(dn), dn);
        assertThat(datanodeByServerId).as("server ids of the datanodes (from their logs)").hasSize(2).doesNotContainKey(-1L);
        figure("round 1: flushedSegments=%d datanodes=%s", segmentsBefore, datanodeByServerId);
        Writer w = new Writer();
        KillPoint kill;
        double recoveryS;
        try {
            Thread.sleep(500); // the writer is running when the compaction starts
            kill = compactAndKill(false, issued -> datanodeByServerId.get(issued));
            assertThat(kill.victim()).as("a compaction plan was issued to a datanode within the bound").isNotNull();
            List<String> executed = Files.readAllLines(cluster.log(kill.victim())).stream().filter(l -> l.contains("compaction executed planId=")).toList();
            figure("round 1: killed %s: %s; plans the killed datanode had finished: %s", kill.victim(), kill.describe(),
                    executed.stream().map(l -> l.replaceAll(".*(planId=\\d+).*", "$1")).toList());
            recoveryS = compactUntilMerged("round 1", segmentsBefore, kill.killedNanos());
        } finally {
            w.stop();
        }
        w.adoptInto(model);
        flush();
        figure("round 1: kill datanode -> compaction completed and merged %.1f s; writer acknowledged=%d failedBatches=%d; flushedSegments before=%d after=%d",
                recoveryS, w.acknowledged.size(), w.unacknowledged.size(), segmentsBefore, flushedDataSegments());
        model.verify(client, "round 1 (datanode killed), after compaction");
    }

    /** (2) kill -9 datacoord while a plan executes, start it again; a later compaction completes and merges. */
    void datacoordKillRound() throws Exception {
        model.insertFlushed(client, ROUND2_FIRST_ID, ROUND2_SEGMENTS, SEGMENT_ROWS);
        model.upsertThirdDeleteTenth(client, ROUND2_FIRST_ID, ROUND2_FIRST_ID + (long) ROUND2_SEGMENTS * SEGMENT_ROWS);
        long segmentsBefore = flushedDataSegments();
        figure("round 2: flushedSegments=%d", segmentsBefore);
        Writer w = new Writer();
        KillPoint kill;
        double restartS;
        double recoveryS;
        try {
            Thread.sleep(500);
            // any plan: automatic compaction may merge the new segments before the manual call plans them (seen in a
            // run), leaving only an automatic L0 plan (maxAge) to kill datacoord under
            kill = compactAndKill(false, issued -> DATACOORD);
            figure("round 2: killed %s: %s", kill.victim(), kill.describe());
            assertThat(kill.victim()).as("a compaction plan was issued within the bound").isNotNull();
            cluster.restart(DATACOORD);
            restartS = (System.nanoTime() - kill.killedNanos()) / 1e9;
            // datacoord answers again (flush goes through it): bounded retries while the sessions settle
            long deadline = System.currentTimeMillis() + 120_000;
            RuntimeException last = null;
            boolean flushed = false;
            while (!flushed && System.currentTimeMillis() < deadline) {
                try {
                    flush();
                    flushed = true;
                } catch (RuntimeException e) {
                    last = e;
                    Thread.sleep(1000);
                }
            }
            assertThat(flushed).as("flush through the restarted datacoord within 120 s (last error: %s)", last).isTrue();
            figure("round 2: kill datacoord -> restarted %.1f s, flush answered %.1f s", restartS, (System.nanoTime() - kill.killedNanos()) / 1e9);
            recoveryS = compactUntilMerged("round 2", segmentsBefore, kill.killedNanos());
        } finally {
            w.stop();
        }
        w.adoptInto(model);
        figure("round 2: kill datacoord -> compaction completed and merged %.1f s; writer acknowledged=%d failedBatches=%d",
                recoveryS, w.acknowledged.size(), w.unacknowledged.size());
        model.verify(client, "round 2 (datacoord killed and restarted)");
        // a later compaction completes and merges the flushed segments (the writer's and one more included)
        model.insertFlushed(client, ROUND3_FIRST_ID, 1, SEGMENT_ROWS);
        long segmentsNow = flushedDataSegments();
        double laterS = compactUntilMerged("round 2, later", segmentsNow, System.nanoTime());
        figure("round 2: later compaction completed in %.1f s; flushedSegments before kill=%d before=%d after=%d", laterS, segmentsBefore,
                segmentsNow, flushedDataSegments());
        model.verify(client, "round 2, after the later compaction");
    }

    /**
     * Calls compact until a compaction with at least one completed plan completes and the flushed segments are fewer
     * than {@code below}, or one when {@code below} is one (a manual compaction plans only servable segments not in a
     * running plan, so it is called again until one has a plan); calls that fail while a role restarts are retried; bounded by 300 s. Returns the
     * seconds from {@code fromNanos}.
     */
    double compactUntilMerged(String label, long below, long fromNanos) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 300_000;
        int calls = 0;
        long completedPlans = 0;
        long segments = Long.MAX_VALUE;
        long target = Math.max(below, 2);
        while (completedPlans == 0 || segments >= target) {
            assertThat(System.currentTimeMillis()).as("%s: a compaction completed and the flushed segments (%d) merged below %d within 300 s",
                    label, segments, below).isLessThan(deadline);
            calls++;
            try {
                long id = client.compact(CompactReq.builder().collectionName(COLL).build()).getCompactionID();
                GetCompactionStateResp st = client.getCompactionState(GetCompactionStateReq.builder().compactionID(id).build());
                while (st.getState() != CompactionState.Completed && System.currentTimeMillis() < deadline) {
                    Thread.sleep(500);
                    st = client.getCompactionState(GetCompactionStateReq.builder().compactionID(id).build());
                }
                assertThat(st.getState()).as("%s: compaction %d completed within 300 s", label, id).isEqualTo(CompactionState.Completed);
                long plans = st.getCompletedPlanNo() == null ? 0 : st.getCompletedPlanNo();
                completedPlans += plans;
                segments = flushedDataSegments();
                System.out.printf("%s: compaction %d completed plans=%d flushedSegments=%d (%s)%n", label, id, plans, segments, st);
            } catch (RuntimeException e) {
                System.out.println(label + ": compact call failed: " + e.getMessage());
            }
            if (completedPlans == 0 || segments >= target) Thread.sleep(2_000);
        }
        double s = (System.nanoTime() - fromNanos) / 1e9;
        figure("%s: %d plan(s) completed in %d compact call(s); flushedSegments %d (below %d) after %.1f s", label, completedPlans, calls,
                segments, below, s);
        return s;
    }

    /** What the datacoord log said between the compact call and the kill, and whom the kill hit. */
    record KillPoint(String victim, long compactionId, Map<Long, String> planned, Map<Long, Long> issuedTo, Set<Long> committed,
                     long msAfterCompact, long killedNanos) {
        String describe() {
            List<String> states = new ArrayList<>();
            planned.forEach((p, type) -> states.add(p + ":" + type + " " + (committed.contains(p) ? "committed"
                    : issuedTo.containsKey(p) ? "executing on datanode " + issuedTo.get(p) : "planned, not issued")));
            return String.format("compactionId=%d, %d ms after compact, plans at the kill: %s", compactionId, msAfterCompact,
                    states.isEmpty() ? "none" : String.join(", ", states));
        }
    }

    interface Victim {
        String of(long datanodeServerId);
    }

    /**
     * Calls compact and, as soon as the datacoord log shows a plan issued to a datanode after the call (a mix plan
     * when {@code mixOnly}) and not committed, kill -9s the process {@code victim} names for that datanode.
     * Bounded: 120 s, then no kill (victim null).
     */
    KillPoint compactAndKill(boolean mixOnly, Victim victim) throws Exception {
        Path log = cluster.log(DATACOORD);
        long offset = Files.size(log);
        long t0 = System.nanoTime();
        long compactionId = client.compact(CompactReq.builder().collectionName(COLL).build()).getCompactionID();
        Map<Long, String> planned = new TreeMap<>();
        Map<Long, Long> issuedTo = new HashMap<>();
        Set<Long> committed = new HashSet<>();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            StringBuilder sb = new StringBuilder();
            offset = readLog(log, offset, sb);
            for (String line : sb.toString().split("\n")) {
                Matcher m = PLANNED.matcher(line);
                if (m.find()) planned.put(Long.parseLong(m.group(1)), m.group(2));
                m = ISSUED.matcher(line);
                if (m.find()) issuedTo.put(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
                m = COMMITTED.matcher(line);
                if (m.find()) committed.add(Long.parseLong(m.group(1)));
            }
            for (var e : issuedTo.entrySet()) {
                long plan = e.getKey();
                // issued after the compact call: executing now, also when automatic compaction planned it just before
                if (!committed.contains(plan) && (!mixOnly || "MIX_COMPACTION".equals(planned.get(plan)))) {
                    String name = victim.of(e.getValue());
                    long killed = System.nanoTime();
                    cluster.kill(name);
                    return new KillPoint(name, compactionId, planned, issuedTo, committed, (killed - t0) / 1_000_000, killed);
                }
            }
            Thread.sleep(5);
        }
        return new KillPoint(null, compactionId, planned, issuedTo, committed, (System.nanoTime() - t0) / 1_000_000, System.nanoTime());
    }

    /** New complete lines of a log from {@code offset}; returns the new offset. */
    static long readLog(Path log, long offset, StringBuilder out) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (len <= offset) return offset;
            byte[] b = new byte[(int) (len - offset)];
            f.seek(offset);
            f.readFully(b);
            int lastNl = -1;
            for (int i = b.length - 1; i >= 0; i--) {
                if (b[i] == '\n') {
                    lastNl = i;
                    break;
                }
            }
            if (lastNl < 0) return offset;
            out.append(new String(b, 0, lastNl + 1, StandardCharsets.UTF_8));
            return offset + lastNl + 1;
        }
    }

    /**
     * Inserts batches of new rows (ver 7) with its own client until stopped. Acknowledged batches are kept; a batch that
     * fails (a role is down) is remembered and the writer goes on with the next ids after a pause.
     */
    final class Writer {
        final List<long[]> acknowledged = new ArrayList<>();
        final List<long[]> unacknowledged = new ArrayList<>();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private final MilvusClientV2 c = connect(10_000);
        private final Thread thread = new Thread(this::run, "insert-writer");

        Writer() {
            thread.start();
        }

        private void run() {
            while (!stopped.get()) {
                long from = nextWriterId.getAndAdd(WRITER_BATCH);
                long[] batch = {from, from + WRITER_BATCH};
                boolean ok = false;
                try {
                    ok = c.insert(InsertReq.builder().collectionName(COLL).data(RowModel.rows(from, from + WRITER_BATCH, WRITER_VER)).build())
                            .getInsertCnt() == WRITER_BATCH;
                } catch (RuntimeException e) {
                    System.out.println("writer: insert " + from + " failed: " + e.getMessage());
                }
                synchronized (this) {
                    (ok ? acknowledged : unacknowledged).add(batch);
                }
                try {
                    Thread.sleep(ok ? WRITER_PAUSE_MS : 1_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            stopped.set(true);
            thread.join(60_000);
            assertThat(thread.isAlive()).as("writer stopped").isFalse();
            c.close();
        }

        /** Acknowledged rows join the model; the rows of failed batches join only where the server kept them. */
        void adoptInto(RowModel m) {
            List<long[]> all = new ArrayList<>(acknowledged);
            all.addAll(unacknowledged);
            all.sort((a, b) -> Long.compare(a[0], b[0]));
            long kept = 0;
            for (long[] b : all) {
                if (acknowledged.contains(b)) m.acknowledged(b[0], b[1], WRITER_VER);
                else kept += m.adopt(client, b[0], b[1], WRITER_VER);
            }
            figure("writer: acknowledgedBatches=%d failedBatches=%d rowsOfFailedBatchesKept=%d", acknowledged.size(), unacknowledged.size(), kept);
        }
    }
}
