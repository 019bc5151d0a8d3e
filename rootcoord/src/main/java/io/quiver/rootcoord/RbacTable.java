package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.CredentialRules;
import io.quiver.common.security.Grant;
import io.quiver.common.security.Privilege;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacRules;
import io.quiver.common.security.RbacState;
import io.quiver.proto.CredentialInfo;
import io.quiver.storage.MetaKv;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Roles, user-role bindings and grants in MetaKv, as Milvus' rootcoord keeps them (its meta table and catalog),
 * with Milvus' rules and messages. Everything lives in one document ({@link RbacState} at
 * {@link CredentialKeys#rbacDocument}) changed by compare-and-swap, so a multi-part change (dropping a role with
 * its grants and bindings, deleting a user with its bindings, a restore) is atomic and proxies, which watch the
 * document, never see half of one. Privilege groups live in {@link RbacGroups}; the v1/v2 grant rules in
 * {@link RbacGrants}.
 *
 * <p>On the first start of a cluster the document is created with the built-in roles {@code admin} and
 * {@code public}, and {@code public} holds Milvus' default grants (Global {@code DescribeCollection} and
 * {@code ListAliases}, Collection {@code IndexDetail}, in every database); they are ordinary grants an
 * administrator may revoke.
 */
@ThreadSafe
public final class RbacTable {
    private static final Logger LOG = LoggerFactory.getLogger(RbacTable.class);
    private static final int CAS_ATTEMPTS = 16;
    static final String ROLE_NOT_FOUND = "not found the role, maybe the role isn't existed or internal system error";
    static final String USER_NOT_FOUND = "not found the user, maybe the user isn't existed or internal system error";

    /** A role and, if asked for, the users bound to it. */
    public record RoleView(String role, List<String> users) {}

    /** A user and, if asked for, its roles. */
    public record UserView(String user, List<String> roles) {}

    private final MetaKv kv;
    private final String metaRoot;
    private final String key;
    private final InstantSource clock;
    private final CredentialTable credentials;

    public RbacTable(MetaKv kv, String metaRoot, InstantSource clock, CredentialTable credentials) {
        this.kv = requireNonNull(kv, "kv is null");
        this.metaRoot = requireNonNull(metaRoot, "metaRoot is null");
        this.key = CredentialKeys.rbacDocument(metaRoot);
        this.clock = requireNonNull(clock, "clock is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        if (kv.get(key).isEmpty()) {
            boolean created = kv.txn(List.of(new MetaKv.Compare.Absent(key)), List.of(new MetaKv.Op.Put(key, initial().toBytes())), List.of());
            LOG.info("rbac opened documentCreated={}", created);
        }
    }

    private RbacState initial() {
        long now = clock.millis();
        String root = CredentialRules.ROOT;
        return RbacState.EMPTY.withRole(RbacRules.ADMIN, now).withRole(RbacRules.PUBLIC, now)
                .withGrant(new Grant(RbacRules.PUBLIC, RbacObject.Global, RbacRules.ANY, RbacRules.ANY, Privilege.DescribeCollection.name(), root))
                .withGrant(new Grant(RbacRules.PUBLIC, RbacObject.Global, RbacRules.ANY, RbacRules.ANY, Privilege.ListAliases.name(), root))
                .withGrant(new Grant(RbacRules.PUBLIC, RbacObject.Collection, RbacRules.ANY, RbacRules.ANY, Privilege.IndexDetail.name(), root));
    }

    /** The current document. */
    public RbacState state() {
        return kv.get(key).map(e -> RbacState.parse(e.value())).orElse(RbacState.EMPTY);
    }

    public void createRole(String given) {
        String role = RbacRules.roleName(given);
        update(s -> {
            if (s.hasRole(role)) {
                throw QuiverException.invalid("role [%s] already exists", role);
            }
            if (s.roles().size() >= RbacRules.MAX_ROLES) {
                throw QuiverException.of(ErrorCode.SERVICE_QUOTA_EXCEEDED,
                        "unable to create role because the number of roles has reached the limit (%d)", RbacRules.MAX_ROLES);
            }
            return s.withRole(role, clock.millis());
        });
        LOG.info("role created role={}", role);
    }

    /** Drops a role with its bindings; a role holding grants only with {@code force} (which drops them too). */
    public void dropRole(String given, boolean force) {
        String role = RbacRules.roleName(given);
        if (RbacRules.BUILTIN_ROLES.contains(role)) {
            throw QuiverException.of(ErrorCode.PRIVILEGE_NOT_PERMITTED, "the role[%s] is a default role, which can't be dropped", role);
        }
        update(s -> {
            requireRole(s, role);
            if (!force && !s.grantsOf(role).isEmpty()) {
                throw QuiverException.invalid("fail to drop the role that it has privileges. Use REVOKE API to revoke privileges");
            }
            return s.withoutRole(role);
        });
        LOG.info("role dropped role={} force={}", role, force);
    }

