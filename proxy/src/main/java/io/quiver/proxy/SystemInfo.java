package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.milvus.grpc.GetReplicasResponse;
import io.milvus.grpc.LoadState;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.meta.SegmentStats;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionRequest;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.Empty;
import io.quiver.proto.GetSegmentsRequest;
import io.quiver.proto.GetSegmentsResponse;
import io.quiver.proto.LoadStateInternalRequest;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.ShardLeadersRequest;
import io.quiver.proto.ShowCollectionsInternalRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster monitor behind {@code GetMetrics("system_info")} and {@code quiver ctl status} (the seeds' cluster
 * monitor): every process by role with version and uptime, each loaded collection with its replicas, shard
 * leaders and segment placement, rows and memory per querynode with the balance verdict (standard deviation of
 * rows over the mean), and which datanode consumes which vchannel.
 */
final class SystemInfo {
    static final double BALANCED_CV = 0.2;
    private final RoleClients clients;

    SystemInfo(RoleClients clients) {
        this.clients = requireNonNull(clients, "clients is null");
    }

    String json(boolean pretty) {
        Map<String, Object> out = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        List<Map<String, Object>> nodes = new ArrayList<>();
        Map<Long, DistributionResponse> dists = new TreeMap<>();
        Map<String, String> channelOwners = new TreeMap<>();
        for (String role : List.of(RoleClients.ROOTCOORD, RoleClients.DATACOORD, RoleClients.QUERYCOORD, RoleClients.PROXY,
                RoleClients.DATANODE, RoleClients.QUERYNODE, RoleClients.INDEXNODE)) {
            for (SessionInfo s : clients.sessions().list(role)) {
                Map<String, Object> n = new LinkedHashMap<>();
                n.put("role", role);
                n.put("server_id", s.getServerId());
                n.put("address", s.getAddress());
                n.put("version", s.getVersion());
                n.put("uptime_s", (now - s.getStartTimeMs()) / 1000);
                String health = s.getStopping() ? "stopping" : "healthy";
                try {
                    if (role.equals(RoleClients.QUERYNODE)) {
                        DistributionResponse d = clients.queryNode(s.getAddress()).getDistribution(DistributionRequest.getDefaultInstance());
                        Statuses.check(d.getStatus());
                        dists.put(s.getServerId(), d);
                        n.put("memory_bytes", d.getMemoryBytes());
                        n.put("memory_budget", d.getMemoryBudget());
                        n.put("segments", d.getSegmentsCount());
                        n.put("rows", d.getSegmentsList().stream().mapToLong(x -> x.getNumRows()).sum()
                                + d.getChannelsList().stream().mapToLong(x -> x.getGrowingRows()).sum());
                        n.put("leading", d.getChannelsList().stream().map(x -> x.getVchannel()).toList());
                        n.put("delete_buffer_rows", d.getChannelsList().stream().mapToLong(x -> x.getDeleteBufferRows()).sum());
                    } else if (role.equals(RoleClients.DATANODE)) {
                        var ch = clients.dataNode(s.getAddress()).getChannels(Empty.getDefaultInstance());
                        Statuses.check(ch.getStatus());
                        ch.getVchannelsList().forEach(v -> channelOwners.put(v, "datanode-" + s.getServerId()));
                    }
                } catch (RuntimeException e) {
                    health = "unreachable";
                }
                n.put("health", health);
                nodes.add(n);
            }
        }
        out.put("nodes", nodes);
        List<Map<String, Object>> collections = new ArrayList<>();
        boolean replicasBalanced = true;
        try {
            var r = clients.rootCoord().showCollections(ShowCollectionsInternalRequest.getDefaultInstance());
            for (CollectionInfo c : r.getCollectionsList()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("database", c.getDbName());
                m.put("name", c.getName());
                m.put("id", c.getCollectionId());
                m.put("shards", c.getVchannelsList());
                var ls = clients.queryCoord().getLoadState(LoadStateInternalRequest.newBuilder().setCollectionId(c.getCollectionId()).build());
                m.put("load_state", ls.getState().name().replace("LoadState", ""));
                m.put("load_progress", ls.getProgress());
                if (!ls.getReason().isEmpty()) {
                    m.put("load_reason", ls.getReason());
                }
                m.put("storage", storage(c.getCollectionId()));
                if (ls.getState() != LoadState.LoadStateNotLoad) {
                    Map<Long, Long> rowsPerNode = new TreeMap<>();
                    int segments = 0;
                    long largestSegment = 0;
                    for (var e : dists.entrySet()) {
                        long rows = 0;
                        for (var x : e.getValue().getSegmentsList()) {
                            if (x.getCollectionId() == c.getCollectionId()) {
                                rows += x.getNumRows();
                                segments++;
                                largestSegment = Math.max(largestSegment, x.getNumRows());
                            }
                        }
                        rowsPerNode.put(e.getKey(), rows);
                    }
                    GetReplicasResponse rep = clients.queryCoord().getReplicas(ShardLeadersRequest.newBuilder().setCollectionId(c.getCollectionId()).build());
                    List<Map<String, Object>> reps = new ArrayList<>();
                    for (var x : rep.getReplicasList()) {
                        Map<String, Object> rm = new LinkedHashMap<>();
                        rm.put("id", x.getReplicaID());
                        rm.put("nodes", x.getNodeIdsList());
                        Map<String, Long> leaders = new TreeMap<>();
                        x.getShardReplicasList().forEach(sr -> leaders.put(sr.getDmChannelName(), sr.getLeaderID()));
                        rm.put("leaders", leaders);
                        Map<String, Object> rb = replicaBalance(x.getNodeIdsList(), rowsPerNode, leaders, largestSegment);
                        rm.put("balance", rb);
                        replicasBalanced &= "balanced".equals(rb.get("verdict"));
                        reps.add(rm);
                    }
                    m.put("replicas", reps);
                    m.put("sealed_segment_copies", segments);
                    m.put("rows_per_querynode", rowsPerNode);
                }
                collections.add(m);
            }
        } catch (RuntimeException e) {
            out.put("collections_error", String.valueOf(e.getMessage()));
        }
        out.put("collections", collections);
        // balance over all querynodes: coefficient of variation of rows (the seeds' standard-deviation check). The
        // verdict is the replicas' own: rows can only move between the nodes of one replica, so a cluster whose
        // replicas are each balanced is balanced even where the global spread (replicas of different sizes) is not.
        List<Long> rows = dists.values().stream().map(d -> d.getSegmentsList().stream().mapToLong(x -> x.getNumRows()).sum()).toList();
        double mean = rows.stream().mapToLong(Long::longValue).average().orElse(0);
        double sd = Math.sqrt(rows.stream().mapToDouble(x -> (x - mean) * (x - mean)).average().orElse(0));
        Map<String, Object> balance = new LinkedHashMap<>();
        balance.put("querynodes", rows.size());
        balance.put("mean_rows", Math.round(mean));
        balance.put("stddev_rows", Math.round(sd));
        balance.put("global_cv", mean == 0 ? 0 : Math.round(100 * sd / mean) / 100.0);
        balance.put("verdict", replicasBalanced ? "balanced" : "unbalanced");
        balance.put("basis", "per replica: rows within " + Math.round(100 * BALANCED_CV) + " % (stddev/mean) or one segment, shard leaders within one");
        out.put("balance", balance);
        out.put("channel_owners", channelOwners);
        Gson g = pretty ? new GsonBuilder().setPrettyPrinting().create() : new Gson();
        return g.toJson(out);
    }

