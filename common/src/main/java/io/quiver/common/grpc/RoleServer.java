package io.quiver.common.grpc;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.quiver.common.session.SessionManager;
import io.quiver.proto.SessionInfo;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifecycle of one role's gRPC server: start (bind, then register the session so others find it only when it
 * serves), stop (mark the session stopping, unregister, drain), blockUntilShutdown. Takes a
 * {@link ServerBuilder} so standalone passes an in-process one and cluster mode a Netty one.
 */
public final class RoleServer {
    private static final Logger LOG = LoggerFactory.getLogger(RoleServer.class);
    private final ServerBuilder<?> builder;
    private final SessionManager sessions;
    private final SessionInfo session;
    private final List<AutoCloseable> owned;
    private Server server;
    private String sessionKey;
    private volatile Runnable drain = () -> { };

    /** Work to finish between "stopping" being announced and the session ending (graceful hand-off). */
    public RoleServer onDrain(Runnable drain) {
        this.drain = requireNonNull(drain, "drain is null");
        return this;
    }

    public RoleServer(ServerBuilder<?> builder, List<BindableService> services, SessionManager sessions, SessionInfo session,
                      List<AutoCloseable> owned) {
        this.builder = requireNonNull(builder, "builder is null");
        this.sessions = requireNonNull(sessions, "sessions is null");
        this.session = requireNonNull(session, "session is null").toBuilder().setVersion(io.quiver.common.Version.VERSION).build();
        this.owned = List.copyOf(owned);
        services.forEach(builder::addService);
    }

    public RoleServer start() throws IOException {
        server = builder.build().start();
        sessionKey = sessions.register(session);
        LOG.info("role started role={} serverId={} address={}", session.getRole(), session.getServerId(), session.getAddress());
        return this;
    }

    public SessionInfo session() {
        return session;
    }

    public void stop() {
        if (sessionKey != null) {
            try {
                sessions.markStopping(sessionKey);
                drain.run();
                sessions.unregister(sessionKey);
            } catch (RuntimeException e) {
                LOG.warn("unregister failed role={}: {}", session.getRole(), e.toString());
            }
        }
        for (AutoCloseable c : owned.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("close failed role={}: {}", session.getRole(), e.toString());
            }
        }
        if (server != null) {
            server.shutdown();
            try {
                if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                    server.shutdownNow();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                server.shutdownNow();
            }
        }
    }

    public void blockUntilShutdown() throws InterruptedException {
        if (server != null) {
            server.awaitTermination();
        }
    }
}