    /** Binds ({@code add}) or unbinds a user and a role; binding needs an existing user, both need the role. */
    public void operateUserRole(String givenUser, String givenRole, boolean add) {
        String user = CredentialRules.username(givenUser);
        String role = RbacRules.roleName(givenRole);
        update(s -> {
            requireRole(s, role);
            if (!add) {
                return s.withoutBinding(user, role);
            }
            if (credentials.get(user).isEmpty()) {
                throw QuiverException.invalid(USER_NOT_FOUND);
            }
            return s.withBinding(user, role);
        });
        LOG.info("user {} role user={} role={}", add ? "added to" : "removed from", user, role);
    }

    /** One role (none if it does not exist) or every role, with their users if asked. */
    public List<RoleView> selectRoles(Optional<String> givenRole, boolean includeUsers) {
        RbacState s = state();
        List<String> names = givenRole.map(RbacRules::roleName).map(r -> s.hasRole(r) ? List.of(r) : List.<String>of())
                .orElseGet(() -> List.copyOf(s.roles().keySet()));
        List<RoleView> out = new ArrayList<>();
        for (String r : names) {
            List<String> users = includeUsers
                    ? s.userRoles().entrySet().stream().filter(e -> e.getValue().contains(r)).map(e -> e.getKey()).toList() : List.of();
            out.add(new RoleView(r, users));
        }
        return out;
    }

    /** One user (none if it does not exist) or every user, with their roles if asked. */
    public List<UserView> selectUsers(Optional<String> givenUser, boolean includeRoles) {
        RbacState s = state();
        List<String> names = givenUser.map(CredentialRules::username)
                .map(u -> credentials.get(u).isPresent() ? List.of(u) : List.<String>of()).orElseGet(credentials::list);
        return names.stream().map(u -> new UserView(u, includeRoles ? List.copyOf(s.rolesOf(u)) : List.of())).toList();
    }

    /** Deletes a user and its role bindings in one transaction; {@code root} cannot be deleted (code 1401). */
    public void deleteUser(String username) {
        if (username.equals(CredentialRules.ROOT)) {
            throw QuiverException.of(ErrorCode.PRIVILEGE_NOT_PERMITTED, "root user cannot be deleted");
        }
        update(s -> s.withoutUser(username), List.of(), List.of(new MetaKv.Op.Delete(CredentialKeys.user(metaRoot, username))));
        LOG.info("user deleted user={}", username);
    }

    static void requireRole(RbacState s, String role) {
        if (!s.hasRole(role)) {
            throw QuiverException.invalid(ROLE_NOT_FOUND);
        }
    }

    /** Writes the credentials of restored users in the same transaction as the document. */
    void update(UnaryOperator<RbacState> change, List<CredentialInfo> newUsers) {
        List<MetaKv.Compare> absent = new ArrayList<>();
        List<MetaKv.Op> puts = new ArrayList<>();
        for (CredentialInfo c : newUsers) {
            String k = CredentialKeys.user(metaRoot, c.getUsername());
            absent.add(new MetaKv.Compare.Absent(k));
            puts.add(new MetaKv.Op.Put(k, c.toBuilder().setCreatedMs(clock.millis()).setModifiedMs(clock.millis()).build().toByteArray()));
        }
        update(change, absent, puts);
    }

    void update(UnaryOperator<RbacState> change) {
        update(change, List.of(), List.of());
    }

    /**
     * Applies {@code change} to the current document and stores the result if the document did not move meanwhile
     * (and {@code compares} hold), else re-reads and re-applies: the change is validated against the state it is
     * stored over. A change that returns the same state stores nothing.
     */
    private synchronized void update(UnaryOperator<RbacState> change, List<MetaKv.Compare> compares, List<MetaKv.Op> ops) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Optional<MetaKv.KeyValue> current = kv.get(key);
            RbacState before = current.map(e -> RbacState.parse(e.value())).orElse(RbacState.EMPTY);
            RbacState after = change.apply(before);
            if (after == before && ops.isEmpty()) {
                return;
            }
            List<MetaKv.Compare> all = new ArrayList<>(compares);
            all.add(current.<MetaKv.Compare>map(e -> new MetaKv.Compare.ModRevisionEquals(key, e.modRevision()))
                    .orElse(new MetaKv.Compare.Absent(key)));
            List<MetaKv.Op> writes = new ArrayList<>(ops);
            writes.add(new MetaKv.Op.Put(key, after.toBytes()));
            if (kv.txn(all, writes, List.of())) {
                return;
            }
        }
        throw QuiverException.of(ErrorCode.SERVICE_UNAVAILABLE, "the RBAC document kept changing; retry");
    }
}
