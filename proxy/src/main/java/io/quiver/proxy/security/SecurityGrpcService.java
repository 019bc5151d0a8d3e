package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.CreateCredentialRequest;
import io.milvus.grpc.DeleteCredentialRequest;
import io.milvus.grpc.ListCredUsersRequest;
import io.milvus.grpc.ListCredUsersResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.Status;
import io.milvus.grpc.UpdateCredentialRequest;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.proxy.ProxyInterceptors;
import java.util.Set;

/**
 * The security RPCs of the public Milvus service (users now; roles and grants join here), kept apart from the data
 * and DDL RPCs of {@code MilvusProxyService}. Both implement parts of the one {@code MilvusService};
 * {@link #overlay} serves the methods named in {@link #METHODS} from this class and every other from the main one,
 * so clients see a single service.
 */
public final class SecurityGrpcService extends MilvusServiceGrpc.MilvusServiceImplBase {
    /** The bare method names this class implements (a unit test checks each is overridden). */
    public static final Set<String> METHODS = Set.of("CreateCredential", "UpdateCredential", "DeleteCredential", "ListCredUsers");

    private final CredentialHandler credentials;

    public SecurityGrpcService(CredentialHandler credentials) {
        this.credentials = requireNonNull(credentials, "credentials is null");
    }

    /** {@code main}'s service definition with the methods of {@link #METHODS} taken from {@code security}. */
    public static ServerServiceDefinition overlay(ServerServiceDefinition main, ServerServiceDefinition security) {
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(main.getServiceDescriptor());
        for (ServerMethodDefinition<?, ?> m : main.getMethods()) {
            ServerMethodDefinition<?, ?> own = METHODS.contains(m.getMethodDescriptor().getBareMethodName())
                    ? security.getMethod(m.getMethodDescriptor().getFullMethodName()) : m;
            b.addMethod(own);
        }
        return b.build();
    }

    @Override
    public void createCredential(CreateCredentialRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            credentials.create(AuthInterceptor.caller(), ProxyInterceptors.db(), req);
            return Statuses.success();
        });
    }

    @Override
    public void updateCredential(UpdateCredentialRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            credentials.update(AuthInterceptor.caller(), ProxyInterceptors.db(), req);
            return Statuses.success();
        });
    }

    @Override
    public void deleteCredential(DeleteCredentialRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            credentials.delete(AuthInterceptor.caller(), ProxyInterceptors.db(), req);
            return Statuses.success();
        });
    }

    @Override
    public void listCredUsers(ListCredUsersRequest req, StreamObserver<ListCredUsersResponse> o) {
        GrpcCalls.unary(o, ListCredUsersResponse.getDefaultInstance(), () -> ListCredUsersResponse.newBuilder()
                .setStatus(Statuses.success()).addAllUsernames(credentials.list(AuthInterceptor.caller(), ProxyInterceptors.db())).build());
    }
}
