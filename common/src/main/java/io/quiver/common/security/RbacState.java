package io.quiver.common.security;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.GrantRecord;
import io.quiver.proto.PrivilegeGroupRecord;
import io.quiver.proto.RbacDocument;
import io.quiver.proto.RoleRecord;
import io.quiver.proto.UserRolesRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every role, user-role binding, grant and custom privilege group of a cluster: an immutable value. Rootcoord
 * derives a new state per change and stores it as one {@link RbacDocument}; proxies read it to check calls. Each
 * {@code with...} method returns a new state and leaves this one untouched.
 *
 * @param roles role name to creation time (ms); {@code admin} and {@code public} included
 * @param userRoles user to the roles bound to it (never {@code public}, which every user holds implicitly)
 * @param grants in grant order
 * @param groups custom privilege group to its member privileges
 */
public record RbacState(SortedMap<String, Long> roles, SortedMap<String, SortedSet<String>> userRoles, List<Grant> grants,
        SortedMap<String, SortedSet<String>> groups) {
    public static final int FORMAT = 1;
    public static final RbacState EMPTY = new RbacState(new TreeMap<>(), new TreeMap<>(), List.of(), new TreeMap<>());

    public RbacState {
        roles = Collections.unmodifiableSortedMap(new TreeMap<>(roles));
        userRoles = frozen(userRoles);
        grants = List.copyOf(grants);
        groups = frozen(groups);
    }

    public static RbacState parse(byte[] bytes) {
        RbacDocument d;
        try {
            d = RbacDocument.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new QuiverException(ErrorCode.UNEXPECTED, "corrupt RBAC document", e);
        }
        if (d.getFormat() != FORMAT) {
            throw QuiverException.of(ErrorCode.UNEXPECTED, "RBAC document format %d is not supported (this version reads %d)", d.getFormat(), FORMAT);
        }
        TreeMap<String, Long> roles = new TreeMap<>();
        d.getRolesList().forEach(r -> roles.put(r.getName(), r.getCreatedMs()));
        TreeMap<String, SortedSet<String>> userRoles = new TreeMap<>();
        d.getUserRolesList().forEach(u -> userRoles.put(u.getUser(), new TreeSet<>(u.getRolesList())));
        List<Grant> grants = new ArrayList<>();
        d.getGrantsList().forEach(g -> grants.add(new Grant(g.getRole(), RbacObject.parse(g.getObjectType()), g.getDb(),
                g.getObjectName(), g.getPrivilege(), g.getGrantor())));
        TreeMap<String, SortedSet<String>> groups = new TreeMap<>();
        d.getPrivilegeGroupsList().forEach(g -> groups.put(g.getName(), new TreeSet<>(g.getPrivilegesList())));
        return new RbacState(roles, userRoles, grants, groups);
    }

    public byte[] toBytes() {
        RbacDocument.Builder d = RbacDocument.newBuilder().setFormat(FORMAT);
        roles.forEach((name, ms) -> d.addRoles(RoleRecord.newBuilder().setName(name).setCreatedMs(ms)));
        userRoles.forEach((user, rs) -> d.addUserRoles(UserRolesRecord.newBuilder().setUser(user).addAllRoles(rs)));
        grants.forEach(g -> d.addGrants(GrantRecord.newBuilder().setRole(g.role()).setObjectType(g.object().name())
                .setDb(g.db()).setObjectName(g.objectName()).setPrivilege(g.privilege()).setGrantor(g.grantor())));
        groups.forEach((name, ps) -> d.addPrivilegeGroups(PrivilegeGroupRecord.newBuilder().setName(name).addAllPrivileges(ps)));
        return d.build().toByteArray();
    }

    public boolean hasRole(String role) {
        return roles.containsKey(role);
    }

    /** The roles bound to {@code user} ({@code public} not included). */
    public Set<String> rolesOf(String user) {
        return userRoles.getOrDefault(user, Collections.emptySortedSet());
    }

    public List<Grant> grantsOf(String role) {
        return grants.stream().filter(g -> g.role().equals(role)).toList();
    }

    public RbacState withRole(String role, long createdMs) {
        TreeMap<String, Long> r = new TreeMap<>(roles);
        r.put(role, createdMs);
        return new RbacState(r, userRoles, grants, groups);
    }

    /** Without the role, its grants and its bindings. */
    public RbacState withoutRole(String role) {
        TreeMap<String, Long> r = new TreeMap<>(roles);
        r.remove(role);
        TreeMap<String, SortedSet<String>> u = copy(userRoles);
        u.values().forEach(s -> s.remove(role));
        u.values().removeIf(Set::isEmpty);
        return new RbacState(r, u, grants.stream().filter(g -> !g.role().equals(role)).toList(), groups);
    }

    public RbacState withBinding(String user, String role) {
        TreeMap<String, SortedSet<String>> u = copy(userRoles);
        u.computeIfAbsent(user, k -> new TreeSet<>()).add(role);
        return new RbacState(roles, u, grants, groups);
    }

    public RbacState withoutBinding(String user, String role) {
        TreeMap<String, SortedSet<String>> u = copy(userRoles);
        SortedSet<String> s = u.get(user);
        if (s != null && s.remove(role) && s.isEmpty()) {
            u.remove(user);
        }
        return new RbacState(roles, u, grants, groups);
    }

    public RbacState withoutUser(String user) {
        TreeMap<String, SortedSet<String>> u = copy(userRoles);
        u.remove(user);
        return new RbacState(roles, u, grants, groups);
    }

    /** With the grant added; unchanged if the same grant exists (re-granting succeeds, as in Milvus). */
    public RbacState withGrant(Grant grant) {
        if (grants.stream().anyMatch(grant::sameAs)) {
            return this;
        }
        List<Grant> g = new ArrayList<>(grants);
        g.add(grant);
        return new RbacState(roles, userRoles, g, groups);
    }

    public RbacState withoutGrant(Grant grant) {
        return new RbacState(roles, userRoles, grants.stream().filter(g -> !g.sameAs(grant)).toList(), groups);
    }

    public RbacState withGroup(String group, Set<String> members) {
        TreeMap<String, SortedSet<String>> g = copy(groups);
        g.put(group, new TreeSet<>(members));
        return new RbacState(roles, userRoles, grants, g);
    }

    public RbacState withoutGroup(String group) {
        TreeMap<String, SortedSet<String>> g = copy(groups);
        g.remove(group);
        return new RbacState(roles, userRoles, grants, g);
    }

    /** A mutable deep copy, for the {@code with...} methods to edit. */
    private static TreeMap<String, SortedSet<String>> copy(Map<String, ? extends Set<String>> m) {
        TreeMap<String, SortedSet<String>> c = new TreeMap<>();
        m.forEach((k, v) -> c.put(k, new TreeSet<>(v)));
        return c;
    }

    private static SortedMap<String, SortedSet<String>> frozen(Map<String, ? extends Set<String>> m) {
        TreeMap<String, SortedSet<String>> c = new TreeMap<>();
        m.forEach((k, v) -> c.put(k, Collections.unmodifiableSortedSet(new TreeSet<>(v))));
        return Collections.unmodifiableSortedMap(c);
    }
}
