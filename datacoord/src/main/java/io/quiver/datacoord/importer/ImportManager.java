package io.quiver.datacoord.importer;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.datacoord.SegmentManager;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.ImportFileGroup;
import io.quiver.proto.ImportFileProgress;
import io.quiver.proto.ImportInternalRequest;
import io.quiver.proto.ImportJobInfo;
import io.quiver.proto.ImportJobState;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.SegmentInfo;
import io.quiver.storage.MetaKv;
import io.quiver.storage.ObjectStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulk import jobs (issue 15), run by datacoord: a job reads its files from the object store, writes their rows as
 * flushed segments hidden behind the job id ({@link ImportSegmentWriter}), waits until the index of every segment is
 * built, then publishes them all in one MetaKv transaction (Completed). A failure drops the job's segments (garbage
 * collection removes their files) and records the reason. Jobs live in MetaKv under {@code datacoord/import-job/};
 * one left unfinished by a restart fails ("interrupted") and is cleaned the same way. Finished jobs are forgotten
 * after Milvus' task retention (3 hours).
 *
 * <p>Why datacoord and not a datanode: the import writes no WAL and needs only the object store, the id allocator,
 * the TSO and the segment meta, all of which datacoord holds; a datanode would add a plan/result protocol like
 * compaction's for no gain in a process that already runs index scheduling (docs/architecture.md, Bulk import).
 */
public final class ImportManager {
    private static final Logger LOG = LoggerFactory.getLogger(ImportManager.class);
    /** Milvus' {@code dataCoord.import.maxImportJobNum}. */
    public static final int MAX_ACTIVE_JOBS = 1024;
    /** Milvus' {@code dataCoord.import.taskRetention}. */
    public static final Duration RETENTION = Duration.ofSeconds(10800);
    private static final int BATCH_ROWS = 8192;

    private final MetaKv kv;
    private final String prefix;
    private final ObjectStore store;
    private final SegmentManager segments;
    private final IntToLongFunction ids;
    private final LongSupplier tso;
    private final Predicate<SegmentInfo> indexed;
    private final InstantSource clock;
    private final Executor executor;
    private final Map<Long, ImportJobInfo> jobs = new ConcurrentHashMap<>();
    private final Map<Long, CollectionInfo> collections = new ConcurrentHashMap<>();

    public record Ports(SegmentManager segments, IntToLongFunction ids, LongSupplier tso, Predicate<SegmentInfo> indexed) {}

    public ImportManager(MetaKv kv, String root, ObjectStore store, Ports ports, InstantSource clock, Executor executor) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/datacoord/import-job/";
        this.store = requireNonNull(store, "store is null");
        this.segments = requireNonNull(ports.segments(), "segments is null");
        this.ids = requireNonNull(ports.ids(), "ids is null");
        this.tso = requireNonNull(ports.tso(), "tso is null");
        this.indexed = requireNonNull(ports.indexed(), "indexed is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.executor = requireNonNull(executor, "executor is null");
    }

    /** Loads the jobs; one a restart interrupted fails and its segments are dropped. */
    public void load() {
        for (MetaKv.KeyValue e : kv.scan(prefix).kvs()) {
            ImportJobInfo j = parse(e.value());
            if (!terminal(j.getState())) {
                j = fail(j, "import interrupted: datacoord restarted while the job ran");
            }
            jobs.put(j.getJobId(), j);
        }
    }

    /** Checks and records a new job (Pending) and starts it; returns the job. */
    public ImportJobInfo create(ImportInternalRequest req) {
        ImportFiles.check(req.getFilesList());
        long deadlineMs = deadline(req.getOptionsList());
        if (jobs.values().stream().filter(j -> !terminal(j.getState())).count() >= MAX_ACTIVE_JOBS) {
            throw QuiverException.of(ErrorCode.IMPORT_FAILED, "The number of jobs has reached the limit, please try again later."
                    + " If your request is set to only import a single file, please consider importing multiple files in one request"
                    + " for better efficiency.");
        }
        CollectionInfo c = req.getCollection();
        ImportJobInfo.Builder j = ImportJobInfo.newBuilder().setJobId(ids.applyAsLong(1)).setCollectionId(c.getCollectionId())
                .setCollectionName(c.getName()).setDbName(c.getDbName()).setPartitionId(req.getPartitionId())
                .setState(ImportJobState.IMPORT_PENDING).setCreateMs(clock.millis()).setCreateTs(tso.getAsLong()).setDeadlineMs(deadlineMs);
        for (ImportFileGroup g : req.getFilesList()) {
            j.addFiles(ImportFileProgress.newBuilder().setFile(g));
        }
        ImportJobInfo job = j.build();
        collections.put(job.getJobId(), c);
        save(job);
        executor.execute(() -> run(job.getJobId()));
        return job;
    }

