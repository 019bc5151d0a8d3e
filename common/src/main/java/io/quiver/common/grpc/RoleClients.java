package io.quiver.common.grpc;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.session.SessionManager;
import io.quiver.proto.DataCoordGrpc;
import io.quiver.proto.DataNodeGrpc;
import io.quiver.proto.IndexNodeGrpc;
import io.quiver.proto.QueryCoordGrpc;
import io.quiver.proto.QueryNodeGrpc;
import io.quiver.proto.RootCoordGrpc;
import io.quiver.proto.RootCoordRbacGrpc;
import io.quiver.proto.SessionInfo;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stubs to other roles, found through their sessions. Every stub carries a deadline (the caller's
 * gRPC context deadline, if shorter, wins automatically).
 */
public final class RoleClients {
    public static final String ROOTCOORD = "rootcoord";
    public static final String DATACOORD = "datacoord";
    public static final String QUERYCOORD = "querycoord";
    public static final String DATANODE = "datanode";
    public static final String QUERYNODE = "querynode";
    public static final String INDEXNODE = "indexnode";
    public static final String PROXY = "proxy";

    private final SessionManager sessions;
    private final Channels channels;
    private final Duration timeout;

    public RoleClients(SessionManager sessions, Channels channels, Duration timeout) {
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.channels = requireNonNull(channels, "channels is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
    }

    public Channels channels() { return channels; }

    public SessionManager sessions() { return sessions; }

    /** The address of the (single active) coordinator of a role. */
    public String coordinatorAddress(String role) {
        List<SessionInfo> s = sessions.list(role);
        if (s.isEmpty()) {
            throw new QuiverException(ErrorCode.SERVICE_NOT_READY, role + " is not registered yet");
        }
        // the newest live registration wins: a restarted coordinator replaces one whose lease has not expired yet
        return s.stream().filter(x -> !x.getStopping()).max(Comparator.comparingLong(SessionInfo::getServerId))
                .orElse(s.get(0)).getAddress();
    }

    public RootCoordGrpc.RootCoordBlockingStub rootCoord() {
        return RootCoordGrpc.newBlockingStub(channels.get(coordinatorAddress(ROOTCOORD)))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Rootcoord's RBAC service (roles, grants, privilege groups). */
    public RootCoordRbacGrpc.RootCoordRbacBlockingStub rootCoordRbac() {
        return RootCoordRbacGrpc.newBlockingStub(channels.get(coordinatorAddress(ROOTCOORD)))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public DataCoordGrpc.DataCoordBlockingStub dataCoord() {
        return DataCoordGrpc.newBlockingStub(channels.get(coordinatorAddress(DATACOORD)))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public QueryCoordGrpc.QueryCoordBlockingStub queryCoord() {
        return QueryCoordGrpc.newBlockingStub(channels.get(coordinatorAddress(QUERYCOORD)))
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public DataNodeGrpc.DataNodeBlockingStub dataNode(String address) {
        return DataNodeGrpc.newBlockingStub(channels.get(address)).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public IndexNodeGrpc.IndexNodeBlockingStub indexNode(String address) {
        return IndexNodeGrpc.newBlockingStub(channels.get(address)).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public QueryNodeGrpc.QueryNodeBlockingStub queryNode(String address) {
        return QueryNodeGrpc.newBlockingStub(channels.get(address)).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public QueryNodeGrpc.QueryNodeFutureStub queryNodeAsync(String address, Duration deadline) {
        return QueryNodeGrpc.newFutureStub(channels.get(address)).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }
}
