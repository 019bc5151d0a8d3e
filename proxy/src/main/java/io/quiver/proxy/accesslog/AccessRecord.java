package io.quiver.proxy.accesslog;

import java.time.Instant;

/**
 * One served request as the access log prints it. Empty strings where a request has no such thing (no collection,
 * no authenticated user); {@code code} is the Milvus status code of the response (0: success).
 */
public record AccessRecord(Instant start, Instant end, String user, String userAddress, String method, int code, String reason,
                           long latencyNanos, String database, String collection, String partitions) {}
