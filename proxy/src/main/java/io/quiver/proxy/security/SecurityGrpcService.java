package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.BackupRBACMetaRequest;
import io.milvus.grpc.BackupRBACMetaResponse;
import io.milvus.grpc.CreateCredentialRequest;
import io.milvus.grpc.CreatePrivilegeGroupRequest;
import io.milvus.grpc.CreateRoleRequest;
import io.milvus.grpc.DeleteCredentialRequest;
import io.milvus.grpc.DropPrivilegeGroupRequest;
import io.milvus.grpc.DropRoleRequest;
import io.milvus.grpc.GrantorEntity;
import io.milvus.grpc.ListCredUsersRequest;
import io.milvus.grpc.ListCredUsersResponse;
import io.milvus.grpc.ListPrivilegeGroupsRequest;
import io.milvus.grpc.ListPrivilegeGroupsResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.OperatePrivilegeGroupRequest;
import io.milvus.grpc.OperatePrivilegeRequest;
import io.milvus.grpc.OperatePrivilegeV2Request;
import io.milvus.grpc.OperateUserRoleRequest;
import io.milvus.grpc.RestoreRBACMetaRequest;
import io.milvus.grpc.SelectGrantRequest;
import io.milvus.grpc.SelectGrantResponse;
import io.milvus.grpc.SelectRoleRequest;
import io.milvus.grpc.SelectRoleResponse;
import io.milvus.grpc.SelectUserRequest;
import io.milvus.grpc.SelectUserResponse;
import io.milvus.grpc.Status;
import io.milvus.grpc.UpdateCredentialRequest;
import io.milvus.grpc.UserEntity;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.common.security.CredentialRules;
import io.quiver.proto.RootCoordRbacGrpc;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The security RPCs of the public Milvus service (users, roles, grants, privilege groups), kept apart from the data
 * and DDL RPCs of {@code MilvusProxyService}. Both implement parts of the one {@code MilvusService};
 * {@link #overlay} serves the methods named in {@link #METHODS} from this class and every other from the main one,
 * so clients see a single service. The RBAC calls go to rootcoord's RBAC service as they came (rootcoord validates
 * and answers with Milvus' statuses); the proxy only names the grantor of a grant: the calling user ({@code root}
 * when authentication is off, as nobody is calling then).
 */
public final class SecurityGrpcService extends MilvusServiceGrpc.MilvusServiceImplBase {
    /** The bare method names this class implements (a unit test checks each is overridden). */
    public static final Set<String> METHODS = Set.of("CreateCredential", "UpdateCredential", "DeleteCredential", "ListCredUsers",
            "CreateRole", "DropRole", "OperateUserRole", "SelectRole", "SelectUser", "OperatePrivilege", "OperatePrivilegeV2",
            "SelectGrant", "CreatePrivilegeGroup", "DropPrivilegeGroup", "ListPrivilegeGroups", "OperatePrivilegeGroup",
            "BackupRBAC", "RestoreRBAC");

    private final CredentialHandler credentials;
    private final Supplier<RootCoordRbacGrpc.RootCoordRbacBlockingStub> rbac;

    public SecurityGrpcService(CredentialHandler credentials, Supplier<RootCoordRbacGrpc.RootCoordRbacBlockingStub> rbac) {
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.rbac = requireNonNull(rbac, "rbac is null");
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
            credentials.create(req);
            return Statuses.success();
        });
    }

    @Override
    public void updateCredential(UpdateCredentialRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            credentials.update(AuthInterceptor.caller(), req);
            return Statuses.success();
        });
    }

    @Override
    public void deleteCredential(DeleteCredentialRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            credentials.delete(req);
            return Statuses.success();
        });
    }

    @Override
    public void listCredUsers(ListCredUsersRequest req, StreamObserver<ListCredUsersResponse> o) {
        GrpcCalls.unary(o, ListCredUsersResponse.getDefaultInstance(), () -> ListCredUsersResponse.newBuilder()
                .setStatus(Statuses.success()).addAllUsernames(credentials.list()).build());
    }

    @Override
    public void createRole(CreateRoleRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().createRole(req));
    }

    @Override
    public void dropRole(DropRoleRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().dropRole(req));
    }

    @Override
    public void operateUserRole(OperateUserRoleRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().operateUserRole(req));
    }

    @Override
    public void selectRole(SelectRoleRequest req, StreamObserver<SelectRoleResponse> o) {
        GrpcCalls.unary(o, SelectRoleResponse.getDefaultInstance(), () -> rbac.get().selectRole(req));
    }

    @Override
    public void selectUser(SelectUserRequest req, StreamObserver<SelectUserResponse> o) {
        GrpcCalls.unary(o, SelectUserResponse.getDefaultInstance(), () -> rbac.get().selectUser(req));
    }

    @Override
    public void operatePrivilege(OperatePrivilegeRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().operatePrivilege(req.toBuilder()
                .setEntity(req.getEntity().toBuilder().setGrantor(grantor(req.getEntity().getGrantor()))).build()));
    }

    @Override
    public void operatePrivilegeV2(OperatePrivilegeV2Request req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().operatePrivilegeV2(req.toBuilder()
                .setGrantor(grantor(req.getGrantor())).build()));
    }

    /** The grantor of a grant: the calling user, whatever the client wrote there. */
    private static GrantorEntity grantor(GrantorEntity given) {
        String user = AuthInterceptor.caller().map(Caller::username).orElse(CredentialRules.ROOT);
        return given.toBuilder().setUser(UserEntity.newBuilder().setName(user)).build();
    }

    @Override
    public void selectGrant(SelectGrantRequest req, StreamObserver<SelectGrantResponse> o) {
        GrpcCalls.unary(o, SelectGrantResponse.getDefaultInstance(), () -> rbac.get().selectGrant(req));
    }

    @Override
    public void createPrivilegeGroup(CreatePrivilegeGroupRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().createPrivilegeGroup(req));
    }

    @Override
    public void dropPrivilegeGroup(DropPrivilegeGroupRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().dropPrivilegeGroup(req));
    }

    @Override
    public void listPrivilegeGroups(ListPrivilegeGroupsRequest req, StreamObserver<ListPrivilegeGroupsResponse> o) {
        GrpcCalls.unary(o, ListPrivilegeGroupsResponse.getDefaultInstance(), () -> rbac.get().listPrivilegeGroups(req));
    }

    @Override
    public void operatePrivilegeGroup(OperatePrivilegeGroupRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().operatePrivilegeGroup(req));
    }

    @Override
    public void backupRBAC(BackupRBACMetaRequest req, StreamObserver<BackupRBACMetaResponse> o) {
        GrpcCalls.unary(o, BackupRBACMetaResponse.getDefaultInstance(), () -> rbac.get().backupRBAC(req));
    }

    @Override
    public void restoreRBAC(RestoreRBACMetaRequest req, StreamObserver<Status> o) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> rbac.get().restoreRBAC(req));
    }
}
