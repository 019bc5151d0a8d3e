package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.IndexState;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.CreateIndexInternalRequest;
import io.quiver.proto.IndexDescription;
import io.quiver.proto.IndexInfo;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import io.quiver.storage.MetaKv;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntToLongFunction;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Index definitions ({@code <root>/datacoord/index/<coll>/<indexId>}) and per-segment builds
 * ({@code <root>/datacoord/segment-index/<coll>/<seg>/<buildId>}) (DESIGN section 10).
 *
 * <p>Every flushed L1 segment of a collection with an index gets a build record: segments too small to be
 * worth an index (below {@code minRowsToIndex}) and FLAT indexes need no files and are recorded Finished at
 * once (search on them is exact); others become build tasks that {@link IndexScheduler} hands to indexnodes.
 */
@ThreadSafe
public final class IndexManager {
    private static final Logger LOG = LoggerFactory.getLogger(IndexManager.class);
    static final int MAX_RETRIES = 3;

    private final MetaKv kv;
    private final String prefix;
    private final IntToLongFunction ids;
    private final InstantSource clock;
    private final int minRowsToIndex;
    @GuardedBy("this") private final Map<Long, IndexInfo> indexes = new HashMap<>();
    @GuardedBy("this") private final Map<Long, SegmentIndex> builds = new HashMap<>();

    public IndexManager(MetaKv kv, String root, IntToLongFunction ids, InstantSource clock, int minRowsToIndex) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/datacoord/";
        this.ids = requireNonNull(ids, "ids is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.minRowsToIndex = minRowsToIndex;
        for (var e : kv.scan(prefix + "index/").kvs()) {
            IndexInfo i = parse(e.value(), IndexInfo.parser());
            indexes.put(i.getIndexId(), i);
        }
        for (var e : kv.scan(prefix + "segment-index/").kvs()) {
            SegmentIndex s = parse(e.value(), SegmentIndex.parser());
            if (s.getState() == IndexState.InProgress) {
                s = s.toBuilder().setState(IndexState.Unissued).build(); // the node may be gone: re-issue
            }
            builds.put(s.getBuildId(), s);
        }
    }

