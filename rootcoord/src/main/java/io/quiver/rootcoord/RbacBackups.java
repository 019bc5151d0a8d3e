package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.GrantEntity;
import io.milvus.grpc.GrantorEntity;
import io.milvus.grpc.ObjectEntity;
import io.milvus.grpc.PrivilegeEntity;
import io.milvus.grpc.PrivilegeGroupInfo;
import io.milvus.grpc.RBACMeta;
import io.milvus.grpc.RoleEntity;
import io.milvus.grpc.UserEntity;
import io.milvus.grpc.UserInfo;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.CredentialRules;
import io.quiver.common.security.Grant;
import io.quiver.common.security.PrivilegeNames;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacRules;
import io.quiver.common.security.RbacState;
import io.quiver.proto.CredentialInfo;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BackupRBAC and RestoreRBAC as Milvus 2.5 does them ({@code kv_catalog.go}): a backup holds every user but
 * {@code root} with its password hash and roles, every role but the built-in ones, their grants and the custom
 * privilege groups. A restore refuses a role, group or user that already exists and a grant naming an unknown
 * privilege or group; unlike Milvus (which rolls back step by step) it writes everything in one transaction, so a
 * refused restore changes nothing.
 */
public final class RbacBackups {
    private static final Logger LOG = LoggerFactory.getLogger(RbacBackups.class);

    private final RbacTable table;
    private final CredentialTable credentials;
    private final InstantSource clock;

    public RbacBackups(RbacTable table, CredentialTable credentials, InstantSource clock) {
        this.table = requireNonNull(table, "table is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public RBACMeta backup() {
        RbacState s = table.state();
        RBACMeta.Builder b = RBACMeta.newBuilder();
        for (String user : credentials.list()) {
            if (user.equals(CredentialRules.ROOT)) {
                continue;
            }
            UserInfo.Builder u = UserInfo.newBuilder().setUser(user)
                    .setPassword(credentials.get(user).map(CredentialInfo::getEncryptedPassword).orElse(""));
            s.rolesOf(user).forEach(r -> u.addRoles(RoleEntity.newBuilder().setName(r)));
            b.addUsers(u);
        }
        for (String role : s.roles().keySet()) {
            if (RbacRules.BUILTIN_ROLES.contains(role)) {
                continue;
            }
            b.addRoles(RoleEntity.newBuilder().setName(role));
            s.grantsOf(role).forEach(g -> b.addGrants(entity(g)));
        }
        s.groups().forEach((name, members) -> b.addPrivilegeGroups(PrivilegeGroupInfo.newBuilder().setGroupName(name)
                .addAllPrivileges(members.stream().map(p -> PrivilegeEntity.newBuilder().setName(p).build()).toList())));
        return b.build();
    }

    public void restore(RBACMeta meta) {
        List<CredentialInfo> users = new ArrayList<>();
        for (UserInfo u : meta.getUsersList()) {
            users.add(CredentialInfo.newBuilder().setUsername(CredentialRules.username(u.getUser())).setEncryptedPassword(u.getPassword()).build());
        }
        table.update(s -> {
            RbacState out = s;
            for (RoleEntity r : meta.getRolesList()) {
                String role = RbacRules.roleName(r.getName());
                if (out.hasRole(role)) {
                    throw QuiverException.invalid("role [%s] already exists", role);
                }
                out = out.withRole(role, clock.millis());
            }
            for (PrivilegeGroupInfo g : meta.getPrivilegeGroupsList()) {
                String name = RbacRules.groupName(g.getGroupName());
                if (out.groups().containsKey(name) || PrivilegeNames.isBuiltin(name)) {
                    throw QuiverException.invalid("privilege group [%s] already exists", name);
                }
                out = out.withGroup(name, new TreeSet<>(g.getPrivilegesList().stream().map(PrivilegeEntity::getName).toList()));
            }
            for (GrantEntity e : meta.getGrantsList()) {
                out = out.withGrant(grant(out, e));
            }
            for (UserInfo u : meta.getUsersList()) {
                if (credentials.get(u.getUser()).isPresent()) {
                    throw QuiverException.invalid("user [%s] already exists", u.getUser());
                }
                for (RoleEntity r : u.getRolesList()) {
                    RbacTable.requireRole(out, r.getName());
                    out = out.withBinding(u.getUser(), r.getName());
                }
            }
            return out;
        }, users);
        LOG.info("rbac restored roles={} grants={} groups={} users={}", meta.getRolesCount(), meta.getGrantsCount(),
                meta.getPrivilegeGroupsCount(), meta.getUsersCount());
    }

    private static Grant grant(RbacState s, GrantEntity e) {
        String role = e.getRole().getName();
        RbacTable.requireRole(s, role);
        String privilege = e.getGrantor().getPrivilege().getName();
        if (!privilege.equals(RbacRules.ANY) && !PrivilegeNames.isBuiltin(privilege) && !s.groups().containsKey(privilege)) {
            throw QuiverException.invalid("privilege group [%s] does not exist", privilege);
        }
        String user = e.getGrantor().getUser().getName();
        return new Grant(role, RbacObject.parse(e.getObject().getName()), RbacRules.grantDb(e.getDbName()),
                RbacRules.objectName(e.getObjectName(), "object name"), privilege, user.isEmpty() ? CredentialRules.ROOT : user);
    }

    /** A grant as Milvus' API shows it. */
    public static GrantEntity entity(Grant g) {
        return GrantEntity.newBuilder().setRole(RoleEntity.newBuilder().setName(g.role()))
                .setObject(ObjectEntity.newBuilder().setName(g.object().name())).setObjectName(g.objectName()).setDbName(g.db())
                .setGrantor(GrantorEntity.newBuilder().setUser(UserEntity.newBuilder().setName(g.grantor()))
                        .setPrivilege(PrivilegeEntity.newBuilder().setName(g.privilege()))).build();
    }
}
