package io.quiver.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.config.TransportSecurityConfig;
import io.quiver.common.grpc.Channels;
import io.quiver.common.tls.ReloadingSslContext;
import io.quiver.common.tls.TlsContexts;
import io.quiver.common.tls.TlsOnlyNegotiator;
import io.quiver.proxy.rest.RestEndpoint;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of one process's ports and channels: the public port (standalone, proxy) per {@code common.security.tlsMode};
 * the internal ports of cluster roles and the channels between them per {@code common.security.internaltlsEnabled}.
 * Standalone's roles talk through in-process channels, which never leave the JVM: internal TLS has nothing to secure
 * there and is reported as such at start-up.
 */
final class NodeTls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeTls.class);

    private final Optional<ReloadingSslContext> publicServer;
    private final Optional<ReloadingSslContext> internalServer;
    private final Optional<ReloadingSslContext> internalClient;
    private final String sni;
    private final int publicMode;
    private final TransportSecurityConfig.PublicTls publicTls;
    private Optional<ReloadingSslContext> publicHttp = Optional.empty(); // guarded by this

    /** {@code servesPublicPort}: standalone or a proxy; {@code standalone}: every role in this JVM. */
    NodeTls(QuiverConfig config, boolean servesPublicPort, boolean standalone) {
        TransportSecurityConfig t = config.transport();
        this.publicServer = servesPublicPort ? TlsContexts.publicServer(t.publicTls()) : Optional.empty();
        if (t.publicTls().mode() == TransportSecurityConfig.TlsMode.SERVER && t.publicTls().caPem() != null) {
            // Milvus' configuration files name all three paths; the CA matters only when client certificates are checked
            LOG.warn("event=tls_setting_unused key=tls.caPemPath reason=client certificates are checked only with common.security.tlsMode 2");
        }
        boolean internal = t.internalTls().enabled() && !standalone;
        if (t.internalTls().enabled() && standalone) {
            LOG.info("event=internal_tls_unused reason=standalone roles use in-process channels only");
        }
        this.internalServer = internal ? Optional.of(TlsContexts.internalServer(t.internalTls(), t.publicTls().reloadInterval()))
                : Optional.empty();
        this.internalClient = internal ? Optional.of(TlsContexts.internalClient(t.internalTls(), t.publicTls().reloadInterval()))
                : Optional.empty();
        this.sni = t.internalTls().sni();
        this.publicMode = t.publicTls().mode().ordinal();
        this.publicTls = t.publicTls();
        LOG.info("event=tls publicTlsMode={} internalTls={}", t.publicTls().mode().ordinal(), internal);
    }

    /** The REST port's TLS context (the public port's certificate, HTTP/1.1), when the public port uses TLS. */
    Optional<SslContext> publicHttpContext() {
        if (publicServer.isEmpty()) {
            return Optional.empty();
        }
        synchronized (this) {
            if (publicHttp.isEmpty()) {
                publicHttp = TlsContexts.publicHttpServer(publicTls);
            }
            return publicHttp.map(c -> c);
        }
    }

    /** Channels to other roles: TLS when internal TLS is on. */
    Channels channels(int maxMessageBytes) {
        return internalClient.map(c -> new Channels(maxMessageBytes, c, sni)).orElseGet(() -> new Channels(maxMessageBytes));
    }

    /**
     * A Netty server on {@code address}: the public port when {@code publicPort}, else a role's internal port; TLS-only
     * (plain-text clients are answered with an error naming the setting) when the configuration asks for TLS there.
     */
    NettyServerBuilder serverBuilder(InetSocketAddress address, boolean publicPort) {
        return serverBuilder(address, publicPort, Optional.empty(), 0);
    }

    /** As above; a plain-text public port also serves {@code rest} when the REST API shares it. */
    NettyServerBuilder serverBuilder(InetSocketAddress address, boolean publicPort, Optional<RestEndpoint> rest, int maxBodyBytes) {
        Optional<ReloadingSslContext> tls = publicPort ? publicServer : internalServer;
        if (tls.isEmpty()) {
            if (publicPort && rest.isPresent() && rest.get().mode() == RestEndpoint.Mode.SHARED_PORT) {
                return NettyServerBuilder.forAddress(address, rest.get().sharedPortCredentials(maxBodyBytes));
            }
            return NettyServerBuilder.forAddress(address);
        }
        String refusal = publicPort
                ? "this port accepts TLS connections only (common.security.tlsMode=" + publicMode + "): connect with "
                        + "secure=true or an https:// address and the CA that signed the server certificate"
                : "this internal port accepts mutual TLS connections only (common.security.internaltlsEnabled=true)";
        return NettyServerBuilder.forAddress(address, TlsOnlyNegotiator.credentials(tls.get(), refusal));
    }

    @Override
    public void close() {
        List<ReloadingSslContext> all = new ArrayList<>();
        publicServer.ifPresent(all::add);
        synchronized (this) {
            publicHttp.ifPresent(all::add);
        }
        internalServer.ifPresent(all::add);
        internalClient.ifPresent(all::add);
        all.forEach(ReloadingSslContext::close);
    }
}
