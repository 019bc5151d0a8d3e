package io.quiver.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class HttpConfigTest {
    @Test
    void defaultsServeRestOnThePublicPort() {
        HttpConfig h = QuiverConfig.defaultsOnly().http();
        assertThat(h.enabled()).isTrue();
        assertThat(h.port()).isEqualTo(OptionalInt.empty());
        assertThat(h.acceptTypeAllowInt64()).isTrue();
        assertThat(h.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void fullMapping() {
        HttpConfig h = QuiverConfig.fromMap(Map.of("proxy.http.enabled", "false", "proxy.http.port", "19121",
                "proxy.http.acceptTypeAllowInt64", "false", "proxy.http.requestTimeoutMs", "1500")).http();
        assertThat(h).isEqualTo(new HttpConfig(false, OptionalInt.of(19121), false, Duration.ofMillis(1500)));
    }

    @Test
    void refusesBadValues() {
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("proxy.http.port", "70000")))
                .hasMessageContaining("proxy.http.port");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("proxy.http.requestTimeoutMs", "0")))
                .hasMessageContaining("proxy.http.requestTimeoutMs");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("proxy.http.debug_mode", "true")))
                .hasMessageContaining("unknown configuration key 'proxy.http.debug_mode'");
    }
}
