package io.quiver.proxy.rest;

import io.quiver.proxy.rest.RestGateway.SchemaLookup;
import java.util.HashMap;
import java.util.Map;

/** Every REST v2 endpoint, by its path under {@code /v2/vectordb/}. */
final class RestRoutes {
    private RestRoutes() {}

    static Map<String, RestRoute> all(SchemaLookup schemas) {
        Map<String, RestRoute> r = new HashMap<>();
        CollectionRoutes.register(r);
        EntityRoutes.register(r, schemas);
        SchemaObjectRoutes.register(r);
        SecurityRoutes.register(r);
        JobRoutes.register(r);
        return Map.copyOf(r);
    }
}
