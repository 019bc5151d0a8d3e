package io.quiver.rootcoord;

import io.grpc.ServerBuilder;
import io.quiver.common.RoleContext;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.common.security.PasswordHasher;
import io.quiver.common.util.Threads;
import io.quiver.proto.DropCollectionDataRequest;
import io.quiver.proto.ReleaseInternalRequest;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.WatchCollectionRequest;
import io.quiver.common.error.Statuses;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds and runs rootcoord: TSO, ids, meta, DDL and the time-tick barrier. */
public final class RootCoordServer {
    private static final Logger LOG = LoggerFactory.getLogger(RootCoordServer.class);

    private RootCoordServer() {}

    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId) {
        String root = ctx.metaRoot();
        MetaTable meta = new MetaTable(ctx.metaKv(), root, ctx.config().quota().metaLimits());
        Tso tso = new Tso(ctx.metaKv(), root + "/kv/gid/timestamp", ctx.clock());
        IdAllocator ids = new IdAllocator(ctx.metaKv(), root + "/kv/gid/id", 450_000_000_000_000_000L);
        DdlListener listener = new DdlListener() {
            @Override
            public void collectionCreated(io.quiver.proto.CollectionInfo c) {
                Statuses.check(ctx.clients().dataCoord().watchCollection(WatchCollectionRequest.newBuilder().setCollection(c).build()));
            }

            @Override
            public void dataDropped(long collectionId, List<Long> partitionIds) {
                Statuses.check(ctx.clients().queryCoord().release(ReleaseInternalRequest.newBuilder()
                        .setCollectionId(collectionId).addAllPartitionIds(partitionIds).build()));
                Statuses.check(ctx.clients().dataCoord().dropCollectionData(DropCollectionDataRequest.newBuilder()
                        .setCollectionId(collectionId).addAllPartitionIds(partitionIds).build()));
            }
        };
        RootCoordinator rc = new RootCoordinator(meta, tso, ids, listener, ctx.wal(), ctx.config().common().clusterName(),
                ctx.config().common().dmlChannels());
        TimeTickBarrier ticks = new TimeTickBarrier(ctx.wal(), rc::pchannelsInUse, () -> {
            Set<Long> live = new HashSet<>();
            ctx.sessions().list(RoleClients.PROXY).forEach(s -> live.add(s.getServerId()));
            return live;
        }, serverId);
        ScheduledExecutorService tickLoop = Threads.scheduler("rootcoord-timetick");
        long period = ctx.config().proxy().timeTickInterval().toMillis();
        tickLoop.scheduleWithFixedDelay(() -> {
            try {
                ticks.tick();
            } catch (RuntimeException e) {
                LOG.warn("time tick round failed: {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
        SessionInfo session = SessionInfo.newBuilder().setServerId(serverId).setRole(RoleClients.ROOTCOORD)
                .setAddress(address).setStartTimeMs(ctx.clock().millis()).build();
        PasswordHasher hasher = PasswordHasher.standard();
        CredentialTable credentials = new CredentialTable(ctx.metaKv(), root, ctx.clock(),
                () -> hasher.hash(ctx.config().security().defaultRootPassword()));
        RbacTable rbac = new RbacTable(ctx.metaKv(), root, ctx.clock(), credentials);
        RbacGrpcService rbacService = new RbacGrpcService(rbac, new RbacGrants(rbac), new RbacGroups(rbac),
                new RbacBackups(rbac, credentials, ctx.clock()));
        RootCoordMetrics metrics = new RootCoordMetrics(ctx.milvusMetrics());
        metrics.registerGauges(rc, tso, credentials, () -> ctx.sessions().list(RoleClients.PROXY).size());
        builder.intercept(metrics);
        return new RoleServer(builder, List.of(new RootCoordGrpcService(rc, ticks, credentials, rbac), rbacService), ctx.sessions(), session,
                List.of(tickLoop::shutdownNow));
    }
}
