package io.quiver.storage;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * How {@link EtcdMetaKv} reaches a secured etcd (Milvus' {@code etcd.ssl.*} and {@code etcd.auth.*} keys): TLS with the
 * CA that signed the server's certificate, an optional client certificate (etcd's {@code --client-cert-auth}), a
 * minimum TLS version, and etcd's user/password authentication. Either part may be used without the other.
 *
 * @param tls   TLS settings, or empty for plain text
 * @param login user and password, or empty when etcd's authentication is off
 */
public record EtcdSecurity(Optional<Tls> tls, Optional<Login> login) {
    public static final EtcdSecurity NONE = new EtcdSecurity(Optional.empty(), Optional.empty());

    public EtcdSecurity {
        requireNonNull(tls, "tls is null");
        requireNonNull(login, "login is null");
    }

    /**
     * @param caCert     the CA that signed etcd's server certificate (PEM)
     * @param clientCert the client certificate etcd asks for with {@code --client-cert-auth}, or null
     * @param clientKey  its PKCS#8 key, or null
     * @param minVersion "1.2" or "1.3" (Milvus' {@code etcd.ssl.tlsMinVersion}, default 1.3)
     */
    public record Tls(Path caCert, Path clientCert, Path clientKey, String minVersion) {
        private static final List<String> VERSIONS = List.of("1.2", "1.3");

        public Tls {
            requireNonNull(caCert, "caCert is null");
            if ((clientCert == null) != (clientKey == null)) {
                throw new IllegalArgumentException("etcd.ssl.tlsCert and etcd.ssl.tlsKey go together: give both or neither");
            }
            if (!VERSIONS.contains(minVersion)) {
                throw new IllegalArgumentException("etcd.ssl.tlsMinVersion must be one of " + VERSIONS + ", got '" + minVersion + "'");
            }
        }

        List<String> protocols() {
            return minVersion.equals("1.3") ? List.of("TLSv1.3") : List.of("TLSv1.3", "TLSv1.2");
        }
    }

    /** etcd's user and password; never printed. */
    public record Login(String user, String password) {
        public Login {
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("etcd.auth.userName must be set when etcd.auth.enabled is true");
            }
            requireNonNull(password, "password is null");
        }

        @Override
        public String toString() {
            return "Login[user=" + user + "]";
        }
    }

    /** Applies these settings to a jetcd client builder. */
    void applyTo(ClientBuilder builder) {
        login.ifPresent(l -> builder.user(ByteSequence.from(l.user(), StandardCharsets.UTF_8))
                .password(ByteSequence.from(l.password(), StandardCharsets.UTF_8)));
        if (tls.isPresent()) {
            Tls t = tls.get();
            try {
                SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(t.caCert().toFile())
                        .protocols(t.protocols());
                if (t.clientCert() != null) {
                    ssl.keyManager(t.clientCert().toFile(), t.clientKey().toFile());
                }
                builder.sslContext(ssl.build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("etcd TLS: cannot use " + files(t) + ": " + e.getMessage(), e);
            }
        }
    }

    private static String files(Tls t) {
        return t.clientCert() == null ? t.caCert().toString()
                : t.caCert() + ", " + t.clientCert() + File.pathSeparator + t.clientKey();
    }
}
