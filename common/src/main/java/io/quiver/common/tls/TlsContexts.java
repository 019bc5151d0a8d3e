package io.quiver.common.tls;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.quiver.common.config.TransportSecurityConfig.InternalTls;
import io.quiver.common.config.TransportSecurityConfig.PublicTls;
import io.quiver.common.config.TransportSecurityConfig.TlsMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The TLS contexts of a Quiver process, from its configuration, each reloading its files on change.
 *
 * <ul>
 *   <li>Public port, {@code tlsMode} 1: the server certificate, TLS 1.2 or 1.3 (as Milvus, Go's default floor).</li>
 *   <li>Public port, {@code tlsMode} 2: also a client certificate signed by {@code tls.caPemPath}, required, and TLS
 *       1.3 only (Milvus' {@code RequireAndVerifyClientCert} with {@code MinVersion: tls.VersionTLS13}).</li>
 *   <li>Internal ports: mutual TLS 1.3 with the one certificate every role presents, signed by
 *       {@code internaltls.caPemPath}. Milvus 2.5 checks only the server's certificate there; Quiver also checks the
 *       caller's, because the internal services trust their callers (no credentials are checked behind the proxy), so
 *       anyone who could open a TLS connection to an internal port could otherwise bypass authentication.</li>
 * </ul>
 */
public final class TlsContexts {
    private static final List<String> TLS13 = List.of("TLSv1.3");
    private static final List<String> TLS12_13 = List.of("TLSv1.3", "TLSv1.2");

    private TlsContexts() {}

    /** The public port's server context, or empty for {@code tlsMode} 0. */
    public static Optional<ReloadingSslContext> publicServer(PublicTls tls) {
        return publicServer(tls, "public port", () -> GrpcSslContexts.forServer(tls.serverPem().toFile(), tls.serverKey().toFile()));
    }

    /**
     * The REST port's server context ({@code proxy.http.port} with {@code tlsMode} 1 or 2): the public port's files and
     * rules, without gRPC's ALPN (which offers only h2), so HTTP/1.1 clients negotiate HTTP/1.1.
     */
    public static Optional<ReloadingSslContext> publicHttpServer(PublicTls tls) {
        return publicServer(tls, "REST port", () -> SslContextBuilder.forServer(tls.serverPem().toFile(), tls.serverKey().toFile()));
    }

    private static Optional<ReloadingSslContext> publicServer(PublicTls tls, String name, Supplier<SslContextBuilder> builder) {
        if (tls.mode() == TlsMode.PLAIN) {
            return Optional.empty();
        }
        boolean mutual = tls.mode() == TlsMode.MUTUAL;
        List<Path> files = new ArrayList<>(List.of(tls.serverPem(), tls.serverKey()));
        if (mutual) {
            files.add(tls.caPem());
        }
        return Optional.of(new ReloadingSslContext(name, files, () -> {
            var b = builder.get();
            if (mutual) {
                b.trustManager(tls.caPem().toFile()).clientAuth(ClientAuth.REQUIRE).protocols(TLS13);
            } else {
                b.protocols(TLS12_13);
            }
            return b.build();
        }).watch(tls.reloadInterval()));
    }

    /** The internal ports' server context: mutual TLS 1.3 against {@code internaltls.caPemPath}. */
    public static ReloadingSslContext internalServer(InternalTls tls, Duration reloadInterval) {
        return new ReloadingSslContext("internal server", files(tls), () -> GrpcSslContexts
                .forServer(tls.serverPem().toFile(), tls.serverKey().toFile())
                .trustManager(tls.caPem().toFile()).clientAuth(ClientAuth.REQUIRE).protocols(TLS13).build())
                .watch(reloadInterval);
    }

    /** The context of channels to other roles: presents the role's certificate, trusts {@code internaltls.caPemPath}. */
    public static ReloadingSslContext internalClient(InternalTls tls, Duration reloadInterval) {
        return new ReloadingSslContext("internal client", files(tls), () -> GrpcSslContexts.forClient()
                .keyManager(tls.serverPem().toFile(), tls.serverKey().toFile())
                .trustManager(tls.caPem().toFile()).protocols(TLS13).build())
                .watch(reloadInterval);
    }

    private static List<Path> files(InternalTls tls) {
        return List.of(tls.serverPem(), tls.serverKey(), tls.caPem());
    }
}
