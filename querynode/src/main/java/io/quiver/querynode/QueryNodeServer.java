package io.quiver.querynode;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ServerBuilder;
import io.quiver.common.RoleContext;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.proto.ApplyDeleteRequest;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.ShardQueryRequest;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchRequest;
import io.quiver.proto.ShardSearchResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Builds and runs a querynode. */
public final class QueryNodeServer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QueryNodeServer.class);
    static final long DRAIN_TIMEOUT_MS = 30_000;

    private QueryNodeServer() {}

    static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> f) {
        CompletableFuture<T> c = new CompletableFuture<>();
        Futures.addCallback(f, new FutureCallback<>() {
            @Override
            public void onSuccess(T r) {
                c.complete(r);
            }

            @Override
            public void onFailure(Throwable t) {
                c.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return c;
    }

    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId) {
        RoleClients clients = ctx.clients();
        Duration timeout = ctx.config().common().rpcTimeout();
        RemoteWorkers remote = new RemoteWorkers() {
            @Override
            public CompletableFuture<ShardSearchResponse> search(String addr, ShardSearchRequest request) {
                return toCompletable(clients.queryNodeAsync(addr, timeout).search(request));
            }

            @Override
            public CompletableFuture<ShardQueryResponse> query(String addr, ShardQueryRequest request) {
                return toCompletable(clients.queryNodeAsync(addr, timeout).query(request));
            }

            @Override
            public void applyDelete(String addr, ApplyDeleteRequest request) {
                Statuses.check(clients.queryNode(addr).applyDelete(request));
            }
        };
        var cfg = ctx.config().queryNode();
        QueryNodeCore core = new QueryNodeCore(serverId, ctx.wal(), new SegmentLoader(ctx.objectStore()), remote,
                cfg.memoryBudget(), timeout.toMillis(), cfg.searchThreads());
        var reg = ctx.metrics();
        String node = Long.toString(serverId);
        QueryNodeMetrics.registerGauges(ctx.milvusMetrics(), core, node);
        io.micrometer.core.instrument.Gauge.builder("quiver_querynode_memory_bytes", core, QueryNodeCore::memoryUsed).tag("node_id", node).register(reg);
        SessionInfo session = SessionInfo.newBuilder().setServerId(serverId).setRole(RoleClients.QUERYNODE)
                .setAddress(address).setStartTimeMs(ctx.clock().millis()).build();
        RoleServer server = new RoleServer(builder, List.of(new QueryNodeGrpcService(core, new QueryNodeMetrics(ctx.milvusMetrics(), node))), ctx.sessions(), session, List.of(core));
        // graceful stop: once the session says "stopping", querycoord rebuilds this node's leaders and segments on the
        // other querynodes and then releases them here; the node waits for that (bounded) before it leaves
        return server.onDrain(() -> {
            boolean others = clients.sessions().list(RoleClients.QUERYNODE).stream().anyMatch(s -> s.getServerId() != serverId && !s.getStopping());
            if (!others) {
                return;
            }
            long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MS;
            while (System.currentTimeMillis() < deadline) {
                var d = core.distribution();
                if (d.getChannelsCount() == 0 && d.getSegmentsCount() == 0) {
                    LOG.info("querynode drained serverId={}", serverId);
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            LOG.warn("querynode drain timed out serverId={}: leaving with work still assigned", serverId);
        });
    }
}
