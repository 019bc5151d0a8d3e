package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.quiver.common.config.HttpConfig;
import io.quiver.common.util.Threads;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a proxy serves the REST API, per {@code proxy.http.*}: on the public port beside gRPC (the default, as Milvus),
 * on {@code proxy.http.port} (over TLS when the public port uses TLS), or nowhere ({@code enabled: false}, or TLS on
 * the public port without a separate port, which Milvus requires). The gateway is bound once the proxy's service
 * exists; connections arrive only after the server starts.
 */
public final class RestEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestEndpoint.class);

    /** How the REST API is served. */
    public enum Mode { SHARED_PORT, OWN_PORT, OFF }

    private final HttpConfig config;
    private final Optional<SslContext> publicTls;
    private final String host;
    private final Mode mode;
    private final ExecutorService workers = Executors.newCachedThreadPool(Threads.daemon("proxy-rest"));
    private volatile RestGateway gateway;
    private RestHttpServer ownPort;

    public RestEndpoint(HttpConfig config, Optional<SslContext> publicTls, String host) {
        this.config = requireNonNull(config, "config is null");
        this.publicTls = requireNonNull(publicTls, "publicTls is null");
        this.host = requireNonNull(host, "host is null");
        if (!config.enabled()) {
            mode = Mode.OFF;
        } else if (config.port().isPresent()) {
            mode = Mode.OWN_PORT;
        } else if (publicTls.isPresent()) {
            mode = Mode.OFF;
            LOG.warn("event=rest_disabled reason=the public port uses TLS (common.security.tlsMode) and proxy.http.port is not set:"
                    + " set it to serve the RESTful API on a port of its own, as Milvus requires");
        } else {
            mode = Mode.SHARED_PORT;
        }
    }

    public Mode mode() {
        return mode;
    }

    /** Credentials for the public port that also serve REST (only in {@link Mode#SHARED_PORT}). */
    public ServerCredentials sharedPortCredentials(int maxBodyBytes) {
        if (mode != Mode.SHARED_PORT) {
            throw new IllegalStateException("the REST API does not share the public port in mode " + mode);
        }
        return SharedPortNegotiator.credentials(this::gateway, workers, maxBodyBytes);
    }

    /** Binds the gateway; in {@link Mode#OWN_PORT} starts the REST port. */
    public void bind(RestGateway g, int maxBodyBytes) throws InterruptedException {
        this.gateway = requireNonNull(g, "gateway is null");
        if (mode == Mode.OWN_PORT) {
            ownPort = new RestHttpServer(new InetSocketAddress(host, config.port().getAsInt()), publicTls, g, workers, maxBodyBytes);
        }
        LOG.info("event=rest mode={} port={}", mode, ownPort == null ? "public" : Integer.toString(ownPort.port()));
    }

    private RestGateway gateway() {
        RestGateway g = gateway;
        if (g == null) {
            throw new IllegalStateException("the REST gateway is not bound yet");
        }
        return g;
    }

    @Override
    public void close() {
        if (ownPort != null) {
            ownPort.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        workers.shutdown();
    }
}
