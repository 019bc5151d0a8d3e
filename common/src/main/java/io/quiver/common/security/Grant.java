package io.quiver.common.security;

import static java.util.Objects.requireNonNull;

/**
 * One granted privilege: {@code role} may use {@code privilege} (a privilege, {@code All}, a group or {@code *}, by
 * its API name) on {@code object}-type objects named {@code objectName} ({@code *}: any) in database {@code db}
 * ({@code *}: any). {@code grantor} is the user who granted it (informational; two grants that differ only in
 * grantor are the same grant).
 */
public record Grant(String role, RbacObject object, String db, String objectName, String privilege, String grantor) {
    public Grant {
        requireNonNull(role, "role is null");
        requireNonNull(object, "object is null");
        requireNonNull(db, "db is null");
        requireNonNull(objectName, "objectName is null");
        requireNonNull(privilege, "privilege is null");
        requireNonNull(grantor, "grantor is null");
    }

    /** Same role, object, database, object name and privilege. */
    public boolean sameAs(Grant o) {
        return role.equals(o.role) && object == o.object && db.equals(o.db) && objectName.equals(o.objectName)
                && privilege.equals(o.privilege);
    }
}
