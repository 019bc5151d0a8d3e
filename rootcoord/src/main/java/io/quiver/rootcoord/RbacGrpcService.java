package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.milvus.grpc.BackupRBACMetaRequest;
import io.milvus.grpc.BackupRBACMetaResponse;
import io.milvus.grpc.CreatePrivilegeGroupRequest;
import io.milvus.grpc.CreateRoleRequest;
import io.milvus.grpc.DropPrivilegeGroupRequest;
import io.milvus.grpc.DropRoleRequest;
import io.milvus.grpc.GrantEntity;
import io.milvus.grpc.ListPrivilegeGroupsRequest;
import io.milvus.grpc.ListPrivilegeGroupsResponse;
import io.milvus.grpc.OperatePrivilegeGroupRequest;
import io.milvus.grpc.OperatePrivilegeRequest;
import io.milvus.grpc.OperatePrivilegeType;
import io.milvus.grpc.OperatePrivilegeV2Request;
import io.milvus.grpc.OperateUserRoleRequest;
import io.milvus.grpc.PrivilegeEntity;
import io.milvus.grpc.PrivilegeGroupInfo;
import io.milvus.grpc.RestoreRBACMetaRequest;
import io.milvus.grpc.RoleEntity;
import io.milvus.grpc.RoleResult;
import io.milvus.grpc.SelectGrantRequest;
import io.milvus.grpc.SelectGrantResponse;
import io.milvus.grpc.SelectRoleRequest;
import io.milvus.grpc.SelectRoleResponse;
import io.milvus.grpc.SelectUserRequest;
import io.milvus.grpc.SelectUserResponse;
import io.milvus.grpc.Status;
import io.milvus.grpc.UserEntity;
import io.milvus.grpc.UserResult;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.GrpcCalls;
import io.quiver.proto.RootCoordRbacGrpc;
import java.util.Optional;

/** Rootcoord's RBAC service: adapts the Milvus messages the proxies forward to {@link RbacTable} and its helpers. */
public final class RbacGrpcService extends RootCoordRbacGrpc.RootCoordRbacImplBase {
    private final RbacTable table;
    private final RbacGrants grants;
    private final RbacGroups groups;
    private final RbacBackups backups;

    public RbacGrpcService(RbacTable table, RbacGrants grants, RbacGroups groups, RbacBackups backups) {
        this.table = requireNonNull(table, "table is null");
        this.grants = requireNonNull(grants, "grants is null");
        this.groups = requireNonNull(groups, "groups is null");
        this.backups = requireNonNull(backups, "backups is null");
    }

    private static void run(StreamObserver<Status> o, Runnable body) {
        GrpcCalls.unary(o, Status.getDefaultInstance(), () -> {
            body.run();
            return Statuses.success();
        });
    }

    @Override
    public void createRole(CreateRoleRequest req, StreamObserver<Status> o) {
        run(o, () -> table.createRole(req.getEntity().getName()));
    }

    @Override
    public void dropRole(DropRoleRequest req, StreamObserver<Status> o) {
        run(o, () -> table.dropRole(req.getRoleName(), req.getForceDrop()));
    }

    @Override
    public void operateUserRole(OperateUserRoleRequest req, StreamObserver<Status> o) {
        run(o, () -> {
            switch (req.getType()) {
                case AddUserToRole -> table.operateUserRole(req.getUsername(), req.getRoleName(), true);
                case RemoveUserFromRole -> table.operateUserRole(req.getUsername(), req.getRoleName(), false);
                default -> throw QuiverException.invalid("invalid operate user role type, operate type: %s", req.getTypeValue());
            }
        });
    }

    @Override
    public void selectRole(SelectRoleRequest req, StreamObserver<SelectRoleResponse> o) {
        GrpcCalls.unary(o, SelectRoleResponse.getDefaultInstance(), () -> {
            SelectRoleResponse.Builder b = SelectRoleResponse.newBuilder().setStatus(Statuses.success());
            Optional<String> role = req.hasRole() ? Optional.of(req.getRole().getName()) : Optional.empty();
            for (RbacTable.RoleView v : table.selectRoles(role, req.getIncludeUserInfo())) {
                b.addResults(RoleResult.newBuilder().setRole(RoleEntity.newBuilder().setName(v.role()))
                        .addAllUsers(v.users().stream().map(u -> UserEntity.newBuilder().setName(u).build()).toList()));
            }
            return b.build();
        });
    }

    @Override
    public void selectUser(SelectUserRequest req, StreamObserver<SelectUserResponse> o) {
        GrpcCalls.unary(o, SelectUserResponse.getDefaultInstance(), () -> {
            SelectUserResponse.Builder b = SelectUserResponse.newBuilder().setStatus(Statuses.success());
            Optional<String> user = req.hasUser() ? Optional.of(req.getUser().getName()) : Optional.empty();
            for (RbacTable.UserView v : table.selectUsers(user, req.getIncludeRoleInfo())) {
                b.addResults(UserResult.newBuilder().setUser(UserEntity.newBuilder().setName(v.user()))
                        .addAllRoles(v.roles().stream().map(r -> RoleEntity.newBuilder().setName(r).build()).toList()));
            }
            return b.build();
        });
    }

