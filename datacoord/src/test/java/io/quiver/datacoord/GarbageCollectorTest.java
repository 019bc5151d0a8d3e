package io.quiver.datacoord;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.IndexState;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.binlog.SegmentPaths;
import io.quiver.common.config.QuiverConfig.GcConfig;
import io.quiver.proto.Binlog;
import io.quiver.proto.CreateIndexInternalRequest;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SegmentState;
import io.quiver.storage.LocalMetaKv;
import io.quiver.storage.LocalObjectStore;
import io.quiver.storage.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
    private static final long COLL = 1;
    private static final long PART = 2;
    private static final Duration MISSING = Duration.ofHours(1);
    private static final Duration DROP = Duration.ofMinutes(5);

    @TempDir Path dir;
    private ObjectStore store;
    private LocalMetaKv kv;
    private IndexManager indexes;
    private final FakePort port = new FakePort();
    private final Clock clock = new Clock();
    private GarbageCollector gc;
    private final AtomicLong ids = new AtomicLong(1000);

    /** A clock the test moves; starts at the wall time so files written now are "new". */
    static final class Clock implements InstantSource {
        volatile long ms = System.currentTimeMillis();

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(ms);
        }

        void advance(Duration d) {
            ms += d.toMillis();
        }
    }

    static final class FakePort implements GarbageCollector.Port {
        final Map<Long, SegmentInfo> segments = new LinkedHashMap<>();
        final Set<Long> inUse = new HashSet<>();
        final Set<Long> handedOff = new HashSet<>();
        final List<Long> removed = new ArrayList<>();
        RuntimeException inUseFailure;

        @Override
        public List<SegmentInfo> segments() {
            return List.copyOf(segments.values());
        }

        @Override
        public Set<Long> inUseSegmentIds() {
            if (inUseFailure != null) {
                throw inUseFailure;
            }
            return Set.copyOf(inUse);
        }

        @Override
        public boolean isHandedOff(long segmentId) {
            return handedOff.contains(segmentId);
        }

        @Override
        public void removeSegment(long segmentId) {
            SegmentInfo s = segments.get(segmentId);
            if (s != null && s.getState() == SegmentState.DROPPED) {
                segments.remove(segmentId);
                removed.add(segmentId);
            }
        }
    }

    @BeforeEach
    void setUp() {
        store = new LocalObjectStore(dir.resolve("store"));
        kv = new LocalMetaKv(dir.resolve("kv"));
        indexes = new IndexManager(kv, "q", n -> ids.getAndAdd(n), clock, 0);
        gc = new GarbageCollector(port, indexes, store, clock, new GcConfig(true, Duration.ofSeconds(60), MISSING, DROP));
    }

    @AfterEach
    void tearDown() {
        store.close();
        kv.close();
    }

    /** Writes a segment's binlog, statslog, deltalog and manifest at {@code version}; returns every key. */
    private List<String> writeSegment(long seg, long version, SegmentState state) {
        String insert = SegmentPaths.insertLog(COLL, PART, seg, 100, version * 10);
        String stats = SegmentPaths.statsLog(COLL, PART, seg, 100, version * 10 + 1);
        String delta = SegmentPaths.deltaLog(COLL, PART, seg, version * 10 + 2);
        String manifest = SegmentPaths.manifest(COLL, PART, seg, version);
        SegmentManifest.Builder m = SegmentManifest.newBuilder().setSegmentId(seg).setCollectionId(COLL).setPartitionId(PART)
                .setVersion(version).setNumRows(10).setLevel(SegmentLevel.L1);
        SegmentInfo prev = port.segments.get(seg);
        if (prev != null && !prev.getManifestPath().isEmpty()) {
            m.mergeFrom(SegmentManifest.newBuilder().mergeFrom(parse(prev.getManifestPath())).clearVersion().build());
        }
        m.addBinlogs(FieldBinlog.newBuilder().setFieldId(100).addBinlogs(Binlog.newBuilder().setPath(insert).setSize(8)))
                .addStatslogs(FieldBinlog.newBuilder().setFieldId(100).addBinlogs(Binlog.newBuilder().setPath(stats)))
                .addDeltalogs(Binlog.newBuilder().setPath(delta));
        store.put(insert, new byte[8]);
        store.put(stats, new byte[4]);
        store.put(delta, new byte[2]);
        store.put(manifest, m.build().toByteArray());
        port.segments.put(seg, SegmentInfo.newBuilder().setSegmentId(seg).setCollectionId(COLL).setPartitionId(PART)
                .setState(state).setLevel(SegmentLevel.L1).setNumRows(10).setManifestPath(manifest).setManifestVersion(version).build());
        return List.of(insert, stats, delta, manifest);
    }

    private SegmentManifest parse(String path) {
        try {
            return SegmentManifest.parseFrom(store.get(path));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private void drop(long seg, long compactedTo) {
        SegmentInfo s = port.segments.get(seg);
        port.segments.put(seg, s.toBuilder().setState(SegmentState.DROPPED).setDroppedMs(clock.millis()).setCompactedTo(compactedTo).build());
    }

    private boolean exists(String key) {
        return store.stat(key).isPresent();
    }

    @Test
    void neverDeletesFilesOfLiveSegmentsOrSegmentsInUse() {
        List<String> live = writeSegment(10, 1, SegmentState.FLUSHED);
        List<String> heldByQueryNode = writeSegment(11, 1, SegmentState.FLUSHED);
        List<String> inputOfPendingResult = writeSegment(12, 1, SegmentState.FLUSHED);
        List<String> result = writeSegment(13, 1, SegmentState.FLUSHED);
        drop(11, 0);
        drop(12, 13);
        port.inUse.add(11L);
        clock.advance(MISSING.plus(DROP).plusHours(1)); // both tolerances passed long ago

        GarbageCollector.RoundReport r = gc.runOnce();

        assertThat(r.wasSkipped()).isFalse();
        assertThat(r.files()).isZero();
        for (List<String> keys : List.of(live, heldByQueryNode, inputOfPendingResult, result)) {
            assertThat(keys).allMatch(this::exists);
        }
        assertThat(port.removed).isEmpty();

        port.inUse.clear();          // the querynode released segment 11
        port.handedOff.add(13L);     // the result of 12 is servable now
        r = gc.runOnce();

        assertThat(port.removed).containsExactlyInAnyOrder(11L, 12L);
        assertThat(r.segments()).isEqualTo(2);
        assertThat(heldByQueryNode).noneMatch(this::exists);
        assertThat(inputOfPendingResult).noneMatch(this::exists);
        assertThat(live).allMatch(this::exists);
        assertThat(result).allMatch(this::exists);
    }

    @Test
    void droppedSegmentGoesAfterDropToleranceWithItsMeta() {
        List<String> keys = writeSegment(20, 1, SegmentState.FLUSHED);
        keys = new ArrayList<>(keys);
        keys.addAll(writeSegment(20, 2, SegmentState.FLUSHED)); // two manifest versions
        drop(20, 0);
        clock.advance(DROP.minusSeconds(1));

        assertThat(gc.runOnce().segments()).isZero();
        assertThat(keys).allMatch(this::exists);

        clock.advance(Duration.ofSeconds(1));
        GarbageCollector.RoundReport r = gc.runOnce();

        assertThat(r.segments()).isEqualTo(1);
        assertThat(r.segmentFiles()).isEqualTo(8);
        assertThat(r.segmentBytes()).isPositive();
        assertThat(keys).noneMatch(this::exists);
        assertThat(port.segments).doesNotContainKey(20L);
        assertThat(gc.removedSegmentsTotal()).isEqualTo(1);
        assertThat(gc.removedFilesTotal()).isEqualTo(8);
        assertThat(gc.removedBytesTotal()).isEqualTo(r.bytes());
    }

    @Test
    void droppedInputWaitsForTheLastResultOfItsLineage() {
        List<String> a = writeSegment(30, 1, SegmentState.FLUSHED);
        writeSegment(31, 1, SegmentState.FLUSHED);
        writeSegment(32, 1, SegmentState.FLUSHED);
        drop(30, 31);
        drop(31, 32); // 31 was compacted again into 32, not handed off yet
        port.inUse.add(31L);
        clock.advance(DROP.plusSeconds(1));

        gc.runOnce();
        assertThat(a).allMatch(this::exists);

        port.handedOff.add(32L);
        port.inUse.clear();
        gc.runOnce();
        assertThat(port.removed).containsExactlyInAnyOrder(30L, 31L);
    }

    @Test
    void orphansGoAfterMissingToleranceNotBefore() {
        List<String> live = writeSegment(40, 1, SegmentState.GROWING);
        String crashUpload = SegmentPaths.insertLog(COLL, PART, 41, 100, 7); // a sync that never reached SaveBinlogPaths
        String unflushed = SegmentPaths.insertLog(COLL, PART, 40, 100, 99);  // buffered file, manifest not saved yet
        store.put(crashUpload, new byte[16]);
        store.put(unflushed, new byte[16]);
        clock.advance(MISSING.minusMinutes(1));

        assertThat(gc.runOnce().orphanFiles()).isZero();
        assertThat(exists(crashUpload)).isTrue();
        assertThat(exists(unflushed)).isTrue();

        clock.advance(Duration.ofMinutes(2));
        GarbageCollector.RoundReport r = gc.runOnce();

        assertThat(r.orphanFiles()).isEqualTo(2);
        assertThat(r.orphanBytes()).isEqualTo(32);
        assertThat(exists(crashUpload)).isFalse();
        assertThat(live).allMatch(this::exists);
    }

    @Test
    void supersededManifestsGoButEveryFileOfTheCurrentOneStays() {
        List<String> v1 = writeSegment(50, 1, SegmentState.FLUSHED);
        List<String> v2 = writeSegment(50, 2, SegmentState.FLUSHED); // the current manifest names v1's files too
        clock.advance(MISSING.plusMinutes(1));

        GarbageCollector.RoundReport r = gc.runOnce();

        assertThat(r.orphanFiles()).isEqualTo(1);
        assertThat(exists(v1.get(3))).isFalse(); // manifest version 1
        assertThat(v1.subList(0, 3)).allMatch(this::exists);
        assertThat(v2).allMatch(this::exists);
    }

    @Test
    void orphanOfASegmentInUseStays() {
        writeSegment(55, 1, SegmentState.FLUSHED);
        String stray = SegmentPaths.insertLog(COLL, PART, 55, 100, 77);
        store.put(stray, new byte[3]);
        port.inUse.add(55L);
        clock.advance(MISSING.plusMinutes(1));

        gc.runOnce();

        assertThat(exists(stray)).isTrue();
    }

    private void createIndex(String name, long fieldId) {
        indexes.create(CreateIndexInternalRequest.newBuilder().setCollectionId(COLL).setFieldId(fieldId).setFieldName("f" + fieldId)
                .setIndexName(name).setIsVector(true)
                .addIndexParams(KeyValuePair.newBuilder().setKey("index_type").setValue("HNSW")).build());
    }

    /** Finishes every unissued build with one file under its prefix; returns build id -> file. */
    private Map<Long, String> finishBuilds() {
        Map<Long, String> files = new LinkedHashMap<>();
        for (SegmentIndex b : indexes.builds(IndexState.Unissued)) {
            String f = SegmentPaths.indexFilePrefix(b.getBuildId(), 1, PART, b.getSegmentId()) + "index";
            store.put(f, new byte[32]);
            indexes.finish(b.getBuildId(), List.of(f), 32);
            files.put(b.getSegmentId(), f);
        }
        return files;
    }

    @Test
    void indexFilesOfCollectedSegmentsAndDroppedIndexesGo() {
        writeSegment(60, 1, SegmentState.FLUSHED);
        writeSegment(61, 1, SegmentState.FLUSHED);
        writeSegment(62, 1, SegmentState.FLUSHED);
        createIndex("vec", 101);
        indexes.planBuilds(port.segments());
        Map<Long, String> files = finishBuilds(); // segment id -> index file
        drop(60, 0);
        clock.advance(DROP.plusSeconds(1));

        GarbageCollector.RoundReport r = gc.runOnce();

        assertThat(r.segments()).isEqualTo(1);
        assertThat(r.indexBuilds()).isEqualTo(1);
        assertThat(exists(files.get(60L))).isFalse();
        assertThat(exists(files.get(61L))).isTrue();
        assertThat(indexes.allBuilds()).extracting(SegmentIndex::getSegmentId).containsExactlyInAnyOrder(61L, 62L);

        port.inUse.add(62L);
        indexes.drop(COLL, "vec", 0);
        assertThat(indexes.finishedFor(COLL, List.of())).isEmpty();
        r = gc.runOnce();

        assertThat(r.indexBuilds()).isEqualTo(1);
        assertThat(exists(files.get(61L))).isFalse();
        assertThat(exists(files.get(62L))).isTrue(); // segment 62 is held by a querynode
        assertThat(indexes.isDropped(indexes.allBuilds().getFirst().getIndexId())).isTrue();

        port.inUse.clear();
        gc.runOnce();
        assertThat(indexes.allBuilds()).isEmpty();
        assertThat(exists(files.get(62L))).isFalse();
        assertThat(indexes.find(COLL, "", 0)).isEmpty();
        assertThat(kv.scan("q/datacoord/index/").kvs()).isEmpty(); // the dropped index record is purged with its builds
    }

    @Test
    void filesOfARunningBuildStayAndStaleAttemptsOfAFinishedOneGo() {
        writeSegment(70, 1, SegmentState.FLUSHED);
        createIndex("vec", 101);
        indexes.planBuilds(port.segments());
        SegmentIndex b = indexes.builds(IndexState.Unissued).getFirst();
        String attempt1 = SegmentPaths.indexFilePrefix(b.getBuildId(), 1, PART, 70) + "index";
        store.put(attempt1, new byte[7]);
        clock.advance(MISSING.plusMinutes(1));

        gc.runOnce();
        assertThat(exists(attempt1)).isTrue(); // still Unissued: an indexnode may be writing

        String attempt2 = SegmentPaths.indexFilePrefix(b.getBuildId(), 2, PART, 70) + "index";
        store.put(attempt2, new byte[7]);
        indexes.finish(b.getBuildId(), List.of(attempt2), 7);
        clock.advance(MISSING.plusMinutes(1));
        gc.runOnce();

        assertThat(exists(attempt1)).isFalse();
        assertThat(exists(attempt2)).isTrue();
    }

    @Test
    void anInUseSupplierThatThrowsSkipsTheRound() {
        List<String> keys = writeSegment(80, 1, SegmentState.FLUSHED);
        String orphan = SegmentPaths.insertLog(COLL, PART, 81, 100, 1);
        store.put(orphan, new byte[1]);
        drop(80, 0);
        port.inUseFailure = new IllegalStateException("querycoord unavailable");
        clock.advance(MISSING.plus(DROP));

        GarbageCollector.RoundReport r = gc.runOnce();

        assertThat(r.wasSkipped()).isTrue();
        assertThat(r.skipped()).contains("querycoord unavailable");
        assertThat(keys).allMatch(this::exists);
        assertThat(exists(orphan)).isTrue();
        assertThat(port.removed).isEmpty();
        assertThat(gc.skippedRoundsTotal()).isEqualTo(1);
    }

    @Test
    void anUnreadableLiveManifestSkipsTheRound() {
        List<String> keys = writeSegment(90, 1, SegmentState.FLUSHED);
        store.delete(keys.get(3));
        String orphan = SegmentPaths.insertLog(COLL, PART, 91, 100, 1);
        store.put(orphan, new byte[1]);
        clock.advance(MISSING.plusMinutes(1));

        assertThat(gc.runOnce().wasSkipped()).isTrue();
        assertThat(exists(orphan)).isTrue();
        assertThat(keys.subList(0, 3)).allMatch(this::exists);
    }

    @Test
    void disabledDoesNothing() {
        GarbageCollector off = new GarbageCollector(port, indexes, store, clock, new GcConfig(false, Duration.ofSeconds(60), MISSING, DROP));
        String orphan = SegmentPaths.insertLog(COLL, PART, 91, 100, 1);
        store.put(orphan, new byte[1]);
        clock.advance(MISSING.plusMinutes(1));

        assertThat(off.runOnce().skipped()).isEqualTo("disabled");
        assertThat(exists(orphan)).isTrue();
    }
}
