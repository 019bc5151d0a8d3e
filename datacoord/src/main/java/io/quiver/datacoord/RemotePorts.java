package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionResultsRequest;
import io.quiver.proto.CreateJobRequest;
import io.quiver.proto.DescribeCollectionInternalRequest;
import io.quiver.proto.DistributionRequest;
import io.quiver.proto.DropCompactionPlansRequest;
import io.quiver.proto.Empty;
import io.quiver.proto.JobResult;
import io.quiver.proto.QueryJobRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SessionInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ports of datacoord's domain classes over the other roles' gRPC services (every stub call has the role clients'
 * deadline): index nodes for {@link IndexScheduler}, datanodes and fresh collection records for
 * {@link CompactionManager}, and the querynodes' distributions for {@link GarbageCollector}.
 */
final class RemotePorts {
    private static final Logger LOG = LoggerFactory.getLogger(RemotePorts.class);

    private RemotePorts() {}

    private static List<SessionInfo> live(RoleClients clients, String role) {
        return clients.sessions().list(role).stream().filter(s -> !s.getStopping()).toList();
    }

    /** Index builds on the live indexnodes. */
    record IndexNodes(RoleClients clients) implements IndexScheduler.IndexNodes {
        IndexNodes {
            requireNonNull(clients, "clients is null");
        }

        @Override
        public List<SessionInfo> live() {
            return RemotePorts.live(clients, RoleClients.INDEXNODE);
        }

        @Override
        public int freeSlots(SessionInfo node) {
            return clients.indexNode(node.getAddress()).getJobSlots(Empty.getDefaultInstance()).getFreeSlots();
        }

        @Override
        public void createJob(SessionInfo node, CreateJobRequest job) {
            Statuses.check(clients.indexNode(node.getAddress()).createJob(job));
        }

        @Override
        public List<JobResult> query(SessionInfo node, List<Long> buildIds) {
            var r = clients.indexNode(node.getAddress()).queryJobs(QueryJobRequest.newBuilder().addAllBuildIds(buildIds).build());
            Statuses.check(r.getStatus());
            return r.getResultsList();
        }
    }

    /** Compaction plans on the live datanodes. */
    record DataNodes(RoleClients clients) implements CompactionManager.DataNodes {
        DataNodes {
            requireNonNull(clients, "clients is null");
        }

        @Override
        public List<SessionInfo> live() {
            return RemotePorts.live(clients, RoleClients.DATANODE);
        }

        @Override
        public int freeSlots(SessionInfo node) {
            var r = clients.dataNode(node.getAddress()).getCompactionSlots(Empty.getDefaultInstance());
            Statuses.check(r.getStatus());
            return r.getFreeSlots();
        }

        @Override
        public void compact(SessionInfo node, CompactionPlan plan) {
            Statuses.check(clients.dataNode(node.getAddress()).compact(plan));
        }

        @Override
        public List<CompactionResult> results(SessionInfo node, List<Long> planIds) {
            var r = clients.dataNode(node.getAddress()).getCompactionResults(CompactionResultsRequest.newBuilder().addAllPlanIds(planIds).build());
            Statuses.check(r.getStatus());
            return r.getResultsList();
        }

        @Override
        public void drop(SessionInfo node, List<Long> planIds) {
            Statuses.check(clients.dataNode(node.getAddress()).dropCompactionPlans(DropCompactionPlansRequest.newBuilder().addAllPlanIds(planIds).build()));
        }
    }

    /** A collection as rootcoord has it now (its TTL may have been altered); the watched copy if rootcoord does not answer. */
    record FreshCollections(RoleClients clients, Supplier<List<CollectionInfo>> watched) implements LongFunction<CollectionInfo> {
        FreshCollections {
            requireNonNull(clients, "clients is null");
            requireNonNull(watched, "watched is null");
        }

        @Override
        public CollectionInfo apply(long id) {
            try {
                var r = clients.rootCoord().describeCollection(DescribeCollectionInternalRequest.newBuilder().setCollectionId(id).build());
                if (r.getStatus().getCode() == 0) {
                    return r.getCollection();
                }
            } catch (RuntimeException e) {
                LOG.debug("describe collection {} for compaction failed: {}", id, e.toString());
            }
            return watched.get().stream().filter(c -> c.getCollectionId() == id).findFirst().orElse(null);
        }
    }

    /** What garbage collection must know of the cluster: segment meta, and what the querynodes hold. */
    record GcPort(RoleClients clients, SegmentManager meta, Predicate<SegmentInfo> servable) implements GarbageCollector.Port {
        GcPort {
            requireNonNull(clients, "clients is null");
            requireNonNull(meta, "meta is null");
            requireNonNull(servable, "servable is null");
        }

        @Override
        public List<SegmentInfo> segments() {
            return meta.all();
        }

        @Override
        public Set<Long> inUseSegmentIds() {
            Set<Long> inUse = new HashSet<>();
            for (SessionInfo n : clients.sessions().list(RoleClients.QUERYNODE)) {
                var d = clients.queryNode(n.getAddress()).getDistribution(DistributionRequest.getDefaultInstance()); // throws: round skipped
                Statuses.check(d.getStatus());
                d.getSegmentsList().forEach(x -> inUse.add(x.getSegmentId()));
            }
            return inUse;
        }

        @Override
        public boolean isHandedOff(long segmentId) {
            SegmentInfo s = meta.get(segmentId);
            return s != null && RecoveryTarget.handedOff(s, meta.segments(s.getCollectionId()), servable);
        }

        @Override
        public void removeSegment(long segmentId) {
            meta.removeRecords(List.of(segmentId));
        }
    }
}