    @Override
    public void operatePrivilege(OperatePrivilegeRequest req, StreamObserver<Status> o) {
        run(o, () -> {
            if (!req.hasEntity()) {
                throw QuiverException.invalid("the entity in the request is nil");
            }
            GrantEntity e = req.getEntity();
            grants.operate(operation(req.getType()), new RbacGrants.V1(e.getRole().getName(), e.getObject().getName(),
                    e.getObjectName(), e.getDbName(), e.getGrantor().getPrivilege().getName(), e.getGrantor().getUser().getName()));
        });
    }

    @Override
    public void operatePrivilegeV2(OperatePrivilegeV2Request req, StreamObserver<Status> o) {
        run(o, () -> grants.operate(operation(req.getType()), new RbacGrants.V2(req.getRole().getName(),
                req.getGrantor().getPrivilege().getName(), req.getDbName(), req.getCollectionName(), req.getGrantor().getUser().getName())));
    }

    private static RbacGrants.Operation operation(OperatePrivilegeType type) {
        return switch (type) {
            case Grant -> RbacGrants.Operation.GRANT;
            case Revoke -> RbacGrants.Operation.REVOKE;
            default -> throw QuiverException.invalid("the type in the request not grant or revoke");
        };
    }

    @Override
    public void selectGrant(SelectGrantRequest req, StreamObserver<SelectGrantResponse> o) {
        GrpcCalls.unary(o, SelectGrantResponse.getDefaultInstance(), () -> {
            if (!req.hasEntity() || !req.getEntity().hasRole()) {
                throw QuiverException.invalid("the role entity in the grant entity is nil");
            }
            GrantEntity e = req.getEntity();
            Optional<String> object = e.hasObject() && !e.getObject().getName().isEmpty() ? Optional.of(e.getObject().getName()) : Optional.empty();
            Optional<String> name = e.getObjectName().isEmpty() ? Optional.empty() : Optional.of(e.getObjectName());
            SelectGrantResponse.Builder b = SelectGrantResponse.newBuilder().setStatus(Statuses.success());
            grants.select(e.getRole().getName(), object, name, e.getDbName()).forEach(g -> b.addEntities(RbacBackups.entity(g)));
            return b.build();
        });
    }

    @Override
    public void createPrivilegeGroup(CreatePrivilegeGroupRequest req, StreamObserver<Status> o) {
        run(o, () -> groups.create(req.getGroupName()));
    }

    @Override
    public void dropPrivilegeGroup(DropPrivilegeGroupRequest req, StreamObserver<Status> o) {
        run(o, () -> groups.drop(req.getGroupName()));
    }

    @Override
    public void listPrivilegeGroups(ListPrivilegeGroupsRequest req, StreamObserver<ListPrivilegeGroupsResponse> o) {
        GrpcCalls.unary(o, ListPrivilegeGroupsResponse.getDefaultInstance(), () -> {
            ListPrivilegeGroupsResponse.Builder b = ListPrivilegeGroupsResponse.newBuilder().setStatus(Statuses.success());
            for (RbacGroups.GroupView g : groups.list()) {
                b.addPrivilegeGroups(PrivilegeGroupInfo.newBuilder().setGroupName(g.name())
                        .addAllPrivileges(g.privileges().stream().map(p -> PrivilegeEntity.newBuilder().setName(p).build()).toList()));
            }
            return b.build();
        });
    }

    @Override
    public void operatePrivilegeGroup(OperatePrivilegeGroupRequest req, StreamObserver<Status> o) {
        run(o, () -> {
            boolean add = switch (req.getType()) {
                case AddPrivilegesToGroup -> true;
                case RemovePrivilegesFromGroup -> false;
                default -> throw QuiverException.invalid("unsupported operate type: %s", req.getTypeValue());
            };
            groups.operate(req.getGroupName(), req.getPrivilegesList().stream().map(PrivilegeEntity::getName).toList(), add);
        });
    }

    @Override
    public void backupRBAC(BackupRBACMetaRequest req, StreamObserver<BackupRBACMetaResponse> o) {
        GrpcCalls.unary(o, BackupRBACMetaResponse.getDefaultInstance(), () ->
                BackupRBACMetaResponse.newBuilder().setStatus(Statuses.success()).setRBACMeta(backups.backup()).build());
    }

    @Override
    public void restoreRBAC(RestoreRBACMetaRequest req, StreamObserver<Status> o) {
        run(o, () -> backups.restore(req.getRBACMeta()));
    }
}
