package io.quiver.server;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.quiver.common.RoleContext;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.grpc.Channels;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.grpc.RoleServer;
import io.quiver.common.metrics.MetricsHttpServer;
import io.quiver.common.metrics.MeteredStorage;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.metrics.RuntimeMetrics;
import io.quiver.common.session.SessionManager;
import io.quiver.datacoord.DataCoordServer;
import io.quiver.datanode.DataNodeServer;
import io.quiver.indexnode.IndexNodeServer;
import io.quiver.proxy.ProxyServer;
import io.quiver.proxy.rest.RestEndpoint;
import io.quiver.querycoord.QueryCoordServer;
import io.quiver.querynode.QueryNodeServer;
import io.quiver.rootcoord.RootCoordServer;
import io.quiver.storage.EtcdMetaKv;
import io.quiver.storage.LocalMetaKv;
import io.quiver.storage.MinioObjectStore;
import io.quiver.storage.PulsarWal;
import io.quiver.storage.Retry;
import io.quiver.storage.LocalObjectStore;
import io.quiver.storage.LocalWal;
import io.quiver.storage.MetaKv;
import io.quiver.storage.ObjectStore;
import io.quiver.storage.Wal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Quiver process: its storage backends, sessions, metrics endpoint and the roles it runs. Standalone runs
 * all seven roles connected by in-process channels (same service code, no sockets inside) and serves the
 * public API on Netty; a cluster process runs one role on Netty.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    public static final List<String> ROLES = List.of(RoleClients.ROOTCOORD, RoleClients.DATACOORD, RoleClients.QUERYCOORD,
            RoleClients.DATANODE, RoleClients.QUERYNODE, RoleClients.INDEXNODE, RoleClients.PROXY);
    static final java.util.Map<String, Integer> DEFAULT_PORTS = java.util.Map.of(
            RoleClients.ROOTCOORD, 53100, RoleClients.DATACOORD, 13333, RoleClients.QUERYCOORD, 19531,
            RoleClients.DATANODE, 21124, RoleClients.QUERYNODE, 21123, RoleClients.INDEXNODE, 21121, RoleClients.PROXY, 19530);

    private final QuiverConfig config;
    private final MetaKv metaKv;
    private final ObjectStore objects;
    private final Wal wal;
    private final SessionManager sessions;
    private final Channels channels;
    private final PrometheusMeterRegistry registry;
    private final MetricsRegistry milvusMetrics;
    private final List<RoleServer> servers = new ArrayList<>();
    private final List<String> roles;
    private MetricsHttpServer metricsServer;
    private volatile boolean started;
    private final boolean ownsMetaStore;
    private final NodeTls tls;

    private Node(QuiverConfig config, List<String> roles) throws IOException {
        this.config = requireNonNull(config, "config is null");
        this.roles = List.copyOf(roles);
        var s = config.storage();
        Path dir = config.common().dataDir().toAbsolutePath();
        boolean anyLocal = s.metaKv().equals("local") || s.objectStore().equals("local") || s.wal().equals("local");
        if (anyLocal) {
            Files.createDirectories(dir);
        }
        String cluster = config.common().clusterName();
        var secured = config.transport();
        PrometheusRegistry prometheus = new PrometheusRegistry();
        this.milvusMetrics = new MetricsRegistry(prometheus);
        this.metaKv = MeteredStorage.metaKv(s.metaKv().equals("etcd")
                ? new EtcdMetaKv(s.etcdEndpoints(), EtcdMetaKv.DEFAULT_CALL_TIMEOUT, Retry.DEFAULT, secured.etcd())
                : new LocalMetaKv(dir.resolve("meta"), InstantSource.system()), milvusMetrics);
        this.objects = MeteredStorage.objectStore(s.objectStore().equals("minio")
                ? Retry.STARTUP.call("s3 bucket at start-up", () -> new MinioObjectStore(s.minioAddress(), secured.s3(),
                        s.minioAccessKey(), s.minioSecretKey(), s.minioBucket(), cluster + "/", MinioObjectStore.DEFAULT_PART_SIZE, Retry.DEFAULT))
                : new LocalObjectStore(dir.resolve("objects")), milvusMetrics);
        // storage.walRetention applies to LocalWal only; Pulsar's retention is the namespace policy (PulsarWal)
        this.wal = MeteredStorage.wal(s.wal().equals("pulsar")
                ? new PulsarWal(s.pulsarAddress(), "public/default", cluster, PulsarWal.DEFAULT_OPERATION_TIMEOUT, secured.pulsar())
                : new LocalWal(dir.resolve("wal"), LocalWal.Options.defaults().withRetention(s.walRetention())), milvusMetrics);
        this.ownsMetaStore = s.metaKv().equals("local");
        this.sessions = new SessionManager(metaKv, config.common().clusterName() + "/meta", config.common().sessionTtl());
        this.tls = new NodeTls(config, roles.contains(RoleClients.PROXY), roles.size() > 1);
        this.channels = tls.channels(config.common().maxMessageSize());
        // one Prometheus registry per process: Milvus' families and Micrometer's quiver_/jvm_ meters both write into it
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, prometheus, Clock.SYSTEM);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    /** All seven roles in one JVM, the public API on {@code common.port}. */
    public static Node standalone(QuiverConfig config) throws IOException {
        return new Node(config, ROLES);
    }

    /** One role of a cluster. */
    public static Node role(QuiverConfig config, String role) throws IOException {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "', expected one of " + ROLES + " or standalone");
        }
        return new Node(config, List.of(role));
    }

    public Node start() throws IOException {
        RoleContext ctx = new RoleContext(config, metaKv, objects, wal, sessions,
                new RoleClients(sessions, channels, config.common().rpcTimeout()), registry, milvusMetrics, InstantSource.system());
        boolean standalone = roles.size() > 1;
        String cluster = config.common().clusterName();
        if (standalone && ownsMetaStore) {
            sessions.clearAll(); // this process owns the embedded store: earlier sessions are all dead
        }
        for (String role : roles) {
            long id = sessions.allocateServerId();
            ServerBuilder<?> builder;
            String address;
            Optional<RestEndpoint> rest = Optional.empty();
            if (role.equals(RoleClients.PROXY) || !standalone) {
                int port = role.equals(RoleClients.PROXY) || config.common().port() != 19530 ? config.common().port() : DEFAULT_PORTS.get(role);
                rest = role.equals(RoleClients.PROXY) ? Optional.of(new RestEndpoint(config.http(), tls.publicHttpContext(), config.common().host()))
                        : Optional.empty();
                builder = tls.serverBuilder(new java.net.InetSocketAddress(config.common().host(), port), role.equals(RoleClients.PROXY),
                                rest, config.common().maxMessageSize())
                        .maxInboundMessageSize(config.common().maxMessageSize())
                        .permitKeepAliveTime(10, TimeUnit.SECONDS)
                        .permitKeepAliveWithoutCalls(true);
                address = config.common().advertiseHost() + ":" + port;
            } else {
                String name = cluster + "-" + role + "-" + id + "-" + ProcessHandle.current().pid();
                InProcessServerBuilder inproc = InProcessServerBuilder.forName(name).maxInboundMessageSize(config.common().maxMessageSize());
                if (role.equals(RoleClients.QUERYNODE)) {
                    // the proxy's shard calls run the querynode's handler on the calling thread: no hand-off to a server
                    // executor and back on every search (the caller is a proxy request thread, never an event loop)
                    inproc.directExecutor();
                }
                builder = inproc;
                address = Channels.INPROC + name;
            }
            RoleServer server = switch (role) {
                case RoleClients.ROOTCOORD -> RootCoordServer.create(ctx, builder, address, id);
                case RoleClients.DATACOORD -> DataCoordServer.create(ctx, builder, address, id);
                case RoleClients.QUERYCOORD -> QueryCoordServer.create(ctx, builder, address, id);
                case RoleClients.DATANODE -> DataNodeServer.create(ctx, builder, address, id);
                case RoleClients.QUERYNODE -> QueryNodeServer.create(ctx, builder, address, id);
                case RoleClients.INDEXNODE -> IndexNodeServer.create(ctx, builder, address, id);
                case RoleClients.PROXY -> ProxyServer.create(ctx, builder, address, id, this::healthy, rest);
                default -> throw new IllegalArgumentException(role);
            };
            servers.add(server.start());
        }
        metricsServer = new MetricsHttpServer(config.common().host(), config.common().metricsPort(), milvusMetrics, RuntimeMetrics.ofThisProcess(),
                this::healthy);
        started = true;
        LOG.info("quiver started roles={} port={} metricsPort={} dataDir={}", roles, config.common().port(), metricsServer.port(),
                config.common().dataDir().toAbsolutePath());
        return this;
    }

    /** Serving: started, and every role this process depends on has a live session. */
    public boolean healthy() {
        if (!started) {
            return false;
        }
        try {
            return rolesRegistered();
        } catch (RuntimeException e) {
            return false; // the meta store (etcd) is unreachable: not ready until it answers again
        }
    }

    private boolean rolesRegistered() {
        // standalone: every role; a proxy also needs the coordinators it calls; other roles: themselves
        Set<String> needed = roles.size() > 1 ? Set.copyOf(ROLES)
                : roles.get(0).equals(RoleClients.PROXY) ? Set.of(RoleClients.PROXY, RoleClients.ROOTCOORD, RoleClients.DATACOORD, RoleClients.QUERYCOORD)
                : Set.of(roles.get(0));
        for (String r : needed) {
            if (sessions.list(r).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    public int metricsPort() {
        return metricsServer.port();
    }

    public void blockUntilShutdown() throws InterruptedException {
        for (RoleServer s : servers) {
            s.blockUntilShutdown();
        }
    }

    @Override
    public void close() {
        started = false;
        if (metricsServer != null) {
            metricsServer.close();
        }
        for (RoleServer s : servers.reversed()) {
            s.stop();
        }
        channels.close();
        tls.close();
        sessions.close();
        wal.close();
        objects.close();
        metaKv.close();
        LOG.info("quiver stopped");
    }
}