    private static <T> T parse(byte[] b, com.google.protobuf.Parser<T> p) {
        try {
            return p.parseFrom(b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt index record", e);
        }
    }

    public static String param(List<KeyValuePair> kvs, String key) {
        for (KeyValuePair kv : kvs) {
            if (kv.getKey().equalsIgnoreCase(key)) {
                return kv.getValue();
            }
        }
        return null;
    }

    public synchronized void create(CreateIndexInternalRequest r) {
        for (IndexInfo i : indexes.values()) {
            if (i.getCollectionId() != r.getCollectionId() || i.getDeleted()) {
                continue;
            }
            if (i.getFieldId() == r.getFieldId()) {
                if (i.getIndexName().equals(r.getIndexName()) && i.getIndexParamsList().equals(r.getIndexParamsList())) {
                    return; // same index again: idempotent, as Milvus
                }
                throw new QuiverException(ErrorCode.INDEX_DUPLICATE, "at most one distinct index is allowed per field, field "
                        + r.getFieldName() + " already has index " + i.getIndexName());
            }
            if (i.getIndexName().equals(r.getIndexName())) {
                throw new QuiverException(ErrorCode.INDEX_DUPLICATE, "index name " + r.getIndexName() + " is used by field " + i.getFieldName());
            }
        }
        IndexInfo info = IndexInfo.newBuilder()
                .setIndexId(ids.applyAsLong(1))
                .setCollectionId(r.getCollectionId())
                .setFieldId(r.getFieldId())
                .setFieldName(r.getFieldName())
                .setIndexName(r.getIndexName())
                .addAllIndexParams(r.getIndexParamsList())
                .addAllUserParams(r.getUserParamsList())
                .setIsVector(r.getIsVector())
                .setCreateTs(clock.millis())
                .build();
        kv.put(prefix + "index/" + info.getCollectionId() + "/" + info.getIndexId(), info.toByteArray());
        indexes.put(info.getIndexId(), info);
        LOG.info("index created collectionId={} field={} index={} params={}", r.getCollectionId(), r.getFieldName(), r.getIndexName(), r.getIndexParamsList());
    }

    public synchronized List<IndexInfo> find(long collectionId, String indexName, long fieldId) {
        return indexes.values().stream()
                .filter(i -> i.getCollectionId() == collectionId && !i.getDeleted())
                .filter(i -> indexName.isEmpty() || i.getIndexName().equals(indexName))
                .filter(i -> fieldId == 0 || i.getFieldId() == fieldId)
                .toList();
    }

    public synchronized void drop(long collectionId, String indexName, long fieldId) {
        List<IndexInfo> found = find(collectionId, indexName, fieldId);
        if (found.isEmpty()) {
            return;
        }
        if (found.size() > 1 && indexName.isEmpty()) {
            throw QuiverException.invalid("there are multiple indexes, please specify the index_name");
        }
        for (IndexInfo i : found) {
            removeIndex(i);
        }
    }

    /**
     * Marks the index deleted: it disappears from every answer at once, but its record and build records stay
     * until {@link GarbageCollector} has removed the build files ({@link #removeBuild}, {@link #purgeDroppedIndexes}).
     */
    private void removeIndex(IndexInfo i) {
        IndexInfo deleted = i.toBuilder().setDeleted(true).build();
        kv.put(prefix + "index/" + i.getCollectionId() + "/" + i.getIndexId(), deleted.toByteArray());
        indexes.put(i.getIndexId(), deleted);
    }

    private boolean live(SegmentIndex b) {
        IndexInfo i = indexes.get(b.getIndexId());
        return i != null && !i.getDeleted();
    }

    public synchronized void dropCollection(long collectionId) {
        for (IndexInfo i : List.copyOf(indexes.values())) {
            if (i.getCollectionId() == collectionId && !i.getDeleted()) {
                removeIndex(i);
            }
        }
    }

    private void deleteBuild(SegmentIndex b) {
        kv.delete(buildKey(b));
        builds.remove(b.getBuildId());
    }

    private String buildKey(SegmentIndex b) {
        return prefix + "segment-index/" + b.getCollectionId() + "/" + b.getSegmentId() + "/" + b.getBuildId();
    }

    private void save(SegmentIndex b) {
        kv.put(buildKey(b), b.toByteArray());
        builds.put(b.getBuildId(), b);
    }

    static boolean needsBuild(IndexInfo i) {
        if (!i.getIsVector()) {
            return false;
        }
        String t = Objects.requireNonNullElse(param(i.getIndexParamsList(), "index_type"), "");
        return !t.equals("FLAT") && !t.equals("BIN_FLAT");
    }

    /** Creates build records for flushed segments that have none; returns new tasks to schedule. */
    public synchronized void planBuilds(List<SegmentInfo> segments) {
        for (IndexInfo i : indexes.values()) {
            if (i.getDeleted()) {
                continue;
            }
            for (SegmentInfo s : segments) {
                if (s.getCollectionId() != i.getCollectionId() || s.getState() != SegmentState.FLUSHED || s.getLevel() != SegmentLevel.L1) {
                    continue;
                }
                boolean exists = builds.values().stream().anyMatch(b -> b.getIndexId() == i.getIndexId() && b.getSegmentId() == s.getSegmentId());
                if (exists) {
                    continue;
                }
                boolean build = needsBuild(i) && s.getNumRows() >= minRowsToIndex;
                SegmentIndex b = SegmentIndex.newBuilder()
                        .setBuildId(ids.applyAsLong(1))
                        .setSegmentId(s.getSegmentId())
                        .setCollectionId(s.getCollectionId())
                        .setPartitionId(s.getPartitionId())
                        .setIndexId(i.getIndexId())
                        .setNumRows(s.getNumRows())
                        .setState(build ? IndexState.Unissued : IndexState.Finished)
                        .setCreateMs(clock.millis())
                        .build();
                save(b);
            }
        }
    }

    /**
     * Forgets builds of segments that no longer exist, without deleting their files. Superseded by
     * {@link GarbageCollector}, which deletes the files first; files left behind by this call are removed by its
     * orphan pass after {@code dataCoord.gc.missingTolerance}.
     */
    public synchronized void retainSegments(Set<Long> liveSegments) {
        for (SegmentIndex b : List.copyOf(builds.values())) {
            if (!liveSegments.contains(b.getSegmentId())) {
                deleteBuild(b);
            }
        }
    }

    /** Builds in {@code state} of indexes that are not dropped. */
    public synchronized List<SegmentIndex> builds(IndexState state) {
        return builds.values().stream().filter(b -> b.getState() == state && live(b)).toList();
    }

    /** Every build record, of dropped indexes too (garbage collection). */
    public synchronized List<SegmentIndex> allBuilds() {
        return List.copyOf(builds.values());
    }

    /** True when the index is dropped (or unknown): its builds are garbage. */
    public synchronized boolean isDropped(long indexId) {
        IndexInfo i = indexes.get(indexId);
        return i == null || i.getDeleted();
    }

    /** Forgets one build record (its files are already deleted). */
    public synchronized void removeBuild(long buildId) {
        SegmentIndex b = builds.get(buildId);
        if (b != null) {
            deleteBuild(b);
        }
    }

    /** Removes the records of dropped indexes whose builds are all gone; returns how many. */
    public synchronized int purgeDroppedIndexes() {
        int n = 0;
        for (IndexInfo i : List.copyOf(indexes.values())) {
            if (i.getDeleted() && builds.values().stream().noneMatch(b -> b.getIndexId() == i.getIndexId())) {
                kv.delete(prefix + "index/" + i.getCollectionId() + "/" + i.getIndexId());
                indexes.remove(i.getIndexId());
                n++;
            }
        }
        return n;
    }

    public synchronized IndexInfo index(long indexId) {
        return indexes.get(indexId);
    }

    public synchronized void markIssued(long buildId, long nodeId, long version) {
        SegmentIndex b = builds.get(buildId);
        if (b != null) {
            save(b.toBuilder().setState(IndexState.InProgress).setNodeId(nodeId).setVersion(version).build());
        }
    }

    public synchronized void finish(long buildId, List<String> files, long size) {
        SegmentIndex b = builds.get(buildId);
        if (b != null) {
            save(b.toBuilder().setState(IndexState.Finished).clearIndexFiles().addAllIndexFiles(files).setIndexSize(size).build());
            LOG.info("index build finished buildId={} segmentId={} files={}", buildId, b.getSegmentId(), files.size());
        }
    }

    /** A failed or lost build: retried up to {@link #MAX_RETRIES} times, then Failed with the reason. */
    public synchronized void fail(long buildId, String reason, boolean retriable) {
        SegmentIndex b = builds.get(buildId);
        if (b == null) {
            return;
        }
        int retries = b.getRetries() + 1;
        boolean giveUp = !retriable || retries > MAX_RETRIES;
        save(b.toBuilder().setState(giveUp ? IndexState.Failed : IndexState.Unissued).setRetries(retries).setFailReason(reason).build());
        LOG.warn("index build failed buildId={} segmentId={} retries={} final={} reason={}", buildId, b.getSegmentId(), retries, giveUp, reason);
    }

    public synchronized List<SegmentIndex> finishedFor(long collectionId, List<Long> segmentIds) {
        return builds.values().stream()
                .filter(b -> b.getCollectionId() == collectionId && b.getState() == IndexState.Finished)
                .filter(b -> segmentIds.isEmpty() || segmentIds.contains(b.getSegmentId()))
                .filter(this::live)
                .toList();
    }

    /** DescribeIndex: rows and state over the collection's flushed segments. */
    public synchronized List<IndexDescription> describe(long collectionId, String indexName, long fieldId, List<SegmentInfo> segments) {
        List<IndexInfo> found = find(collectionId, indexName, fieldId);
        if (found.isEmpty()) {
            throw new QuiverException(ErrorCode.INDEX_NOT_FOUND, indexName.isEmpty() ? "collection has no index" : "index " + indexName);
        }
        List<IndexDescription> out = new ArrayList<>();
        for (IndexInfo i : found) {
            long total = 0;
            long indexed = 0;
            boolean pending = false;
            String failReason = "";
            for (SegmentInfo s : segments) {
                if (s.getLevel() != SegmentLevel.L1 || s.getState() == SegmentState.DROPPED) {
                    continue;
                }
                long rows = s.getState() == SegmentState.FLUSHED ? s.getNumRows() : Math.max(s.getNumRows(), s.getAssignedRows());
                total += rows;
                if (s.getState() != SegmentState.FLUSHED) {
                    continue;
                }
                SegmentIndex b = builds.values().stream().filter(x -> x.getIndexId() == i.getIndexId() && x.getSegmentId() == s.getSegmentId())
                        .findFirst().orElse(null);
                if (b == null || b.getState() == IndexState.Unissued || b.getState() == IndexState.InProgress) {
                    pending = true;
                } else if (b.getState() == IndexState.Failed) {
                    failReason = b.getFailReason();
                } else if (b.getState() == IndexState.Finished) {
                    indexed += s.getNumRows();
                }
            }
            IndexState state = !failReason.isEmpty() ? IndexState.Failed : pending ? IndexState.InProgress : IndexState.Finished;
            out.add(IndexDescription.newBuilder().setIndex(i).setTotalRows(total).setIndexedRows(indexed)
                    .setPendingIndexRows(Math.max(0, total - indexed)).setState(state).setFailReason(failReason).build());
        }
        return out;
    }
}
