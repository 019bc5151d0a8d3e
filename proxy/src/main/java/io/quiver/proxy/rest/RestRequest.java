package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

/**
 * One HTTP request as the gateway needs it, independent of the HTTP server: the path, the headers Milvus' REST API
 * reads (absent ones null) and the body.
 *
 * @param authorization {@code Authorization}: {@code Bearer user:password}, {@code Bearer <token>} or {@code Basic ...}
 * @param dbName {@code DB-Name}
 * @param acceptInt64 {@code Accept-Type-Allow-Int64}
 * @param timeoutSeconds {@code Request-Timeout}
 */
public record RestRequest(String method, String path, String authorization, String dbName, String acceptInt64,
                          String timeoutSeconds, byte[] body) {
    public RestRequest {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        requireNonNull(body, "body is null");
    }
}
