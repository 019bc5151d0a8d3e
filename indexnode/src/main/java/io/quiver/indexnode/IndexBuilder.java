package io.quiver.indexnode;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.DataType;
import io.milvus.grpc.IndexState;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.common.column.ByteVectorColumn;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.SparseVectorColumn;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Params;
import io.quiver.common.schema.UnsupportedSettings;
import io.quiver.common.util.BackgroundPriority;
import io.quiver.index.HalfFloats;
import io.quiver.index.IndexParamException;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.SparseVectors;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import io.quiver.proto.CreateJobRequest;
import io.quiver.proto.JobResult;
import io.quiver.storage.ObjectStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs index builds: reads a field's binlogs, builds with index-core, uploads the index file. A fixed number
 * of slots bounds concurrent builds; results are kept until datacoord has read them (QueryJobs) or drops them.
 */
public final class IndexBuilder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexBuilder.class);
    public static final String INDEX_FILE = "index";

    private final ObjectStore store;
    private final int slots;
    private final int buildThreads;
    private final ExecutorService pool;
    private final AtomicInteger busy = new AtomicInteger();
    private final Map<Long, JobResult> results = new ConcurrentHashMap<>();
    private final IndexTaskMetrics metrics;

    public IndexBuilder(ObjectStore store, int slots, int buildThreads, IndexTaskMetrics metrics) {
        this.store = requireNonNull(store, "store is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.slots = Math.max(1, slots);
        this.buildThreads = buildThreads <= 0 ? Runtime.getRuntime().availableProcessors() : buildThreads;
        this.pool = Executors.newFixedThreadPool(this.slots, BackgroundPriority.threads("index-build"));
    }

    public int totalSlots() { return slots; }

    public int freeSlots() { return Math.max(0, slots - busy.get()); }

    public void submit(CreateJobRequest job) {
        if (results.containsKey(job.getBuildId())) {
            return; // duplicate submission: idempotent
        }
        if (busy.incrementAndGet() > slots) {
            busy.decrementAndGet();
            throw new QuiverException(ErrorCode.RESOURCE_INSUFFICIENT, "indexnode has no free build slot");
        }
        results.put(job.getBuildId(), JobResult.newBuilder().setBuildId(job.getBuildId()).setState(IndexState.InProgress).build());
        pool.execute(() -> {
            boolean ok = false;
            try {
                results.put(job.getBuildId(), build(job));
                ok = true;
            } catch (IndexParamException | QuiverException e) {
                results.put(job.getBuildId(), JobResult.newBuilder().setBuildId(job.getBuildId()).setState(IndexState.Failed)
                        .setFailReason(e.getMessage()).build());
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.warn("index build failed buildId={}: {}", job.getBuildId(), e.toString(), e);
                results.put(job.getBuildId(), JobResult.newBuilder().setBuildId(job.getBuildId()).setState(IndexState.Retry)
                        .setFailReason(e.toString()).build());
            } finally {
                metrics.task(ok);
                busy.decrementAndGet();
            }
        });
    }

    public JobResult result(long buildId) {
        return results.getOrDefault(buildId, JobResult.newBuilder().setBuildId(buildId).setState(IndexState.IndexStateNone)
                .setFailReason("unknown build").build());
    }

    public void drop(List<Long> buildIds) {
        buildIds.forEach(results::remove);
    }

    /** The index-core spec for Milvus index params (index_type, metric_type and build params). */
    public static IndexSpec spec(Map<String, String> params, int dim) {
        Map<String, String> p = new HashMap<>(params);
        String type = p.remove("index_type");
        String metric = p.remove("metric_type");
        p.remove(UnsupportedSettings.MMAP);
        if (type == null) {
            throw QuiverException.invalid("index_type is missing");
        }
        if (metric == null) {
            throw QuiverException.invalid("metric_type is missing");
        }
        return new IndexSpec(type, MetricType.parse(metric), dim, p);
    }

    private JobResult build(CreateJobRequest job) {
        long start = System.nanoTime();
        Map<String, String> params = Params.flatten(job.getIndexParamsList());
        IndexSpec spec = spec(params, job.getDim());
        VectorIndex index;
        if (job.getFieldType() == DataType.FloatVector) {
            FloatVectorColumn col = new FloatVectorColumn(job.getFieldId(), job.getDim());
            for (String path : job.getDataPathsList()) {
                BinlogCodec.readInto(store.get(path), col);
            }
            index = VectorIndexes.build(spec, col.array(), col.size(), buildThreads);
        } else if (job.getFieldType() == DataType.Float16Vector || job.getFieldType() == DataType.BFloat16Vector) {
            // half vectors stay 16-bit in the index (FLAT, IVF_FLAT, HNSW); the kernels widen them exactly
            ByteVectorColumn col = new ByteVectorColumn(job.getFieldId(), job.getFieldType(), job.getDim() * 2);
            for (String path : job.getDataPathsList()) {
                BinlogCodec.readInto(store.get(path), col);
            }
            HalfFloats.Kind kind = job.getFieldType() == DataType.Float16Vector ? HalfFloats.Kind.FLOAT16 : HalfFloats.Kind.BFLOAT16;
            index = VectorIndexes.buildHalf(spec, col.array(), kind, col.size(), buildThreads);
        } else if (job.getFieldType() == DataType.BinaryVector) {
            ByteVectorColumn col = new ByteVectorColumn(job.getFieldId(), DataType.BinaryVector, job.getDim() / 8);
            for (String path : job.getDataPathsList()) {
                BinlogCodec.readInto(store.get(path), col);
            }
            index = VectorIndexes.buildBinary(spec, col.array(), col.size(), buildThreads);
        } else if (job.getFieldType() == DataType.SparseFloatVector) {
            SparseVectorColumn col = new SparseVectorColumn(job.getFieldId());
            for (String path : job.getDataPathsList()) {
                BinlogCodec.readInto(store.get(path), col);
            }
            index = VectorIndexes.buildSparse(spec, SparseVectors.fromMilvusRows(col.rows(), col.size()));
        } else {
            throw QuiverException.invalid("index build for data type %s is not supported", job.getFieldType());
        }
        long built = System.nanoTime();
        metrics.buildSeconds((built - start) / 1e9);
        byte[] bytes = VectorIndexes.toBytes(index);
        String path = job.getIndexFilePrefix() + INDEX_FILE;
        store.put(path, bytes);
        metrics.saveSeconds((System.nanoTime() - built) / 1e9);
        LOG.info("index built buildId={} segmentId={} type={} rows={} bytes={} seconds={}", job.getBuildId(), job.getSegmentId(),
                spec.indexType(), index.size(), bytes.length, String.format("%.2f", (System.nanoTime() - start) / 1e9));
        return JobResult.newBuilder().setBuildId(job.getBuildId()).setState(IndexState.Finished).addIndexFiles(path)
                .setIndexSize(bytes.length).build();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
