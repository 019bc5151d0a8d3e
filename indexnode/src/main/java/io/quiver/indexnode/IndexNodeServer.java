package io.quiver.indexnode;

import io.grpc.ServerBuilder;
import io.quiver.common.RoleContext;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.proto.SessionInfo;
import java.util.List;

/** Builds and runs an indexnode. */
public final class IndexNodeServer {
    private IndexNodeServer() {}

    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId) {
        var cfg = ctx.config().indexNode();
        IndexBuilder b = new IndexBuilder(ctx.objectStore(), cfg.slots(), cfg.buildThreads(),
                new IndexTaskMetrics(ctx.milvusMetrics(), Long.toString(serverId)));
        SessionInfo session = SessionInfo.newBuilder().setServerId(serverId).setRole(RoleClients.INDEXNODE)
                .setAddress(address).setStartTimeMs(ctx.clock().millis()).build();
        return new RoleServer(builder, List.of(new IndexNodeGrpcService(b)), ctx.sessions(), session, List.of(b));
    }
}
