package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Authentication at the public port, the outermost interceptor: a call without valid credentials is closed with
 * gRPC {@code UNAUTHENTICATED} before any other interceptor or handler runs, exactly as Milvus refuses it (a
 * transport status, not a body status, so the SDKs fail at once instead of retrying). An accepted call carries its
 * {@link Caller} in the gRPC context ({@link #caller()}). Installed only when
 * {@code common.security.authorizationEnabled} is true; otherwise the header is never read, as in Milvus.
 */
public final class AuthInterceptor implements ServerInterceptor {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<Caller> CALLER = Context.key("quiver-caller");

    private final Authenticator authenticator;

    public AuthInterceptor(Authenticator authenticator) {
        this.authenticator = requireNonNull(authenticator, "authenticator is null");
    }

    /** The authenticated user of the current call; empty when authentication is off. */
    public static Optional<Caller> caller() {
        return Optional.ofNullable(CALLER.get());
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        return switch (authenticator.decide(headers.get(AUTHORIZATION))) {
            case Authenticator.Decision.Accepted a ->
                    Contexts.interceptCall(Context.current().withValue(CALLER, a.caller()), call, headers, next);
            case Authenticator.Decision.Refused r -> {
                call.close(Status.UNAUTHENTICATED.withDescription(r.reason()), new Metadata());
                yield new ServerCall.Listener<>() {};
            }
        };
    }
}
