package io.quiver.querynode;

import static java.util.Objects.requireNonNull;

import io.quiver.common.binlog.BinlogFormatException;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.util.Threads;
import io.quiver.proto.ApplyDeleteRequest;
import io.quiver.proto.ChannelDistribution;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.QnLoadSegmentsRequest;
import io.quiver.proto.QnWatchChannelRequest;
import io.quiver.proto.SegmentDistribution;
import io.quiver.proto.SegmentLoadInfo;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import io.quiver.proto.SyncDistributionRequest;
import io.quiver.storage.Wal;
import io.quiver.common.error.Statuses;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A querynode: shard leaders (one {@link ShardDelegator} per watched vchannel) and the sealed segments it holds
 * as a worker, within a memory budget that counts everything it holds (DESIGN section 14.6).
 */
public final class QueryNodeCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryNodeCore.class);

    private final long nodeId;
    private final Wal wal;
    private final SegmentLoader loader;
    private final RemoteWorkers remote;
    private final long memoryBudget;
    private final long maxWaitMs;
    private final Map<String, ShardDelegator> leaders = new ConcurrentHashMap<>();
    private final Map<Long, Segment> sealed = new ConcurrentHashMap<>();
    private final Map<Long, CollectionInfo> sealedCollections = new ConcurrentHashMap<>();
    private final Map<Long, String> sealedChannels = new ConcurrentHashMap<>();
    private final SegmentFanOut fanOut;
    private final LocalSearcher searcher;
    private final ExecutorService threads = Executors.newCachedThreadPool(Threads.daemon("querynode-shard"));

    public QueryNodeCore(long nodeId, Wal wal, SegmentLoader loader, RemoteWorkers remote, long memoryBudget, long maxWaitMs,
                         int searchThreads) {
        this.nodeId = nodeId;
        this.fanOut = new SegmentFanOut(searchThreads);
        this.searcher = new LocalSearcher(fanOut);
        this.wal = requireNonNull(wal, "wal is null");
        this.loader = requireNonNull(loader, "loader is null");
        this.remote = requireNonNull(remote, "remote is null");
        this.memoryBudget = memoryBudget > 0 ? memoryBudget : (long) (Runtime.getRuntime().maxMemory() * 0.7);
        this.maxWaitMs = maxWaitMs;
    }

    public long memoryUsed() {
        long b = 0;
        for (Segment s : sealed.values()) {
            b += s.ramBytesUsed();
        }
        for (ShardDelegator d : leaders.values()) {
            b += d.ramBytesUsed();
        }
        return b;
    }

    public long memoryBudget() { return memoryBudget; }

    public synchronized void watch(QnWatchChannelRequest r) {
        if (leaders.containsKey(r.getVchannel())) {
            return;
        }
        CollectionInfo c = r.getCollection();
        List<Segment> growing = new ArrayList<>();
        for (SegmentLoadInfo g : r.getGrowingSegmentsList()) {
            growing.add(loader.load(g, c.getSchema(), true));
        }
        ShardDelegator d = new ShardDelegator(c, r.getVchannel(), nodeId, wal, r.hasSeekPosition() ? r.getSeekPosition() : null,
                growing, r.getExcludedSegmentIdsList(), new HashSet<>(r.getPartitionIdsList()), remote, searcher, this::localSegments);
        for (SegmentLoadInfo l0 : r.getL0SegmentsList()) {
            loader.readDeletes(l0.getManifest(), d::addDeletes);
        }
        // deletes buffered before this leader existed (L0) apply to its growing segments too
        leaders.put(r.getVchannel(), d);
        threads.execute(d);
    }

    public synchronized void unwatch(String vchannel) {
        ShardDelegator d = leaders.remove(vchannel);
        if (d != null) {
            d.stop();
        }
    }

    public void loadSegments(QnLoadSegmentsRequest r) {
        for (SegmentLoadInfo info : r.getSegmentsList()) {
            long id = info.getSegment().getSegmentId();
            Segment existing = sealed.get(id);
            if (existing != null) {
                if (info.getManifest().getVersion() > existing.manifestVersion()) {
                    loader.refreshDeletes(existing, info.getManifest());
                    LOG.info("segment deletes refreshed segmentId={} manifestVersion={} deletes={}", id, existing.manifestVersion(),
                            existing.deletes().size());
                }
                long wanted = info.getIndexesList().stream().filter(i -> i.getIndexFilesCount() > 0).mapToLong(i -> i.getBuildId()).max().orElse(0);
                if (wanted != 0 && existing.indexBuildId() != wanted) {
                    loader.loadIndexes(existing, info);
                    LOG.info("segment index loaded segmentId={} buildId={}", id, wanted);
                }
                continue;
            }
            long estimate = info.getManifest().getBinlogsList().stream().flatMap(f -> f.getBinlogsList().stream())
                    .mapToLong(b -> b.getSize()).sum();
            long used = memoryUsed();
            if (used + estimate > memoryBudget) {
                throw new QuiverException(ErrorCode.MEMORY_LIMIT, String.format(
                        "querynode %d cannot load segment %d: needs ~%d bytes, %d of %d in use", nodeId, id, estimate, used, memoryBudget));
            }
            Segment seg;
            try {
                seg = loader.load(info, r.getCollection().getSchema(), false);
            } catch (BinlogFormatException e) {
                throw new QuiverException(ErrorCode.SEGMENT_LOAD_FAILED, "segment " + id + " of collection "
                        + r.getCollection().getCollectionId() + ": " + e.getMessage(), e);
            }
            sealed.put(id, seg);
            sealedCollections.put(id, r.getCollection());
            sealedChannels.put(id, r.getVchannel());
            LOG.info("segment loaded segmentId={} rows={} indexBuild={} bytes={}", id, seg.rowCount(), seg.indexBuildId(), seg.ramBytesUsed());
        }
    }

    public void releaseSegments(List<Long> ids) {
        for (long id : ids) {
            if (sealed.remove(id) != null) {
                sealedCollections.remove(id);
                sealedChannels.remove(id);
                LOG.info("segment released segmentId={}", id);
            }
        }
    }

    public void releaseCollection(long collectionId) {
        for (var e : List.copyOf(leaders.entrySet())) {
            if (e.getValue().collection().getCollectionId() == collectionId) {
                unwatch(e.getKey());
            }
        }
        List<Long> ids = sealedCollections.entrySet().stream().filter(e -> e.getValue().getCollectionId() == collectionId).map(Map.Entry::getKey).toList();
        releaseSegments(ids);
    }

    List<Segment> localSegments(List<Long> ids) {
        List<Segment> out = new ArrayList<>(ids.size());
        for (long id : ids) {
            Segment s = sealed.get(id);
            if (s == null) {
                throw new QuiverException(ErrorCode.SEGMENT_NOT_FOUND, "segment " + id + " is not loaded on querynode " + nodeId);
            }
            out.add(s);
        }
        return out;
    }

    public void syncDistribution(SyncDistributionRequest r) {
        ShardDelegator d = leaders.get(r.getVchannel());
        if (d == null) {
            throw new QuiverException(ErrorCode.CHANNEL_NOT_AVAILABLE, "querynode " + nodeId + " does not lead " + r.getVchannel());
        }
        d.syncDistribution(r.getSealedList(), new HashSet<>(r.getPartitionIdsList()), r.getDeleteFloorTs());
    }

    private ShardDelegator leader(String vchannel) {
        ShardDelegator d = leaders.get(vchannel);
        if (d == null) {
            throw new QuiverException(ErrorCode.CHANNEL_NOT_AVAILABLE, "querynode " + nodeId + " is not the leader of " + vchannel);
        }
        return d;
    }

    public ShardSearchResponse search(ShardSearchRequest r) {
        if (r.getFromLeader()) {
            CollectionInfo c = sealedCollections.get(r.getSegmentIdsList().isEmpty() ? -1L : r.getSegmentIds(0));
            if (c == null) {
                throw new QuiverException(ErrorCode.SEGMENT_NOT_FOUND, "segments " + r.getSegmentIdsList() + " not on querynode " + nodeId);
            }
            return searcher.search(localSegments(r.getSegmentIdsList()), r.getPlan(), c.getSchema());
        }
        return leader(r.getVchannel()).search(r.getPlan(), maxWaitMs);
    }

    public ShardQueryResponse query(ShardQueryRequest r) {
        if (r.getFromLeader()) {
            CollectionInfo c = sealedCollections.get(r.getSegmentIdsList().isEmpty() ? -1L : r.getSegmentIds(0));
            if (c == null) {
                throw new QuiverException(ErrorCode.SEGMENT_NOT_FOUND, "segments " + r.getSegmentIdsList() + " not on querynode " + nodeId);
            }
            return searcher.query(localSegments(r.getSegmentIdsList()), r.getPlan(), c.getSchema());
        }
        return leader(r.getVchannel()).query(r.getPlan(), maxWaitMs);
    }

    public void applyDelete(ApplyDeleteRequest r) {
        List<Object> pks = new ArrayList<>();
        if (r.getPrimaryKeys().hasIntId()) {
            r.getPrimaryKeys().getIntId().getDataList().forEach(pks::add);
        } else {
            r.getPrimaryKeys().getStrId().getDataList().forEach(pks::add);
        }
        for (long id : r.getSegmentIdsList()) {
            Segment s = sealed.get(id);
            if (s == null) {
                continue;
            }
            for (int i = 0; i < pks.size(); i++) {
                if (s.mightContain(pks.get(i))) {
                    s.deletes().add(pks.get(i), r.getTimestamps(i));
                }
            }
        }
    }

    public DistributionResponse distribution() {
        DistributionResponse.Builder b = DistributionResponse.newBuilder().setStatus(Statuses.success()).setNodeId(nodeId)
                .setMemoryBudget(memoryBudget).setMemoryBytes(memoryUsed());
        for (ShardDelegator d : leaders.values()) {
            b.addChannels(ChannelDistribution.newBuilder().setCollectionId(d.collection().getCollectionId()).setVchannel(d.vchannel())
                    .setTsafe(d.tsafe()).setServiceable(d.serviceable()).setGrowingRows(d.growingRows())
                    .setDeleteBufferRows(d.deleteBufferRows()));
        }
        for (var e : sealed.entrySet()) {
            Segment s = e.getValue();
            b.addSegments(SegmentDistribution.newBuilder().setCollectionId(sealedCollections.get(e.getKey()).getCollectionId())
                    .setPartitionId(s.partitionId()).setSegmentId(s.id()).setNumRows(s.rowCount()).setIndexBuildId(s.indexBuildId())
                    .setMemoryBytes(s.ramBytesUsed()).setManifestVersion(s.manifestVersion())
                    .setVchannel(sealedChannels.getOrDefault(s.id(), "")).setDeletedRows(s.deletes().size()));
        }
        return b.build();
    }

    @Override
    public void close() {
        leaders.values().forEach(ShardDelegator::stop);
        threads.shutdown();
        fanOut.close();
    }
}
