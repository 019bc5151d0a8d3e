package io.quiver.datacoord.importer;

import static io.quiver.datacoord.importer.ImportTestData.collection;
import static io.quiver.datacoord.importer.ImportTestData.float32s;
import static io.quiver.datacoord.importer.ImportTestData.int64s;
import static io.quiver.datacoord.importer.ImportTestData.jsonRows;
import static io.quiver.datacoord.importer.ImportTestData.npy;
import static io.quiver.datacoord.importer.ImportTestData.unicode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.KeyValuePair;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.JsonColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.error.QuiverException;
import io.quiver.datacoord.SegmentManager;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.ImportFileGroup;
import io.quiver.proto.ImportInternalRequest;
import io.quiver.proto.ImportJobInfo;
import io.quiver.proto.ImportJobState;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SegmentState;
import io.quiver.storage.LocalMetaKv;
import io.quiver.storage.LocalObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportManagerTest {
    @TempDir
    Path tmp;

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    private final AtomicLong ids = new AtomicLong(1000);
    private final AtomicBoolean indexed = new AtomicBoolean(false);
    private LocalMetaKv kv;
    private LocalObjectStore store;
    private SegmentManager segments;
    private ImportManager imports;

    @BeforeEach
    void setUp() {
        kv = new LocalMetaKv(tmp.resolve("meta"));
        store = new LocalObjectStore(tmp.resolve("data"));
        segments = new SegmentManager(kv, "q", n -> ids.getAndAdd(n), () -> now.get() << 18, clock,
                new SegmentManager.SealPolicy(64L << 10, Duration.ofMinutes(10), Duration.ofMinutes(1), 0.2), (ch, segs, ts) -> {});
        imports = manager();
    }

    private ImportManager manager() {
        return new ImportManager(kv, "q", store, new ImportManager.Ports(segments, n -> ids.getAndAdd(n), () -> now.get() << 18,
                s -> indexed.get()), clock, Runnable::run);
    }

    @AfterEach
    void tearDown() throws Exception {
        kv.close();
    }

    private ImportJobInfo run(CollectionInfo c, List<String>... groups) {
        ImportInternalRequest.Builder r = ImportInternalRequest.newBuilder().setCollection(c).setPartitionId(10);
        for (List<String> g : groups) {
            r.addFiles(ImportFileGroup.newBuilder().addAllPaths(g));
        }
        return imports.get(imports.create(r.build()).getJobId());
    }

    private long visibleRows() {
        return segments.visibleSegments(7).stream().filter(s -> s.getState() == SegmentState.FLUSHED).mapToLong(SegmentInfo::getNumRows).sum();
    }

    @Test
    void jsonRowsBecomeHiddenSegmentsPublishedOnceIndexed() {
        store.put("in/rows.json", jsonRows(100, 1, true));
        ImportJobInfo job = run(collection(false), List.of("in/rows.json"));
        assertThat(job.getState()).isEqualTo(ImportJobState.IMPORT_INDEX_BUILDING);
        assertThat(ImportProgress.importedRows(job)).isEqualTo(100);
        assertThat(ImportProgress.totalRows(job)).isEqualTo(100);
        assertThat(ImportProgress.percent(job, imports.indexedFraction(job))).isEqualTo(80);
        assertThat(job.getSegmentIdsCount()).isEqualTo(2); // one per shard
        assertThat(visibleRows()).isZero();
        assertThat(segments.rowCount(7, List.of())).isZero();

        imports.tick();
        assertThat(imports.get(job.getJobId()).getState()).isEqualTo(ImportJobState.IMPORT_INDEX_BUILDING);
        indexed.set(true);
        imports.tick();
        ImportJobInfo done = imports.get(job.getJobId());
        assertThat(done.getState()).isEqualTo(ImportJobState.IMPORT_COMPLETED);
        assertThat(ImportProgress.percent(done, 1)).isEqualTo(100);
        assertThat(visibleRows()).isEqualTo(100);

        Set<Long> pks = new HashSet<>();
        for (SegmentInfo s : segments.visibleSegments(7)) {
            SegmentManifest m = manifest(s);
            LongColumn pk = (LongColumn) column(m, 100, new LongColumn(100, io.milvus.grpc.DataType.Int64, false));
            LongColumn ts = (LongColumn) column(m, 1, new LongColumn(1, io.milvus.grpc.DataType.Int64, false));
            JsonColumn meta = (JsonColumn) column(m, 104, new JsonColumn(104, false));
            for (int i = 0; i < pk.size(); i++) {
                pks.add(pk.get(i));
                assertThat(ts.get(i)).isEqualTo(job.getImportTs());
                assertThat(new String(meta.get(i), StandardCharsets.UTF_8)).isEqualTo("{\"color\":\"red\"}");
            }
        }
        assertThat(pks).hasSize(100).contains(1L, 100L);
    }

    private SegmentManifest manifest(SegmentInfo s) {
        try {
            return SegmentManifest.parseFrom(store.get(s.getManifestPath()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private FieldColumn column(SegmentManifest m, long fieldId, FieldColumn into) {
        FieldBinlog fb = m.getBinlogsList().stream().filter(b -> b.getFieldId() == fieldId).findFirst().orElseThrow();
        BinlogCodec.readInto(store.get(fb.getBinlogs(0).getPath()), into);
        return into;
    }

    @Test
    void autoIdKeysComeFromTheAllocator() {
        store.put("in/rows.json", jsonRows(10, 0, false));
        ImportJobInfo job = run(collection(true), List.of("in/rows.json"));
        assertThat(job.getState()).isEqualTo(ImportJobState.IMPORT_INDEX_BUILDING);
        assertThat(ImportProgress.importedRows(job)).isEqualTo(10);
    }

    @Test
    void numpyFilesOnePerField() {
        store.put("np/id.npy", npy("<i8", "(3,)", int64s(1, 2, 3)));
        store.put("np/vec.npy", npy("<f4", "(3, 4)", float32s(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)));
        store.put("np/name.npy", npy("<U3", "(3,)", unicode(3, "a", "bb", "ccc")));
        ImportJobInfo job = run(collection(false), List.of("np/id.npy", "np/vec.npy", "np/name.npy"));
        assertThat(job.getReason()).isEmpty();
        assertThat(ImportProgress.importedRows(job)).isEqualTo(3);
    }

    @Test
    void failuresNameTheProblemAndLeaveNothingBehind() {
        store.put("bad/missing.json", "[{\"id\": 1, \"name\": \"x\"}]".getBytes(StandardCharsets.UTF_8));
        assertFailed(run(collection(false), List.of("bad/missing.json")), "importing data failed: value of field 'vec' is missed");

        store.put("bad/dim.json", "[{\"id\": 1, \"vec\": [1, 2], \"name\": \"x\"}]".getBytes(StandardCharsets.UTF_8));
        assertFailed(run(collection(false), List.of("bad/dim.json")), "dimension mismatch for field 'vec': expected 4, got 2");

        store.put("bad/auto.json", jsonRows(3, 1, true));
        assertFailed(run(collection(true), List.of("bad/auto.json")), "the primary key 'id' is auto-generated, no need to provide");

        store.put("bad/type.json", "[{\"id\": \"one\", \"vec\": [1,2,3,4], \"name\": \"x\"}]".getBytes(StandardCharsets.UTF_8));
        assertFailed(run(collection(false), List.of("bad/type.json")), "expect 'Int64' type for field 'id', but got 'VarChar' type");

        store.put("np2/id.npy", npy("<i8", "(1,)", int64s(1)));
        store.put("np2/vec.npy", npy("<f4", "(1, 4)", float32s(1, 2, 3, 4)));
        store.put("np2/name.npy", npy("<U1", "(1,)", unicode(1, "a")));
        store.put("np2/extra.npy", npy("<i8", "(1,)", int64s(1)));
        assertFailed(run(collection(false), List.of("np2/id.npy", "np2/vec.npy", "np2/name.npy", "np2/extra.npy")),
                "the field: extra is not in schema");
        assertFailed(run(collection(false), List.of("np2/id.npy", "np2/vec.npy")), "no file for field: name");
        assertFailed(run(collection(false), List.of("nowhere.json")), "file nowhere.json does not exist");
        assertThat(visibleRows()).isZero();
        assertThat(segments.all()).allMatch(s -> s.getState() == SegmentState.DROPPED);
    }

    @Test
    void aFailureAfterSegmentsWereWrittenDropsThem() {
        StringBuilder rows = new StringBuilder("[");
        for (int i = 0; i < 9000; i++) {
            rows.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"vec\":[1,2,3,4],\"name\":\"x\"}");
        }
        rows.append(",{\"id\": 9000, \"vec\": [1], \"name\": \"x\"}]"); // the bad row is in the second batch
        store.put("late/rows.json", rows.toString().getBytes(StandardCharsets.UTF_8));
        CollectionInfo c = collection(false);
        segments.registerCollection(7, c.getSchema());
        ImportJobInfo job = run(c, List.of("late/rows.json"));
        assertFailed(job, "dimension mismatch");
        assertThat(segments.segments(7)).isNotEmpty(); // segments of the first batch were written before the bad row
        assertThat(visibleRows()).isZero();
        assertThat(segments.segments(7)).allMatch(s -> s.getState() == SegmentState.DROPPED);
    }

    private static void assertFailed(ImportJobInfo job, String reason) {
        assertThat(job.getState()).isEqualTo(ImportJobState.IMPORT_FAILED);
        assertThat(job.getReason()).contains(reason);
        assertThat(ImportProgress.percent(job, 0)).isZero();
    }

    @Test
    void requestChecks() {
        CollectionInfo c = collection(false);
        assertThatThrownBy(() -> imports.create(ImportInternalRequest.newBuilder().setCollection(c)
                .addFiles(ImportFileGroup.newBuilder().addPaths("a.csv2")).build()))
                .isInstanceOf(QuiverException.class).hasMessageContaining("unexpected file type, files=[a.csv2]");
        assertThatThrownBy(() -> imports.create(ImportInternalRequest.newBuilder().setCollection(c).build()))
                .hasMessageContaining("import request is empty");
        ImportInternalRequest.Builder many = ImportInternalRequest.newBuilder().setCollection(c);
        for (int i = 0; i <= ImportFiles.MAX_FILES; i++) {
            many.addFiles(ImportFileGroup.newBuilder().addPaths(i + ".json"));
        }
        assertThatThrownBy(() -> imports.create(many.build())).hasMessageContaining("should not exceed 1024");
        assertThatThrownBy(() -> imports.create(ImportInternalRequest.newBuilder().setCollection(c)
                .addFiles(ImportFileGroup.newBuilder().addPaths("a.json"))
                .addOptions(KeyValuePair.newBuilder().setKey("backup").setValue("true")).build()))
                .hasMessageContaining("import option 'backup' is not supported");
    }

    @Test
    void timeoutFailsTheJobAndRestartFailsUnfinishedJobs() {
        store.put("in/rows.json", jsonRows(5, 1, true));
        ImportJobInfo job = imports.create(ImportInternalRequest.newBuilder().setCollection(collection(false)).setPartitionId(10)
                .addFiles(ImportFileGroup.newBuilder().addPaths("in/rows.json"))
                .addOptions(KeyValuePair.newBuilder().setKey("timeout").setValue("2s")).build());
        assertThat(imports.get(job.getJobId()).getState()).isEqualTo(ImportJobState.IMPORT_INDEX_BUILDING);
        now.addAndGet(3000);
        imports.tick();
        assertFailed(imports.get(job.getJobId()), "import timeout");

        store.put("in/more.json", jsonRows(5, 100, true));
        ImportJobInfo second = run(collection(false), List.of("in/more.json"));
        assertThat(second.getState()).isEqualTo(ImportJobState.IMPORT_INDEX_BUILDING);
        ImportManager restarted = manager();
        restarted.load();
        assertFailed(restarted.get(second.getJobId()), "interrupted");
        assertThat(segments.segments(7)).allMatch(s -> s.getState() == SegmentState.DROPPED);

        now.addAndGet(ImportManager.RETENTION.toMillis() + 1);
        restarted.tick();
        assertThat(restarted.get(second.getJobId())).isNull();
    }
}
