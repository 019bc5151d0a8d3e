package io.quiver.proxy.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.quiver.common.config.HttpConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Where the REST API is served for each combination of proxy.http.enabled, proxy.http.port and public TLS. */
class RestEndpointTest {
    static HttpConfig http(boolean enabled, OptionalInt port) {
        return new HttpConfig(enabled, port, true, Duration.ofSeconds(30));
    }

    @Test
    void modes() throws Exception {
        Optional<SslContext> tls = Optional.of(SslContextBuilder.forClient().build()); // only its presence matters here
        try (RestEndpoint shared = new RestEndpoint(http(true, OptionalInt.empty()), Optional.empty(), "127.0.0.1");
             RestEndpoint own = new RestEndpoint(http(true, OptionalInt.of(0)), tls, "127.0.0.1");
             RestEndpoint tlsNoPort = new RestEndpoint(http(true, OptionalInt.empty()), tls, "127.0.0.1");
             RestEndpoint off = new RestEndpoint(http(false, OptionalInt.empty()), Optional.empty(), "127.0.0.1")) {
            assertThat(shared.mode()).isEqualTo(RestEndpoint.Mode.SHARED_PORT);
            assertThat(shared.sharedPortCredentials(1024)).isNotNull();
            assertThat(own.mode()).isEqualTo(RestEndpoint.Mode.OWN_PORT);
            assertThat(tlsNoPort.mode()).isEqualTo(RestEndpoint.Mode.OFF);
            assertThat(off.mode()).isEqualTo(RestEndpoint.Mode.OFF);
            assertThatThrownBy(() -> own.sharedPortCredentials(1024)).isInstanceOf(IllegalStateException.class);
        }
    }
}