    /**
     * What a collection keeps in storage (issue 10): segments by state, L0 (delete) backlog, deleted ratio of the
     * flushed segments, bytes in object storage, compaction tasks waiting or running.
     */
    private Map<String, Object> storage(long collectionId) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            GetSegmentsResponse r = clients.dataCoord().getSegments(GetSegmentsRequest.newBuilder().setCollectionId(collectionId).build());
            Statuses.check(r.getStatus());
            m.putAll(storageOf(r.getSegmentsList()));
            m.put("compaction_backlog", r.getCompactionBacklog());
        } catch (RuntimeException e) {
            m.put("error", String.valueOf(e.getMessage()));
        }
        return m;
    }

    static Map<String, Object> storageOf(List<SegmentInfo> segments) {
        SegmentStats st = SegmentStats.of(segments);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("segments", st.segmentsByState());
        m.put("l0_segments", st.l0Segments());
        m.put("l0_rows", st.l0Rows());
        m.put("deleted_ratio", st.deletedRatio());
        m.put("bytes", st.bytes());
        return m;
    }

    /**
     * The seeds' standard-deviation check inside one replica: its nodes' rows of the collection within {@link #BALANCED_CV}
     * (stddev / mean) or at most one segment apart (the finest a move can do), and shard leaders at most one apart.
     */
    static Map<String, Object> replicaBalance(List<Long> nodes, Map<Long, Long> rowsPerNode, Map<String, Long> leaders, long largestSegment) {
        List<Long> rows = nodes.stream().map(n -> rowsPerNode.getOrDefault(n, 0L)).toList();
        double mean = rows.stream().mapToLong(Long::longValue).average().orElse(0);
        double sd = Math.sqrt(rows.stream().mapToDouble(x -> (x - mean) * (x - mean)).average().orElse(0));
        long spread = rows.isEmpty() ? 0 : rows.stream().mapToLong(Long::longValue).max().getAsLong() - rows.stream().mapToLong(Long::longValue).min().getAsLong();
        Map<Long, Long> led = new TreeMap<>();
        nodes.forEach(n -> led.put(n, 0L));
        leaders.values().forEach(n -> led.computeIfPresent(n, (k, v) -> v + 1));
        long leaderSpread = led.isEmpty() ? 0 : led.values().stream().mapToLong(Long::longValue).max().getAsLong()
                - led.values().stream().mapToLong(Long::longValue).min().getAsLong();
        boolean rowsOk = nodes.size() < 2 || mean == 0 || sd / mean <= BALANCED_CV || spread <= largestSegment;
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("mean_rows", Math.round(mean));
        b.put("stddev_rows", Math.round(sd));
        b.put("leaders_per_node", led);
        b.put("verdict", rowsOk && leaderSpread <= 1 ? "balanced" : "unbalanced");
        return b;
    }
}
