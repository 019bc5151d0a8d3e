package io.quiver.common.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The proxy's RESTful API v2, with Milvus' keys ({@code proxy.http.*}): on by default and served on the public port
 * beside gRPC; {@code port} moves it to a port of its own (Milvus requires that when the public port uses TLS).
 * {@code acceptTypeAllowInt64} is the default of the {@code Accept-Type-Allow-Int64} header (false: int64 values are
 * written as JSON strings); {@code requestTimeoutMs} the default of the {@code Request-Timeout} header.
 */
public record HttpConfig(boolean enabled, OptionalInt port, boolean acceptTypeAllowInt64, Duration requestTimeout) {
    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("proxy.http.enabled", "true");
        d.put("proxy.http.port", "");              // empty: the public port (common.port), as Milvus
        d.put("proxy.http.acceptTypeAllowInt64", "true");
        d.put("proxy.http.requestTimeoutMs", "30000");
        return d;
    }

    static HttpConfig from(Map<String, String> v) {
        String port = v.get("proxy.http.port").trim();
        return new HttpConfig(QuiverConfig.bool(v, "proxy.http.enabled"),
                port.isEmpty() ? OptionalInt.empty() : OptionalInt.of(QuiverConfig.integer(v, "proxy.http.port")),
                QuiverConfig.bool(v, "proxy.http.acceptTypeAllowInt64"),
                Duration.ofMillis(QuiverConfig.integer(v, "proxy.http.requestTimeoutMs")));
    }

    public HttpConfig {
        if (port.isPresent() && (port.getAsInt() < 0 || port.getAsInt() > 65535)) {
            throw new IllegalArgumentException("proxy.http.port must be in 0..65535, got " + port.getAsInt());
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("proxy.http.requestTimeoutMs must be positive, got " + requestTimeout.toMillis());
        }
    }
}
