package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import okhttp3.OkHttpClient;
import org.apache.pulsar.client.api.Authentication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The secured forms of the dependencies' clients: their settings, not the servers (see the cluster test for those). */
class StorageSecurityTest {
    @TempDir
    Path tmp;

    @Test
    void pulsarTokenInMilvusJsonFormOrJavaForm() throws Exception {
        assertThat(PulsarAuth.tokenParams("{\"token\":\"eyJ.a.b\"}")).isEqualTo("token:eyJ.a.b");
        assertThat(PulsarAuth.tokenParams("token:eyJ.a.b")).isEqualTo("token:eyJ.a.b");
        assertThat(PulsarAuth.tokenParams("file:///run/token")).isEqualTo("file:///run/token");
        assertThatThrownBy(() -> PulsarAuth.tokenParams("{\"tok\":1}")).hasMessageContaining("{\"token\":\"<token>\"}");
        Authentication auth = new PulsarAuth("token", "{\"token\":\"eyJ.a.b\"}").authentication();
        assertThat(auth.getAuthMethodName()).isEqualTo("token");
        assertThat(new String(auth.getAuthData().getCommandData().getBytes())).isEqualTo("eyJ.a.b");
        assertThat(PulsarAuth.NONE.enabled()).isFalse();
        assertThatThrownBy(() -> new PulsarAuth("", "token:x")).hasMessageContaining("pulsar.authPlugin is empty");
        assertThatThrownBy(() -> new PulsarAuth("com.example.NoSuchPlugin", "x").authentication())
                .hasMessageContaining("com.example.NoSuchPlugin").hasMessageNotContaining("x\"");
    }

    @Test
    void s3SchemeFollowsUseSslAndAPrivateCaIsTrusted() throws Exception {
        assertThat(S3Tls.PLAIN.endpoint("127.0.0.1:9000")).isEqualTo("http://127.0.0.1:9000");
        assertThat(new S3Tls(true, null).endpoint("127.0.0.1:9000")).isEqualTo("https://127.0.0.1:9000");
        assertThatThrownBy(() -> new S3Tls(true, null).endpoint("http://h:1")).hasMessageContaining("minio.useSSL is true");
        assertThatThrownBy(() -> S3Tls.PLAIN.endpoint("https://h:1")).hasMessageContaining("minio.useSSL is false");
        Path ca = Path.of("../common/src/test/resources/tls/a/ca.pem");
        OkHttpClient.Builder http = new OkHttpClient.Builder();
        new S3Tls(true, ca).applyTo(http);
        assertThat(http.build().x509TrustManager().getAcceptedIssuers()).hasSize(1);
        Path notPem = Files.writeString(tmp.resolve("x.pem"), "nothing");
        assertThatThrownBy(() -> new S3Tls(true, notPem).applyTo(new OkHttpClient.Builder())).hasMessageContaining("minio.ssl.tlsCACert");
    }

    @Test
    void etcdTlsAndLoginSettings() {
        Path ca = Path.of("../common/src/test/resources/tls/a/ca.pem");
        assertThat(new EtcdSecurity.Tls(ca, null, null, "1.3").protocols()).containsExactly("TLSv1.3");
        assertThat(new EtcdSecurity.Tls(ca, null, null, "1.2").protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThatThrownBy(() -> new EtcdSecurity.Tls(ca, ca, null, "1.3")).hasMessageContaining("go together");
        assertThatThrownBy(() -> new EtcdSecurity.Login(" ", "pw")).hasMessageContaining("etcd.auth.userName");
        ClientBuilder builder = Client.builder().endpoints("http://127.0.0.1:1");
        new EtcdSecurity(Optional.of(new EtcdSecurity.Tls(ca, null, null, "1.3")), Optional.of(new EtcdSecurity.Login("root", "pw")))
                .applyTo(builder);
        assertThat(builder.sslContext()).isNotNull();
        assertThat(builder.user().toString()).isEqualTo("root");
        Path bad = Path.of("../common/src/test/resources/tls/a/server.key");
        assertThatThrownBy(() -> new EtcdSecurity(Optional.of(new EtcdSecurity.Tls(bad, null, null, "1.3")), Optional.empty())
                .applyTo(Client.builder())).hasMessageContaining("etcd TLS: cannot use");
    }
}
