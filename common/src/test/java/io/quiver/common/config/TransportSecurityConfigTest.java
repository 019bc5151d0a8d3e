package io.quiver.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.config.TransportSecurityConfig.TlsMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransportSecurityConfigTest {
    @TempDir
    Path tmp;
    private String pem;

    @BeforeEach
    void files() throws Exception {
        pem = Files.writeString(tmp.resolve("x.pem"), "pem").toString();
    }

    @Test
    void defaultsArePlainEverywhere() {
        TransportSecurityConfig t = QuiverConfig.defaultsOnly().transport();
        assertThat(t.publicTls().mode()).isEqualTo(TlsMode.PLAIN);
        assertThat(t.publicTls().serverPem()).isNull();
        assertThat(t.publicTls().reloadInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(t.internalTls().enabled()).isFalse();
        assertThat(t.internalTls().sni()).isEqualTo("localhost");
        assertThat(t.etcd().tls()).isEmpty();
        assertThat(t.etcd().login()).isEmpty();
        assertThat(t.s3().useSsl()).isFalse();
        assertThat(t.s3().caCert()).isNull();
        assertThat(t.pulsar().enabled()).isFalse();
    }

    @Test
    void fullMappingWithMilvusKeyNames() {
        Map<String, String> m = new HashMap<>();
        m.put("common.security.tlsMode", "2");
        m.put("tls.serverPemPath", pem);
        m.put("tls.serverKeyPath", pem);
        m.put("tls.caPemPath", pem);
        m.put("tls.reloadInterval", "0s");
        m.put("common.security.internaltlsEnabled", "true");
        m.put("internaltls.serverPemPath", pem);
        m.put("internaltls.serverKeyPath", pem);
        m.put("internaltls.caPemPath", pem);
        m.put("internaltls.sni", "quiver.internal");
        m.put("etcd.ssl.enabled", "true");
        m.put("etcd.ssl.tlsCACert", pem);
        m.put("etcd.ssl.tlsCert", pem);
        m.put("etcd.ssl.tlsKey", pem);
        m.put("etcd.ssl.tlsMinVersion", "1.2");
        m.put("etcd.auth.enabled", "true");
        m.put("etcd.auth.userName", "root");
        m.put("etcd.auth.password", "etcd-pw");
        m.put("minio.useSSL", "true");
        m.put("minio.ssl.tlsCACert", pem);
        m.put("pulsar.authPlugin", "token");
        m.put("pulsar.authParams", "{\"token\":\"abc\"}");
        TransportSecurityConfig t = QuiverConfig.fromMap(m).transport();
        assertThat(t.publicTls().mode()).isEqualTo(TlsMode.MUTUAL);
        assertThat(t.publicTls().caPem()).isEqualTo(Path.of(pem));
        assertThat(t.publicTls().reloadInterval()).isZero();
        assertThat(t.internalTls().enabled()).isTrue();
        assertThat(t.internalTls().sni()).isEqualTo("quiver.internal");
        assertThat(t.etcd().tls().orElseThrow().minVersion()).isEqualTo("1.2");
        assertThat(t.etcd().tls().orElseThrow().clientCert()).isEqualTo(Path.of(pem));
        assertThat(t.etcd().login().orElseThrow().user()).isEqualTo("root");
        assertThat(t.etcd().login().orElseThrow().toString()).doesNotContain("etcd-pw");
        assertThat(t.s3().useSsl()).isTrue();
        assertThat(t.pulsar().plugin()).isEqualTo("token");
        assertThat(t.pulsar().toString()).doesNotContain("abc");
    }

    @Test
    void badSettingsFailStartUpWithTheKey() {
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("common.security.tlsMode", "3")))
                .hasMessageContaining("common.security.tlsMode").hasMessageContaining("got '3'");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("common.security.tlsMode", "1")))
                .hasMessageContaining("needs tls.serverPemPath and tls.serverKeyPath");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("common.security.tlsMode", "2", "tls.serverPemPath", pem, "tls.serverKeyPath", pem)))
                .hasMessageContaining("needs tls.caPemPath");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("tls.serverPemPath", tmp.resolve("missing.pem").toString())))
                .hasMessageContaining("'tls.serverPemPath': no readable file at");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("common.security.internaltlsEnabled", "true")))
                .hasMessageContaining("internaltls.serverPemPath");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("etcd.ssl.enabled", "true")))
                .hasMessageContaining("'etcd.ssl.tlsCACert' must name a file");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("etcd.ssl.enabled", "true", "etcd.ssl.tlsCACert", pem, "etcd.ssl.tlsMinVersion", "1.0")))
                .hasMessageContaining("etcd.ssl.tlsMinVersion");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("etcd.auth.enabled", "true")))
                .hasMessageContaining("etcd.auth.userName");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("minio.ssl.tlsCACert", pem)))
                .hasMessageContaining("minio.useSSL is false");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("pulsar.authPlugin", "token")))
                .hasMessageContaining("needs pulsar.authParams");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("tls.reloadInterval", "-1s")))
                .hasMessageContaining("tls.reloadInterval");
    }
}
