package io.quiver.common.config;

import io.quiver.storage.EtcdSecurity;
import io.quiver.storage.PulsarAuth;
import io.quiver.storage.S3Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Encryption and authentication of connections, with Milvus' key names: TLS on the public port
 * ({@code common.security.tlsMode}, {@code tls.*}), TLS between the roles of a cluster
 * ({@code common.security.internaltlsEnabled}, {@code internaltls.*}), and the secured forms of the dependencies
 * ({@code etcd.ssl.*}, {@code etcd.auth.*}, {@code minio.useSSL}, {@code minio.ssl.tlsCACert},
 * {@code pulsar.authPlugin}, {@code pulsar.authParams}). Files named here must exist at start-up.
 */
public record TransportSecurityConfig(PublicTls publicTls, InternalTls internalTls, EtcdSecurity etcd, S3Tls s3, PulsarAuth pulsar) {

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("common.security.tlsMode", "0");            // 0 plain, 1 server TLS, 2 mutual TLS (public port)
        d.put("tls.serverPemPath", "");
        d.put("tls.serverKeyPath", "");
        d.put("tls.caPemPath", "");                        // tlsMode 2: the CA client certificates must be signed by
        d.put("tls.reloadInterval", "10s");                // how often certificate files are checked for changes (0s: never)
        d.put("common.security.internaltlsEnabled", "false"); // mutual TLS between the roles of a cluster
        d.put("internaltls.serverPemPath", "");
        d.put("internaltls.serverKeyPath", "");
        d.put("internaltls.caPemPath", "");
        d.put("internaltls.sni", "localhost");             // the name the roles' certificates are checked against
        d.put("etcd.ssl.enabled", "false");
        d.put("etcd.ssl.tlsCACert", "");
        d.put("etcd.ssl.tlsCert", "");
        d.put("etcd.ssl.tlsKey", "");
        d.put("etcd.ssl.tlsMinVersion", "1.3");
        d.put("etcd.auth.enabled", "false");
        d.put("etcd.auth.userName", "");
        d.put("etcd.auth.password", "");
        d.put("minio.useSSL", "false");
        d.put("minio.ssl.tlsCACert", "");                  // empty: the JVM's trusted CAs
        d.put("pulsar.authPlugin", "");                    // token, or a Pulsar client authentication class
        d.put("pulsar.authParams", "");                    // token: {"token":"..."} or token:... or file:///path
        return d;
    }

    static TransportSecurityConfig from(Map<String, String> v) {
        PublicTls publicTls = new PublicTls(TlsMode.parse(v.get("common.security.tlsMode")), file(v, "tls.serverPemPath"),
                file(v, "tls.serverKeyPath"), file(v, "tls.caPemPath"), QuiverConfig.duration(v, "tls.reloadInterval"));
        InternalTls internal = new InternalTls(QuiverConfig.bool(v, "common.security.internaltlsEnabled"),
                file(v, "internaltls.serverPemPath"), file(v, "internaltls.serverKeyPath"), file(v, "internaltls.caPemPath"),
                v.get("internaltls.sni").strip());
        Optional<EtcdSecurity.Tls> etcdTls = QuiverConfig.bool(v, "etcd.ssl.enabled")
                ? Optional.of(new EtcdSecurity.Tls(required(v, "etcd.ssl.tlsCACert", "etcd.ssl.enabled"),
                        file(v, "etcd.ssl.tlsCert"), file(v, "etcd.ssl.tlsKey"), v.get("etcd.ssl.tlsMinVersion").strip()))
                : Optional.empty();
        Optional<EtcdSecurity.Login> login = QuiverConfig.bool(v, "etcd.auth.enabled")
                ? Optional.of(new EtcdSecurity.Login(v.get("etcd.auth.userName").strip(), v.get("etcd.auth.password")))
                : Optional.empty();
        S3Tls s3 = new S3Tls(QuiverConfig.bool(v, "minio.useSSL"), file(v, "minio.ssl.tlsCACert"));
        return new TransportSecurityConfig(publicTls, internal, new EtcdSecurity(etcdTls, login), s3,
                new PulsarAuth(v.get("pulsar.authPlugin"), v.get("pulsar.authParams")));
    }

    /** An existing file, or null when the key is empty. */
    private static Path file(Map<String, String> v, String key) {
        String s = v.get(key).strip();
        if (s.isEmpty()) {
            return null;
        }
        Path p = Path.of(s);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException("configuration key '" + key + "': no readable file at " + p.toAbsolutePath());
        }
        return p;
    }

    private static Path required(Map<String, String> v, String key, String because) {
        Path p = file(v, key);
        if (p == null) {
            throw new IllegalArgumentException("configuration key '" + key + "' must name a file when " + because + " is on");
        }
        return p;
    }

    /** {@code common.security.tlsMode}, as Milvus numbers it. */
    public enum TlsMode {
        PLAIN, SERVER, MUTUAL;

        static TlsMode parse(String s) {
            return switch (s.strip()) {
                case "0" -> PLAIN;
                case "1" -> SERVER;
                case "2" -> MUTUAL;
                default -> throw new IllegalArgumentException(
                        "configuration key 'common.security.tlsMode' must be 0 (plain), 1 (server TLS) or 2 (mutual TLS), got '" + s + "'");
            };
        }
    }

    /** TLS on the public port of standalone and of every proxy. */
    public record PublicTls(TlsMode mode, Path serverPem, Path serverKey, Path caPem, Duration reloadInterval) {
        public PublicTls {
            if (mode != TlsMode.PLAIN && (serverPem == null || serverKey == null)) {
                throw new IllegalArgumentException("common.security.tlsMode " + mode.ordinal()
                        + " needs tls.serverPemPath and tls.serverKeyPath");
            }
            if (mode == TlsMode.MUTUAL && caPem == null) {
                throw new IllegalArgumentException("common.security.tlsMode 2 needs tls.caPemPath (the CA client certificates are checked against)");
            }
            if (reloadInterval.isNegative()) {
                throw new IllegalArgumentException("tls.reloadInterval must not be negative");
            }
        }
    }

    /** Mutual TLS on every role's internal gRPC port and on the channels between roles. */
    public record InternalTls(boolean enabled, Path serverPem, Path serverKey, Path caPem, String sni) {
        public InternalTls {
            if (enabled && (serverPem == null || serverKey == null || caPem == null)) {
                throw new IllegalArgumentException("common.security.internaltlsEnabled needs internaltls.serverPemPath, "
                        + "internaltls.serverKeyPath and internaltls.caPemPath");
            }
            if (enabled && sni.isEmpty()) {
                throw new IllegalArgumentException("internaltls.sni must not be empty");
            }
        }
    }
}
