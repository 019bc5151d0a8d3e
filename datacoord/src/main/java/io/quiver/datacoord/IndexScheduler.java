package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.IndexState;
import io.quiver.common.binlog.SegmentPaths;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.Binlog;
import io.quiver.proto.CreateJobRequest;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.IndexInfo;
import io.quiver.proto.JobResult;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SessionInfo;
import io.quiver.storage.ObjectStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands index build tasks to indexnodes and polls them (DESIGN section 10). A task whose indexnode's session
 * ended, or that failed, is issued again (to any live node), up to {@link IndexManager#MAX_RETRIES} times.
 */
public final class IndexScheduler {
    private static final Logger LOG = LoggerFactory.getLogger(IndexScheduler.class);

    /** The indexnode RPCs the scheduler needs. */
    public interface IndexNodes {
        List<SessionInfo> live();

        int freeSlots(SessionInfo node);

        void createJob(SessionInfo node, CreateJobRequest job);

        List<JobResult> query(SessionInfo node, List<Long> buildIds);
    }

    private final IndexManager indexes;
    private final SegmentManager segments;
    private final ObjectStore store;
    private final IndexNodes nodes;
    private final LongFunction<CollectionSchema> schemas;

    public IndexScheduler(IndexManager indexes, SegmentManager segments, ObjectStore store, IndexNodes nodes,
                          LongFunction<CollectionSchema> schemas) {
        this.indexes = requireNonNull(indexes, "indexes is null");
        this.segments = requireNonNull(segments, "segments is null");
        this.store = requireNonNull(store, "store is null");
        this.nodes = requireNonNull(nodes, "nodes is null");
        this.schemas = requireNonNull(schemas, "schemas is null");
    }

    /** One scheduling round. */
    public void run(List<SegmentInfo> allSegments) {
        indexes.planBuilds(allSegments);
        List<SessionInfo> live = nodes.live();
        Map<Long, SessionInfo> byId = new HashMap<>();
        live.forEach(n -> byId.put(n.getServerId(), n));
        // poll running builds; builds of vanished nodes go back to the queue
        Map<Long, List<Long>> running = new HashMap<>();
        for (SegmentIndex b : indexes.builds(IndexState.InProgress)) {
            if (!byId.containsKey(b.getNodeId())) {
                indexes.fail(b.getBuildId(), "indexnode " + b.getNodeId() + " went away", true);
            } else {
                running.computeIfAbsent(b.getNodeId(), k -> new ArrayList<>()).add(b.getBuildId());
            }
        }
        running.forEach((nodeId, ids) -> {
            try {
                for (JobResult r : nodes.query(byId.get(nodeId), ids)) {
                    switch (r.getState()) {
                        case Finished -> indexes.finish(r.getBuildId(), r.getIndexFilesList(), r.getIndexSize());
                        case Failed -> indexes.fail(r.getBuildId(), r.getFailReason(), false);
                        case Retry, IndexStateNone -> indexes.fail(r.getBuildId(), r.getFailReason().isEmpty() ? "lost by indexnode" : r.getFailReason(), true);
                        default -> { }
                    }
                }
            } catch (RuntimeException e) {
                LOG.warn("query jobs failed node={}: {}", nodeId, e.toString());
            }
        });
        // issue queued builds to nodes with free slots
        List<SegmentIndex> queued = indexes.builds(IndexState.Unissued);
        if (queued.isEmpty() || live.isEmpty()) {
            return;
        }
        Map<Long, Integer> slots = new HashMap<>();
        for (SessionInfo n : live) {
            try {
                slots.put(n.getServerId(), nodes.freeSlots(n));
            } catch (RuntimeException e) {
                slots.put(n.getServerId(), 0);
            }
        }
        for (SegmentIndex b : queued) {
            SessionInfo node = live.stream().filter(n -> slots.getOrDefault(n.getServerId(), 0) > 0).findFirst().orElse(null);
            if (node == null) {
                return;
            }
            try {
                CreateJobRequest job = job(b);
                if (job == null) {
                    continue;
                }
                nodes.createJob(node, job);
                indexes.markIssued(b.getBuildId(), node.getServerId(), job.getIndexVersion());
                slots.merge(node.getServerId(), -1, Integer::sum);
                LOG.info("index build issued buildId={} segmentId={} node={}", b.getBuildId(), b.getSegmentId(), node.getServerId());
            } catch (RuntimeException e) {
                LOG.warn("issue build failed buildId={} node={}: {}", b.getBuildId(), node.getServerId(), e.toString());
            }
        }
    }

    private CreateJobRequest job(SegmentIndex b) {
        SegmentInfo s = segments.get(b.getSegmentId());
        IndexInfo i = indexes.index(b.getIndexId());
        if (s == null || i == null || s.getManifestPath().isEmpty()) {
            indexes.fail(b.getBuildId(), "segment or index no longer exists", false);
            return null;
        }
        SegmentManifest m;
        try {
            m = SegmentManifest.parseFrom(store.get(s.getManifestPath()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            indexes.fail(b.getBuildId(), "unreadable manifest " + s.getManifestPath(), false);
            return null;
        }
        FieldSchema f = Schemas.byId(schemas.apply(s.getCollectionId()), i.getFieldId()).orElse(null);
        if (f == null) {
            indexes.fail(b.getBuildId(), "field " + i.getFieldId() + " not in schema", false);
            return null;
        }
        List<String> paths = new ArrayList<>();
        for (FieldBinlog fb : m.getBinlogsList()) {
            if (fb.getFieldId() == i.getFieldId()) {
                fb.getBinlogsList().stream().map(Binlog::getPath).forEach(paths::add);
            }
        }
        long version = b.getRetries() + 1;
        return CreateJobRequest.newBuilder()
                .setBuildId(b.getBuildId())
                .setCollectionId(s.getCollectionId())
                .setPartitionId(s.getPartitionId())
                .setSegmentId(s.getSegmentId())
                .setFieldId(i.getFieldId())
                .setFieldType(f.getDataType())
                .setDim(Schemas.dim(f))
                .setNumRows(s.getNumRows())
                .addAllDataPaths(paths)
                .addAllIndexParams(i.getIndexParamsList())
                .setIndexVersion(version)
                .setIndexFilePrefix(SegmentPaths.indexFilePrefix(b.getBuildId(), version, s.getPartitionId(), s.getSegmentId()))
                .build();
    }
}
