package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quiver.common.error.QuiverException;
import io.quiver.proxy.ProxyInterceptors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The privilege check (RBAC) of the public port, right inside authentication and the database interceptor, as
 * Milvus' chain is auth, database, privilege. It reads the request message, asks the {@link Authorizer} and, if
 * the caller may not make the call, closes it with gRPC {@code PERMISSION_DENIED} and Milvus' reason before the
 * handler runs (a transport status, as Milvus: the SDKs raise it at once and do not retry), so a refused call
 * changes nothing. {@code ShowCollections} and {@code ListDatabases} answers are cut to what the caller's grants
 * name. Installed only when {@code common.security.authorizationEnabled} is true.
 */
public final class PrivilegeInterceptor implements ServerInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(PrivilegeInterceptor.class);

    private final Authorizer authorizer;

    public PrivilegeInterceptor(Authorizer authorizer) {
        this.authorizer = requireNonNull(authorizer, "authorizer is null");
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Optional<Caller> who = AuthInterceptor.caller();
        if (who.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription("no authenticated caller"), new Metadata());
            return new ServerCall.Listener<>() {};
        }
        Caller caller = who.get();
        String method = call.getMethodDescriptor().getBareMethodName();
        String headerDb = ProxyInterceptors.db();
        Filtering<Q, R> filtering = PrivilegeTable.rule(method).orElse(null) instanceof PrivilegeTable.Rule.Filtered
                ? new Filtering<>(call, caller, method.equals("ListDatabases")) : null;
        ServerCall.Listener<Q> delegate = next.startCall(filtering == null ? call : filtering, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                Message request = (Message) message;
                if (filtering != null) {
                    filtering.db = Authorizer.db(request, headerDb);
                }
                Status denial = decide(caller, method, request, headerDb);
                if (denial != null) {
                    refused = true;
                    call.close(denial, new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** Null when allowed; the status to close the call with otherwise. */
    private Status decide(Caller caller, String method, Message request, String headerDb) {
        try {
            return switch (authorizer.decide(caller, method, request, headerDb)) {
                case Authorizer.Decision.Allowed a -> null;
                case Authorizer.Decision.Denied d -> {
                    LOG.info("permission denied user={} method={} reason=\"{}\"", caller.username(), method, d.reason());
                    yield Status.PERMISSION_DENIED.withDescription(d.reason());
                }
            };
        } catch (QuiverException e) {
            return Status.UNAVAILABLE.withDescription(e.getMessage());
        }
    }

    /** Cuts a listing (collections of a database, or databases) to the names the caller may see. */
    private final class Filtering<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final Caller caller;
        private final boolean databases;
        /** The listed database, known once the request arrived (before any response). */
        private volatile String db;

        Filtering(ServerCall<Q, R> call, Caller caller, boolean databases) {
            super(call);
            this.caller = caller;
            this.databases = databases;
        }

        @Override
        @SuppressWarnings("unchecked")
        public void sendMessage(R message) {
            String names = databases ? "db_names" : "collection_names";
            Optional<Set<String>> visible;
            try {
                visible = authorizer.visible(caller, databases, db);
            } catch (QuiverException e) {
                LOG.warn("listing shows nothing: the RBAC metadata cannot be read user={} reason=\"{}\"", caller.username(), e.getMessage());
                visible = Optional.of(Set.of()); // fail closed
            }
            super.sendMessage(visible.isEmpty() ? message : (R) keep((Message) message, names, visible.get()));
        }
    }

    /**
     * The response with only the entries whose {@code namesField} value is in {@code visible}; every other repeated
     * field of the same length (ids, timestamps: parallel lists) is cut at the same positions.
     */
    static Message keep(Message response, String namesField, Set<String> visible) {
        FieldDescriptor names = response.getDescriptorForType().findFieldByName(namesField);
        int n = response.getRepeatedFieldCount(names);
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (visible.contains((String) response.getRepeatedField(names, i))) {
                kept.add(i);
            }
        }
        Message.Builder b = response.toBuilder();
        for (FieldDescriptor f : response.getDescriptorForType().getFields()) {
            if (f.isRepeated() && response.getRepeatedFieldCount(f) == n) {
                b.clearField(f);
                for (int i : kept) {
                    b.addRepeatedField(f, response.getRepeatedField(f, i));
                }
            }
        }
        return b.build();
    }
}
