package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.quiver.common.security.Grant;
import io.quiver.common.security.Privilege;
import io.quiver.common.security.PrivilegeNames;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacRules;
import io.quiver.common.security.RbacState;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * An {@link RbacState} compiled for checking calls: for each role and single privilege, the (database, object)
 * scopes where the role holds it. Groups, {@code *} and {@code All} are expanded once here, so a check is a map
 * lookup per role and a scan of a short list.
 *
 * <p>Matching, as Milvus' casbin model after its grant expansion ({@code ListPolicy}): a grant gives each of its
 * privileges in the grant's database ({@code *}: every one); a Global privilege covers every object of that
 * database, any other the grant's object name ({@code *}: every one). {@code admin} holds everything. Two places
 * where Milvus' matcher is inconsistent are made uniform: {@code All} and the legacy groups apply in the grant's
 * database or, for {@code *}, in every database (Milvus compares the database names literally there).
 */
public final class PolicyIndex {
    /** Where a role holds a privilege. */
    private record Scope(String db, String name) {
        boolean covers(String reqDb, String reqName) {
            return (db.equals(RbacRules.ANY) || db.equals(reqDb)) && (name.equals(RbacRules.ANY) || name.equals(reqName));
        }
    }

    private final RbacState state;
    private final Map<String, Map<Privilege, List<Scope>>> byRole = new HashMap<>();

    private PolicyIndex(RbacState state) {
        this.state = requireNonNull(state, "state is null");
        for (Grant g : state.grants()) {
            Map<Privilege, List<Scope>> m = byRole.computeIfAbsent(g.role(), r -> new EnumMap<>(Privilege.class));
            for (Privilege p : PrivilegeNames.expand(g.privilege(), g.object(), state.groups())) {
                String name = p.object() == RbacObject.Global ? RbacRules.ANY : g.objectName();
                m.computeIfAbsent(p, k -> new ArrayList<>()).add(new Scope(g.db(), name));
            }
        }
    }

    public static PolicyIndex of(RbacState state) {
        return new PolicyIndex(state);
    }

    /** The roles that decide for {@code user}: its bound roles and {@code public}. */
    public Set<String> rolesOf(String user) {
        Set<String> roles = new LinkedHashSet<>(state.rolesOf(user));
        roles.add(RbacRules.PUBLIC);
        return roles;
    }

    public static boolean isAdmin(Set<String> roles) {
        return roles.contains(RbacRules.ADMIN);
    }

    /** Whether any of {@code roles} holds {@code privilege} on object {@code name} in database {@code db}. */
    public boolean permits(Set<String> roles, Privilege privilege, String db, String name) {
        if (isAdmin(roles)) {
            return true;
        }
        for (String role : roles) {
            Map<Privilege, List<Scope>> m = byRole.get(role);
            List<Scope> scopes = m == null ? null : m.get(privilege);
            if (scopes != null) {
                for (Scope s : scopes) {
                    if (s.covers(db, name)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * The collections of {@code db} that {@code roles} may see listed: empty means all (admin, or a grant for
     * {@code *}); otherwise the names their grants in that database name. {@code public} shows nothing by itself,
     * as in Milvus ({@code getCurrentUserVisibleCollections}).
     */
    public Optional<Set<String>> visibleCollections(Set<String> roles, String db) {
        return visible(roles, g -> g.db().equals(RbacRules.ANY) || g.db().equals(db) ? g.objectName() : null);
    }

    /** The databases {@code roles} may see listed: empty means all; otherwise those their grants name. */
    public Optional<Set<String>> visibleDatabases(Set<String> roles) {
        return visible(roles, Grant::db);
    }

    private Optional<Set<String>> visible(Set<String> roles, Function<Grant, String> nameOf) {
        if (isAdmin(roles)) {
            return Optional.empty();
        }
        Set<String> names = new TreeSet<>();
        for (Grant g : state.grants()) {
            if (g.role().equals(RbacRules.PUBLIC) || !roles.contains(g.role())) {
                continue;
            }
            String n = nameOf.apply(g);
            if (RbacRules.ANY.equals(n)) {
                return Optional.empty();
            }
            if (n != null) {
                names.add(n);
            }
        }
        return Optional.of(names);
    }
}
