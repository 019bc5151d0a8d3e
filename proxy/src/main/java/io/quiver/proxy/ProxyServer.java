package io.quiver.proxy;

import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.quiver.common.RoleContext;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.common.util.BatchIdAllocator;
import io.quiver.common.security.PasswordHasher;
import io.quiver.common.util.Threads;
import io.quiver.proto.AllocIDRequest;
import io.quiver.proto.AllocTimestampRequest;
import io.quiver.proto.SessionInfo;
import io.quiver.proto.TimeTickReport;
import io.quiver.proxy.rest.RestEndpoint;
import io.quiver.proxy.rest.RestGateway;
import io.quiver.proxy.security.AuthInterceptor;
import io.quiver.proxy.security.Authenticator;
import io.quiver.proxy.security.Authorizer;
import io.quiver.proxy.security.CredentialCache;
import io.quiver.proxy.security.CredentialHandler;
import io.quiver.proxy.security.PrivilegeInterceptor;
import io.quiver.proxy.security.RbacCache;
import io.quiver.proxy.security.RootCoordCredentials;
import io.quiver.proxy.security.SecurityGrpcService;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and runs a proxy: the public Milvus service on its builder (Netty on 19530), and the time-tick
 * reporter. The proxy's session address is its public address; it has no internal service of its own.
 */
public final class ProxyServer {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private ProxyServer() {}

    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId, BooleanSupplier clusterHealthy) {
        return create(ctx, builder, address, serverId, clusterHealthy, Optional.empty());
    }

    /** @param rest where the REST API is served; its gateway calls the same intercepted service as the gRPC port */
    public static RoleServer create(RoleContext ctx, ServerBuilder<?> builder, String address, long serverId, BooleanSupplier clusterHealthy,
                                    Optional<RestEndpoint> rest) {
        RoleClients clients = ctx.clients();
        var cfg = ctx.config();
        Timestamps timestamps = new Timestamps(n -> {
            var r = clients.rootCoord().allocTimestamp(AllocTimestampRequest.newBuilder().setCount(n).build());
            Statuses.check(r.getStatus());
            return r.getTimestamp();
        }, ctx.clock());
        BatchIdAllocator ids = new BatchIdAllocator(n -> {
            var r = clients.rootCoord().allocID(AllocIDRequest.newBuilder().setCount(n).build());
            Statuses.check(r.getStatus());
            return r.getId();
        }, 100_000);
        MetaCache meta = new MetaCache(clients, cfg.proxy().metaCacheTtl());
        ReplicaSelector selector = new ReplicaSelector(ReplicaSelector.parse(cfg.proxy().replicaSelection()), cfg.proxy().replicaWeights());
        QueryHandler query = new QueryHandler(meta, clients, timestamps, cfg.proxy().maxTopK(), cfg.proxy().maxNq(), cfg.common().rpcTimeout(),
                selector, new CollectionTtl(ctx.clock()));
        // WAL appends wait on fsync or broker acks, not CPU: one appender per physical channel bounds the pool
        ExecutorService appenders = Executors.newFixedThreadPool(cfg.common().dmlChannels(), Threads.daemon("proxy-wal-append"));
        DmlHandler dml = new DmlHandler(meta, clients, new WalFanout(ctx.wal(), appenders), timestamps, ids, query,
                ctx.metrics().counter("quiver_proxy_inserted_rows", "node_id", Long.toString(serverId)));
        DdlHandler ddl = new DdlHandler(meta, clients);
        MilvusProxyService service = new MilvusProxyService(ddl, dml, query, meta, clients, timestamps, clusterHealthy);

        ScheduledExecutorService ticker = Threads.scheduler("proxy-timetick");
        long period = cfg.proxy().timeTickInterval().toMillis();
        ticker.scheduleWithFixedDelay(() -> {
            try {
                Statuses.check(clients.rootCoord().reportTimeTick(TimeTickReport.newBuilder().setSourceId(serverId)
                        .setTimestamp(timestamps.safeTick()).build()));
            } catch (RuntimeException e) {
                LOG.debug("time tick report failed: {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);

        PasswordHasher hasher = PasswordHasher.standard();
        RootCoordCredentials stored = new RootCoordCredentials(clients);
        CredentialCache credentials = new CredentialCache(ctx.metaKv(), ctx.metaRoot(), stored, hasher, new SecureRandom(), ctx.clock());
        SecurityGrpcService security = new SecurityGrpcService(new CredentialHandler(stored, credentials, hasher, cfg.security()),
                clients::rootCoordRbac);
        List<AutoCloseable> stops = new ArrayList<>(List.of(ticker::shutdownNow, appenders::shutdown, credentials::close));
        List<ServerInterceptor> chain = new ArrayList<>();
        if (cfg.quota().enabled()) { // innermost: a refused request never reaches the handler
            chain.add(ProxyGovernance.rateLimiter(ctx, meta, serverId, stops));
        }
        chain.addAll(List.of(ProxyInterceptors.unimplementedAsStatus(), ProxyInterceptors.metrics(ctx.milvusMetrics(), serverId)));
        if (cfg.security().authorizationEnabled()) { // inside authentication, the database and the access log (logs refusals)
            RbacCache rbac = new RbacCache(ctx.metaKv(), ctx.metaRoot(), ctx.clock());
            stops.add(rbac::close);
            chain.add(new PrivilegeInterceptor(new Authorizer(rbac)));
        }
        if (cfg.accessLog().enabled()) { // inside authentication (reads the caller), outside the limiter (logs refusals)
            chain.add(ProxyGovernance.accessLog(ctx, stops));
        }
        chain.add(ProxyInterceptors.database());
        Authenticator authenticator = new Authenticator(credentials);
        if (cfg.security().authorizationEnabled()) {
            chain.add(new AuthInterceptor(authenticator)); // last = outermost: refuses before anything runs
        }
        var intercepted = ServerInterceptors.intercept(SecurityGrpcService.overlay(service.bindService(), security.bindService()), chain);
        rest.ifPresent(stops::add);
        if (rest.isPresent() && rest.get().mode() != RestEndpoint.Mode.OFF) {
            bindRest(rest.get(), intercepted, ctx, meta, authenticator);
        }
        SessionInfo session = SessionInfo.newBuilder().setServerId(serverId).setRole(RoleClients.PROXY)
                .setAddress(address).setStartTimeMs(ctx.clock().millis()).build();
        builder.addService(RequestDecoding.guard(intercepted)); // outermost: the chain only ever sees decoded requests
        return new RoleServer(builder, List.of(), ctx.sessions(), session, stops);
    }

    private static void bindRest(RestEndpoint rest, ServerServiceDefinition service, RoleContext ctx, MetaCache meta, Authenticator authenticator) {
        boolean auth = ctx.config().security().authorizationEnabled();
        int max = ctx.config().common().maxMessageSize();
        RestGateway gateway = new RestGateway(service, ctx.config().http(), (db, name) -> meta.collection(db, name).getSchema(),
                header -> auth && authenticator.decide(header) instanceof Authenticator.Decision.Refused r ? Optional.of(r.reason()) : Optional.empty(),
                max);
        try {
            rest.bind(gateway, max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            gateway.close();
            throw new IllegalStateException("interrupted while starting the REST port", e);
        }
    }
}
