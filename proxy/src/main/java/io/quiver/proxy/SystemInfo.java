package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.milvus.grpc.GetReplicasResponse;
import io.milvus.grpc.LoadState;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DistributionRequest;
import io.quiver.proto.DistributionResponse;
import io.quiver.proto.Empty;
import io.quiver.proto.LoadStateInternalRequest;
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
                if (ls.getState() != LoadState.LoadStateNotLoad) {
                    GetReplicasResponse rep = clients.queryCoord().getReplicas(ShardLeadersRequest.newBuilder().setCollectionId(c.getCollectionId()).build());
                    List<Map<String, Object>> reps = new ArrayList<>();
                    rep.getReplicasList().forEach(x -> {
                        Map<String, Object> rm = new LinkedHashMap<>();
                        rm.put("id", x.getReplicaID());
                        rm.put("nodes", x.getNodeIdsList());
                        Map<String, Long> leaders = new TreeMap<>();
                        x.getShardReplicasList().forEach(sr -> leaders.put(sr.getDmChannelName(), sr.getLeaderID()));
                        rm.put("leaders", leaders);
                        reps.add(rm);
                    });
                    m.put("replicas", reps);
                    Map<Long, Long> rowsPerNode = new TreeMap<>();
                    int segments = 0;
                    for (var e : dists.entrySet()) {
                        long rows = e.getValue().getSegmentsList().stream().filter(x -> x.getCollectionId() == c.getCollectionId())
                                .mapToLong(x -> x.getNumRows()).sum();
                        segments += (int) e.getValue().getSegmentsList().stream().filter(x -> x.getCollectionId() == c.getCollectionId()).count();
                        rowsPerNode.put(e.getKey(), rows);
                    }
                    m.put("sealed_segment_copies", segments);
                    m.put("rows_per_querynode", rowsPerNode);
                }
                collections.add(m);
            }
        } catch (RuntimeException e) {
            out.put("collections_error", String.valueOf(e.getMessage()));
        }
        out.put("collections", collections);
        // balance over all querynodes: coefficient of variation of rows (the seeds' standard-deviation check)
        List<Long> rows = dists.values().stream().map(d -> d.getSegmentsList().stream().mapToLong(x -> x.getNumRows()).sum()).toList();
        double mean = rows.stream().mapToLong(Long::longValue).average().orElse(0);
        double sd = Math.sqrt(rows.stream().mapToDouble(x -> (x - mean) * (x - mean)).average().orElse(0));
        Map<String, Object> balance = new LinkedHashMap<>();
        balance.put("querynodes", rows.size());
        balance.put("mean_rows", Math.round(mean));
        balance.put("stddev_rows", Math.round(sd));
        balance.put("verdict", rows.size() < 2 || mean == 0 || sd / mean <= BALANCED_CV ? "balanced" : "unbalanced");
        out.put("balance", balance);
        out.put("channel_owners", channelOwners);
        Gson g = pretty ? new GsonBuilder().setPrettyPrinting().create() : new Gson();
        return g.toJson(out);
    }
}
