package io.quiver.datanode;

import io.grpc.ServerBuilder;
import io.quiver.common.RoleContext;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.common.util.BatchIdAllocator;
import io.quiver.common.util.BackgroundPriority;
import io.quiver.datanode.compaction.CompactionExecutor;
import io.quiver.datanode.compaction.Compactor;
import io.quiver.proto.AllocIDRequest;
import io.quiver.proto.SaveBinlogPathsRequest;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.UpdateChannelCheckpointRequest;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Builds and runs a datanode. */
public final class DataNodeServer {
    private DataNodeServer() {}

    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId) {
        RoleClients clients = ctx.clients();
        BatchIdAllocator ids = new BatchIdAllocator(n -> {
            var r = clients.rootCoord().allocID(AllocIDRequest.newBuilder().setCount(n).build());
            Statuses.check(r.getStatus());
            return r.getId();
        }, 1000);
        SyncTarget target = new SyncTarget() {
            @Override
            public void saveBinlogPaths(SaveBinlogPathsRequest request) {
                Statuses.check(clients.dataCoord().saveBinlogPaths(request));
            }

            @Override
            public void updateCheckpoint(UpdateChannelCheckpointRequest request) {
                Statuses.check(clients.dataCoord().updateChannelCheckpoint(request));
            }

            @Override
            public long allocateIds(int count) {
                return ids.allocate(count);
            }
        };
        var cfg = ctx.config().dataNode();
        DataNode node = new DataNode(ctx.wal(), ctx.objectStore(), target, ctx.clock(), cfg.syncBufferSize(), cfg.syncPeriod(), serverId,
                new DataNodeMetrics(ctx.milvusMetrics(), Long.toString(serverId)));
        SessionInfo session = SessionInfo.newBuilder().setServerId(serverId).setRole(RoleClients.DATANODE)
                .setAddress(address).setStartTimeMs(ctx.clock().millis()).build();
        Compactor compactor = new Compactor(ctx.objectStore(), ctx.clock());
        ExecutorService compactionPool = Executors.newFixedThreadPool(cfg.compactionSlots(), BackgroundPriority.threads("datanode-compaction"));
        CompactionExecutor compactions = new CompactionExecutor(compactor::execute, cfg.compactionSlots(), compactionPool);
        AutoCloseable stopCompactions = compactionPool::shutdownNow;
        return new RoleServer(builder, List.of(new DataNodeGrpcService(node, compactions)), ctx.sessions(), session,
                List.of(node, stopCompactions));
    }
}
