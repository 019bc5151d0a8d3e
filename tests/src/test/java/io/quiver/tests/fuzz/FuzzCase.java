package io.quiver.tests.fuzz;

/**
 * One fuzzed call: the full gRPC method name, the request bytes, how they were made and what the server may answer.
 * {@code dbHeader} is the {@code dbname} metadata to send (null: none). {@code mustRefuse}: the request is invalid by
 * Milvus' rules, so a success status is a finding too.
 */
record FuzzCase(String method, byte[] body, Kind kind, String mutation, boolean mustRefuse, String dbHeader) {
    enum Kind {
        /** The default instance of the request type (zero bytes on the wire). */
        EMPTY,
        /** Every field random, by the descriptor. */
        RANDOM,
        /** A valid request with one hostile change. */
        MUTATED,
        /** Random or truncated bytes that need not decode. */
        GARBAGE,
        /** A method the server does not serve. */
        UNKNOWN_METHOD,
        /** Larger than the server's maximum message size. */
        OVERSIZED
    }

    FuzzCase withDbHeader(String db) {
        return new FuzzCase(method, body, kind, mutation, mustRefuse, db);
    }

    String describe() {
        return kind + " " + method.substring(method.indexOf('/') + 1) + (mutation.isEmpty() ? "" : " [" + mutation + "]")
                + (dbHeader == null ? "" : " dbname=" + abbreviate(dbHeader)) + " bytes=" + body.length;
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 24) + "..." : s;
    }
}
