package io.quiver.proxy.rest;

import static io.quiver.proxy.rest.CollectionRoutes.status;
import static io.quiver.proxy.rest.RestCall.check;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.CreateCredentialRequest;
import io.milvus.grpc.CreatePrivilegeGroupRequest;
import io.milvus.grpc.CreateRoleRequest;
import io.milvus.grpc.DeleteCredentialRequest;
import io.milvus.grpc.DropPrivilegeGroupRequest;
import io.milvus.grpc.DropRoleRequest;
import io.milvus.grpc.GrantEntity;
import io.milvus.grpc.GrantorEntity;
import io.milvus.grpc.ListCredUsersRequest;
import io.milvus.grpc.ListPrivilegeGroupsRequest;
import io.milvus.grpc.ObjectEntity;
import io.milvus.grpc.OperatePrivilegeGroupRequest;
import io.milvus.grpc.OperatePrivilegeGroupType;
import io.milvus.grpc.OperatePrivilegeRequest;
import io.milvus.grpc.OperatePrivilegeType;
import io.milvus.grpc.OperatePrivilegeV2Request;
import io.milvus.grpc.OperateUserRoleRequest;
import io.milvus.grpc.OperateUserRoleType;
import io.milvus.grpc.PrivilegeEntity;
import io.milvus.grpc.RoleEntity;
import io.milvus.grpc.SelectGrantRequest;
import io.milvus.grpc.SelectRoleRequest;
import io.milvus.grpc.SelectUserRequest;
import io.milvus.grpc.UpdateCredentialRequest;
import io.milvus.grpc.UserEntity;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * {@code users/*}, {@code roles/*} and {@code privilege_groups/*}. Passwords travel Base64-encoded in the credential
 * requests, as the SDKs send them; the service checks names, passwords and privileges.
 */
final class SecurityRoutes {
    private SecurityRoutes() {}

    static void register(Map<String, RestRoute> r) {
        users(r);
        roles(r);
        privilegeGroups(r);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void users(Map<String, RestRoute> r) {
        r.put("users/list", c -> {
            var resp = c.stub().listCredUsers(ListCredUsersRequest.getDefaultInstance());
            check(resp.getStatus());
            return RestJson.names(resp.getUsernamesList());
        });
        r.put("users/describe", c -> {
            var resp = c.stub().selectUser(SelectUserRequest.newBuilder().setUser(UserEntity.newBuilder().setName(c.string("userName")))
                    .setIncludeRoleInfo(true).build());
            check(resp.getStatus());
            JsonArray roles = new JsonArray();
            resp.getResultsList().forEach(u -> u.getRolesList().forEach(role -> roles.add(role.getName())));
            return roles;
        });
        r.put("users/create", c -> status(c.stub().createCredential(CreateCredentialRequest.newBuilder().setUsername(c.string("userName"))
                .setPassword(b64(c.string("password"))).build())));
        r.put("users/update_password", c -> status(c.stub().updateCredential(UpdateCredentialRequest.newBuilder()
                .setUsername(c.string("userName")).setOldPassword(b64(c.string("password"))).setNewPassword(b64(c.string("newPassword"))).build())));
        r.put("users/drop", c -> status(c.stub().deleteCredential(DeleteCredentialRequest.newBuilder().setUsername(c.string("userName")).build())));
        r.put("users/grant_role", c -> userRole(c, OperateUserRoleType.AddUserToRole));
        r.put("users/revoke_role", c -> userRole(c, OperateUserRoleType.RemoveUserFromRole));
    }

    private static JsonElement userRole(RestCall c, OperateUserRoleType type) {
        return status(c.stub().operateUserRole(OperateUserRoleRequest.newBuilder().setUsername(c.string("userName"))
                .setRoleName(c.string("roleName")).setType(type).build()));
    }

    private static void roles(Map<String, RestRoute> r) {
        r.put("roles/list", c -> {
            var resp = c.stub().selectRole(SelectRoleRequest.getDefaultInstance());
            check(resp.getStatus());
            JsonArray names = new JsonArray();
            resp.getResultsList().forEach(x -> names.add(x.getRole().getName()));
            return names;
        });
        r.put("roles/describe", SecurityRoutes::describeRole);
        r.put("roles/create", c -> status(c.stub().createRole(CreateRoleRequest.newBuilder()
                .setEntity(RoleEntity.newBuilder().setName(c.string("roleName"))).build())));
        r.put("roles/drop", c -> status(c.stub().dropRole(DropRoleRequest.newBuilder().setRoleName(c.string("roleName"))
                .setForceDrop(c.bool("forceDrop", false)).build())));
        r.put("roles/grant_privilege", c -> privilege(c, OperatePrivilegeType.Grant));
        r.put("roles/revoke_privilege", c -> privilege(c, OperatePrivilegeType.Revoke));
        r.put("roles/grant_privilege_v2", c -> privilegeV2(c, OperatePrivilegeType.Grant));
        r.put("roles/revoke_privilege_v2", c -> privilegeV2(c, OperatePrivilegeType.Revoke));
    }

    private static JsonElement describeRole(RestCall c) {
        var resp = c.stub().selectGrant(SelectGrantRequest.newBuilder().setEntity(GrantEntity.newBuilder()
                .setRole(RoleEntity.newBuilder().setName(c.string("roleName"))).setDbName(c.string("dbName", ""))).build());
        check(resp.getStatus());
        JsonArray a = new JsonArray();
        for (GrantEntity g : resp.getEntitiesList()) {
            JsonObject o = new JsonObject();
            o.addProperty("objectType", g.getObject().getName());
            o.addProperty("objectName", g.getObjectName());
            o.addProperty("privilege", g.getGrantor().getPrivilege().getName());
            o.addProperty("dbName", g.getDbName());
            o.addProperty("grantor", g.getGrantor().getUser().getName());
            a.add(o);
        }
        return a;
    }

    private static JsonElement privilege(RestCall c, OperatePrivilegeType type) {
        GrantEntity entity = GrantEntity.newBuilder().setRole(RoleEntity.newBuilder().setName(c.string("roleName")))
                .setObject(ObjectEntity.newBuilder().setName(c.string("objectType"))).setObjectName(c.string("objectName"))
                .setDbName(c.db())
                .setGrantor(GrantorEntity.newBuilder().setPrivilege(PrivilegeEntity.newBuilder().setName(c.string("privilege")))).build();
        return status(c.stub().operatePrivilege(OperatePrivilegeRequest.newBuilder().setEntity(entity).setType(type).build()));
    }

    private static JsonElement privilegeV2(RestCall c, OperatePrivilegeType type) {
        return status(c.stub().operatePrivilegeV2(OperatePrivilegeV2Request.newBuilder().setRole(RoleEntity.newBuilder().setName(c.string("roleName")))
                .setGrantor(GrantorEntity.newBuilder().setPrivilege(PrivilegeEntity.newBuilder().setName(c.string("privilege"))))
                .setType(type).setDbName(c.string("dbName", "*")).setCollectionName(c.string("collectionName", "*")).build()));
    }

    private static void privilegeGroups(Map<String, RestRoute> r) {
        r.put("privilege_groups/create", c -> status(c.stub().createPrivilegeGroup(CreatePrivilegeGroupRequest.newBuilder()
                .setGroupName(c.string("privilegeGroupName")).build())));
        r.put("privilege_groups/drop", c -> status(c.stub().dropPrivilegeGroup(DropPrivilegeGroupRequest.newBuilder()
                .setGroupName(c.string("privilegeGroupName")).build())));
        r.put("privilege_groups/list", c -> {
            var resp = c.stub().listPrivilegeGroups(ListPrivilegeGroupsRequest.getDefaultInstance());
            check(resp.getStatus());
            JsonArray groups = new JsonArray();
            resp.getPrivilegeGroupsList().forEach(g -> {
                JsonObject o = new JsonObject();
                o.addProperty("privilegeGroupName", g.getGroupName());
                JsonArray p = new JsonArray();
                g.getPrivilegesList().forEach(x -> p.add(x.getName()));
                o.add("privileges", p);
                groups.add(o);
            });
            JsonObject o = new JsonObject();
            o.add("privilegeGroups", groups);
            return o;
        });
        r.put("privilege_groups/add_privileges_to_group", c -> privilegeGroup(c, OperatePrivilegeGroupType.AddPrivilegesToGroup));
        r.put("privilege_groups/remove_privileges_from_group", c -> privilegeGroup(c, OperatePrivilegeGroupType.RemovePrivilegesFromGroup));
    }

    private static JsonElement privilegeGroup(RestCall c, OperatePrivilegeGroupType type) {
        OperatePrivilegeGroupRequest.Builder b = OperatePrivilegeGroupRequest.newBuilder().setGroupName(c.string("privilegeGroupName")).setType(type);
        c.strings("privileges").forEach(p -> b.addPrivileges(PrivilegeEntity.newBuilder().setName(p)));
        return status(c.stub().operatePrivilegeGroup(b.build()));
    }
}
