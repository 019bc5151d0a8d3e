package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.quiver.common.config.HttpConfig;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Milvus' RESTful API v2 ({@code POST /v2/vectordb/<category>/<action>}) as a thin adapter: each route builds the
 * Milvus protobuf request from the JSON body and calls the proxy's own gRPC service through an in-process channel,
 * with the caller's credentials as the {@code authorization} header and the database as the {@code dbname} header.
 * The call therefore passes the same interceptor chain as a gRPC client's (authentication, RBAC, rate limits, access
 * log, metrics) and reaches the same handlers; nothing here decides what a request means.
 *
 * <p>Routes that need the collection's schema to read the body (insert rows, search vectors) take it from the proxy's
 * meta cache, which is not an RPC and has no privilege check: so that the cache never answers an unauthenticated
 * caller (not even "collection not found"), the credentials are checked first with the proxy's authenticator.
 */
public final class RestGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RestGateway.class);
    public static final String PREFIX = "/v2/vectordb/";
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> DBNAME = Metadata.Key.of("dbname", Metadata.ASCII_STRING_MARSHALLER);
    private static final AtomicLong SEQ = new AtomicLong();

    /** The collection's schema for routes that need it to read the body. */
    @FunctionalInterface
    public interface SchemaLookup {
        io.milvus.grpc.CollectionSchema schema(String db, String collection);
    }

    private final Map<String, RestRoute> routes;
    private final HttpConfig config;
    private final Function<String, Optional<String>> authRefusal;
    private final Server server;
    private final ManagedChannel channel;
    private final MilvusServiceBlockingStub stub;

    /**
     * @param service the proxy's intercepted public service (the one the gRPC port serves)
     * @param authRefusal for a gRPC {@code authorization} header value, the reason it is refused; absent when
     *                    authentication is off or the header is accepted
     */
    public RestGateway(ServerServiceDefinition service, HttpConfig config, SchemaLookup schemas,
                       Function<String, Optional<String>> authRefusal, int maxMessageBytes) {
        this.config = requireNonNull(config, "config is null");
        this.authRefusal = requireNonNull(authRefusal, "authRefusal is null");
        this.routes = RestRoutes.all(requireNonNull(schemas, "schemas is null"));
        String name = "quiver-rest-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
        try {
            // direct executor: the handler runs on the REST worker thread that makes the call, with no hand-off
            this.server = InProcessServerBuilder.forName(name).directExecutor().maxInboundMessageSize(maxMessageBytes)
                    .addService(requireNonNull(service, "service is null")).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.channel = InProcessChannelBuilder.forName(name).directExecutor().maxInboundMessageSize(maxMessageBytes).build();
        this.stub = MilvusServiceGrpc.newBlockingStub(channel);
    }

    public RestResponse handle(RestRequest req) {
        try {
            return dispatch(req);
        } catch (QuiverException e) {
            return failure(Statuses.of(e));
        } catch (RestStatusException e) {
            return failure(e.status());
        } catch (StatusRuntimeException e) {
            return transportFailure(e.getStatus());
        } catch (RuntimeException e) {
            LOG.warn("event=rest_failed path={} error={}", req.path(), e.toString(), e);
            return failure(Statuses.of(ErrorCode.UNEXPECTED, String.valueOf(e.getMessage())));
        }
    }

    private RestResponse dispatch(RestRequest req) {
        if (!req.path().startsWith(PREFIX)) {
            return new RestResponse(404, envelope(ErrorCode.PARAMETER_INVALID.code(), "no such endpoint: " + req.path()));
        }
        RestRoute route = routes.get(req.path().substring(PREFIX.length()));
        if (route == null) {
            return new RestResponse(404, envelope(ErrorCode.PARAMETER_INVALID.code(), "no such endpoint: " + req.path()));
        }
        if (!req.method().equals("POST")) {
            return new RestResponse(405, envelope(ErrorCode.PARAMETER_INVALID.code(), req.path() + " accepts POST only"));
        }
        String grpcAuth = grpcAuthorization(req.authorization());
        Optional<String> refused = authRefusal.apply(grpcAuth);
        if (refused.isPresent()) {
            return new RestResponse(401, envelope(ErrorCode.HTTP_NOT_AUTHENTICATED.code(),
                    ErrorCode.HTTP_NOT_AUTHENTICATED.message() + ": " + refused.get()));
        }
        JsonObject body = parse(req.body());
        String db = body.has("dbName") && body.get("dbName").isJsonPrimitive() && !body.get("dbName").getAsString().isEmpty()
                ? body.get("dbName").getAsString()
                : req.dbName() == null || req.dbName().isEmpty() ? "default" : req.dbName();
        Metadata headers = new Metadata();
        if (grpcAuth != null) {
            headers.put(AUTHORIZATION, grpcAuth);
        }
        headers.put(DBNAME, db);
        MilvusServiceBlockingStub s = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .withDeadlineAfter(timeout(req.timeoutSeconds()).toMillis(), TimeUnit.MILLISECONDS);
        boolean int64AsNumber = req.acceptInt64() == null || req.acceptInt64().isBlank()
                ? config.acceptTypeAllowInt64() : Boolean.parseBoolean(req.acceptInt64().trim());
        RestCall call = new RestCall(body, db, s, int64AsNumber);
        JsonElement data = route.handle(call);
        JsonObject out = envelope(0, null);
        out.add("data", data);
        call.extras().forEach(out::add);
        return new RestResponse(200, out);
    }

    /** The gRPC header for a REST {@code Authorization}: Bearer carries the raw token, Basic the Base64 already. */
    static String grpcAuthorization(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        int space = h.indexOf(' ');
        String scheme = space < 0 ? "" : h.substring(0, space);
        String value = space < 0 ? h : h.substring(space + 1).trim();
        if (scheme.equalsIgnoreCase("Basic")) {
            return value;
        }
        return value.isEmpty() ? null : Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private Duration timeout(String header) {
        if (header == null || header.isBlank()) {
            return config.requestTimeout();
        }
        try {
            long s = Long.parseLong(header.trim());
            if (s > 0) {
                return Duration.ofSeconds(s);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw QuiverException.of(ErrorCode.HTTP_BAD_FORMAT, "Request-Timeout must be a positive number of seconds, got '%s'", header);
    }

    private static JsonObject parse(byte[] body) {
        if (body.length == 0) {
            return new JsonObject();
        }
        try {
            JsonElement e = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
            if (e.isJsonNull()) {
                return new JsonObject();
            }
            if (!e.isJsonObject()) {
                throw QuiverException.of(ErrorCode.HTTP_BAD_FORMAT, "the body must be a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw QuiverException.of(ErrorCode.HTTP_BAD_FORMAT, "%s", e.getMessage());
        }
    }

    private static RestResponse failure(io.milvus.grpc.Status status) {
        return new RestResponse(200, envelope(status.getCode() != 0 ? status.getCode() : status.getErrorCodeValue(), status.getReason()));
    }

    /** A gRPC transport status: authentication 401, privilege 403, deadline 408 (Milvus' exceptions to "200 always"). */
    private static RestResponse transportFailure(Status status) {
        String detail = String.valueOf(status.getDescription());
        return switch (status.getCode()) {
            case UNAUTHENTICATED -> new RestResponse(401, envelope(ErrorCode.HTTP_NOT_AUTHENTICATED.code(),
                    ErrorCode.HTTP_NOT_AUTHENTICATED.message() + ": " + detail));
            case PERMISSION_DENIED -> new RestResponse(403, envelope(ErrorCode.UNEXPECTED.code(), detail));
            case DEADLINE_EXCEEDED -> new RestResponse(408, envelope(ErrorCode.TIMEOUT.code(), ErrorCode.TIMEOUT.message()));
            default -> failure(Statuses.fromThrowable(new StatusRuntimeException(status)));
        };
    }

    static JsonObject envelope(int code, String message) {
        JsonObject o = new JsonObject();
        o.addProperty("code", code);
        if (message != null) {
            o.addProperty("message", message);
        }
        return o;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