    private long deadline(List<KeyValuePair> options) {
        long deadline = 0;
        for (KeyValuePair o : options) {
            if (o.getKey().equals("timeout")) {
                deadline = clock.millis() + ImportOptions.timeout(o.getValue()).toMillis();
            } else {
                throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "import option '%s' is not supported (supported: timeout)", o.getKey());
            }
        }
        return deadline;
    }

    public ImportJobInfo get(long jobId) {
        return jobs.get(jobId);
    }

    /** Jobs of a collection (all with id 0), newest first, at most {@code limit} (0 = all). */
    public List<ImportJobInfo> list(long collectionId, long limit) {
        List<ImportJobInfo> out = jobs.values().stream().filter(j -> collectionId == 0 || j.getCollectionId() == collectionId)
                .sorted(Comparator.comparingLong(ImportJobInfo::getJobId).reversed()).toList();
        return limit > 0 && out.size() > limit ? out.subList(0, (int) limit) : out;
    }

    /** Fraction of a job's segments whose index is built (what IndexBuilding waits for). */
    public double indexedFraction(ImportJobInfo job) {
        if (job.getSegmentIdsCount() == 0) {
            return 1;
        }
        long done = job.getSegmentIdsList().stream().map(segments::get).filter(s -> s != null && indexed.test(s)).count();
        return (double) done / job.getSegmentIdsCount();
    }

    /**
     * One round of the datacoord loop: publishes jobs whose segments are all indexed (Completed), fails jobs past their
     * timeout, forgets finished jobs older than the retention.
     */
    public void tick() {
        long now = clock.millis();
        for (ImportJobInfo j : List.copyOf(jobs.values())) {
            if (j.getState() == ImportJobState.IMPORT_INDEX_BUILDING && indexedFraction(j) >= 1) {
                segments.publishImport(j.getJobId());
                save(j.toBuilder().setState(ImportJobState.IMPORT_COMPLETED).setCompleteMs(now).build());
                LOG.info("event=import_completed jobId={} collectionId={} rows={} segments={}", j.getJobId(), j.getCollectionId(),
                        ImportProgress.importedRows(j), j.getSegmentIdsCount());
            } else if (!terminal(j.getState()) && j.getDeadlineMs() > 0 && now > j.getDeadlineMs()) {
                fail(j, "import timeout");
            } else if (terminal(j.getState()) && now - Math.max(j.getCompleteMs(), j.getCreateMs()) > RETENTION.toMillis()) {
                kv.delete(prefix + j.getJobId());
                jobs.remove(j.getJobId());
            }
        }
    }

    private void run(long jobId) {
        try {
            ImportJobInfo job = preImport(jobs.get(jobId));
            job = importRows(job);
            if (!terminal(jobs.get(jobId).getState())) {
                save(job.toBuilder().setState(ImportJobState.IMPORT_INDEX_BUILDING).build());
            }
        } catch (RuntimeException | LinkageError e) { // a missing class must fail the job, not leave it Importing forever
            String reason = e instanceof QuiverException q && q.errorCode() == ErrorCode.IMPORT_FAILED ? q.getMessage()
                    : ErrorCode.IMPORT_FAILED.message() + ": " + e.getMessage();
            LOG.warn("event=import_failed jobId={} reason={}", jobId, reason);
            ImportJobInfo cur = jobs.get(jobId);
            if (cur != null && !terminal(cur.getState())) {
                fail(cur, reason);
            }
        } finally {
            collections.remove(jobId);
        }
    }

    /** Opens every file group (schema checks, row counts, sizes) before anything is written. */
    private ImportJobInfo preImport(ImportJobInfo job) {
        job = save(job.toBuilder().setState(ImportJobState.IMPORT_PRE_IMPORTING).build());
        CollectionInfo c = collections.get(job.getJobId());
        ImportBatch batch = new ImportBatch(c.getSchema());
        for (int i = 0; i < job.getFilesCount(); i++) {
            ImportFileProgress f = job.getFiles(i);
            long size = 0;
            for (String p : f.getFile().getPathsList()) {
                long s = store.stat(p).orElseThrow(() -> ImportColumn.failed("file %s does not exist", p)).size();
                if (s > ImportFiles.MAX_FILE_BYTES) {
                    throw ImportColumn.failed("file %s is %d bytes, larger than the limit of %d", p, s, ImportFiles.MAX_FILE_BYTES);
                }
                size += s;
            }
            try (ImportReader r = open(f.getFile(), batch)) {
                job = save(job.toBuilder().setFiles(i, f.toBuilder().setFileSize(size).setTotalRows(r.totalRows())
                        .setState(ImportJobState.IMPORT_PRE_IMPORTING)).build());
            }
        }
        return job;
    }

    private ImportJobInfo importRows(ImportJobInfo job) {
        long ts = tso.getAsLong();
        job = save(job.toBuilder().setState(ImportJobState.IMPORT_IMPORTING).setImportTs(ts).build());
        CollectionInfo c = collections.get(job.getJobId());
        List<Long> partitions = job.getPartitionId() != 0 ? List.of(job.getPartitionId())
                : c.getPartitionsList().stream().map(PartitionInfo::getPartitionId).toList();
        List<SegmentInfo> written = new ArrayList<>();
        ImportSegmentWriter writer = new ImportSegmentWriter(store, c, partitions, ids,
                new ImportSegmentWriter.Params(job.getJobId(), ts, segments.maxRows(c.getCollectionId()), clock.millis()), s -> {
                    segments.addImported(List.of(s));
                    written.add(s);
                });
        ImportBatch batch = new ImportBatch(c.getSchema());
        for (int i = 0; i < job.getFilesCount(); i++) {
            ImportFileProgress f = job.getFiles(i);
            long done = 0;
            try (ImportReader r = open(f.getFile(), batch)) {
                int n;
                while ((n = r.read(batch, BATCH_ROWS)) > 0) {
                    checkRunning(job.getJobId());
                    writer.add(batch.drain(), n);
                    done += n;
                    job = jobs.get(job.getJobId()).toBuilder().setFiles(i, f.toBuilder().setImportedRows(done)
                            .setState(ImportJobState.IMPORT_IMPORTING)).build();
                    jobs.put(job.getJobId(), job); // progress in memory; the record is saved per file
                }
            }
            job = save(job.toBuilder().setFiles(i, job.getFiles(i).toBuilder().setImportedRows(done)
                    .setState(ImportJobState.IMPORT_COMPLETED).setCompleteMs(clock.millis())).build());
        }
        writer.finish();
        return save(jobs.get(job.getJobId()).toBuilder().addAllSegmentIds(written.stream().map(SegmentInfo::getSegmentId).toList()).build());
    }

    private void checkRunning(long jobId) {
        ImportJobInfo cur = jobs.get(jobId);
        if (cur == null || terminal(cur.getState())) {
            throw ImportColumn.failed("job %d stopped: %s", jobId, cur == null ? "gone" : cur.getReason());
        }
    }

    private ImportReader open(ImportFileGroup g, ImportBatch batch) {
        return switch (ImportFiles.type(g)) {
            case PARQUET -> new ParquetReader(store, g.getPaths(0), batch);
            case JSON -> new JsonRowsReader(g.getPaths(0), () -> store.get(g.getPaths(0)));
            case NUMPY -> new NumpyReader(store, g.getPathsList(), batch);
        };
    }

    private ImportJobInfo fail(ImportJobInfo j, String reason) {
        int dropped = segments.dropImport(j.getJobId());
        LOG.info("event=import_cleaned jobId={} droppedSegments={}", j.getJobId(), dropped);
        return save(j.toBuilder().setState(ImportJobState.IMPORT_FAILED).setReason(reason).setCompleteMs(clock.millis()).build());
    }

    private synchronized ImportJobInfo save(ImportJobInfo j) {
        ImportJobInfo cur = jobs.get(j.getJobId());
        if (cur != null && terminal(cur.getState()) && !terminal(j.getState())) {
            return cur; // a failure (timeout) already ended the job: the runner's late progress is not written back
        }
        kv.put(prefix + j.getJobId(), j.toByteArray());
        jobs.put(j.getJobId(), j);
        return j;
    }

    static boolean terminal(ImportJobState s) {
        return s == ImportJobState.IMPORT_COMPLETED || s == ImportJobState.IMPORT_FAILED;
    }

    private static ImportJobInfo parse(byte[] b) {
        try {
            return ImportJobInfo.parseFrom(b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt import job record", e);
        }
    }
}
