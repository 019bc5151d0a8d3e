package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.milvus.grpc.SelectGrantRequest;
import io.quiver.common.security.Privilege;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacRules;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a caller may make one call, as Milvus' privilege interceptor does
 * ({@code internal/proxy/privilege_interceptor.go}): {@code root} and holders of {@code admin} may do everything;
 * otherwise the caller's roles and {@code public} must hold the privilege the {@link PrivilegeTable} names on the
 * call's object in the call's database. A user may always read and change itself (User objects naming the caller)
 * and list the grants of a role it holds.
 *
 * <p>The database is the one the handler will use: the request's {@code db_name} ({@code dbName}) when it names
 * one, else the {@code dbname} header, else {@code default}. (Milvus reads only the header, so a body naming
 * another database is checked against the wrong one there.)
 */
public final class Authorizer {
    /** The outcome for one call. */
    public sealed interface Decision {
        record Allowed() implements Decision {}

        /** Refused, with Milvus' reason ({@code PrivilegeX: permission deny to u in the `db` database}). */
        record Denied(String reason) implements Decision {}
    }

    private static final Decision ALLOWED = new Decision.Allowed();

    private final RbacCache cache;

    public Authorizer(RbacCache cache) {
        this.cache = requireNonNull(cache, "cache is null");
    }

    public Decision decide(Caller caller, String method, Message request, String headerDb) {
        if (caller.isRoot()) {
            return ALLOWED;
        }
        String db = db(request, headerDb);
        PrivilegeTable.Rule rule = PrivilegeTable.rule(method).orElse(new PrivilegeTable.Rule.AdminOnly("not in the privilege table"));
        PolicyIndex policy = cache.current();
        Set<String> roles = policy.rolesOf(caller.username());
        if (PolicyIndex.isAdmin(roles)) {
            return ALLOWED;
        }
        return switch (rule) {
            case PrivilegeTable.Rule.Open o -> ALLOWED;
            case PrivilegeTable.Rule.Filtered f -> ALLOWED;
            case PrivilegeTable.Rule.AdminOnly a -> denied(method, caller, db);
            case PrivilegeTable.Rule.Check c -> check(policy, roles, caller, c, request, db);
            case PrivilegeTable.Rule.Each e -> {
                List<String> names = names(request, e.namesField());
                boolean all = !names.isEmpty() && names.stream().allMatch(n -> policy.permits(roles, e.privilege(), db, n));
                yield all ? ALLOWED : denied("Privilege" + e.privilege().name(), caller, db);
            }
        };
    }

    private static Decision check(PolicyIndex policy, Set<String> roles, Caller caller, PrivilegeTable.Rule.Check c, Message request, String db) {
        String name = name(request, c.nameField());
        if (c.privilege().object() == RbacObject.User && name.equals(caller.username())) {
            return ALLOWED;
        }
        if (request instanceof SelectGrantRequest s && roles.contains(s.getEntity().getRole().getName())) {
            return ALLOWED;
        }
        return policy.permits(roles, c.privilege(), db, name) ? ALLOWED : denied("Privilege" + c.privilege().name(), caller, db);
    }

    private static Decision denied(String what, Caller caller, String db) {
        return new Decision.Denied(String.format("%s: permission deny to %s in the `%s` database", what, caller.username(), db));
    }

    /** The call's database: the body's {@code db_name} / {@code dbName} if set, else the header's, else default. */
    static String db(Message request, String headerDb) {
        for (String f : List.of("db_name", "dbName")) {
            FieldDescriptor d = request.getDescriptorForType().findFieldByName(f);
            if (d != null && d.getType() == FieldDescriptor.Type.STRING && !d.isRepeated()) {
                String v = (String) request.getField(d);
                if (!v.isEmpty()) {
                    return v;
                }
            }
        }
        return headerDb == null || headerDb.isEmpty() ? RbacRules.DEFAULT_DB : headerDb;
    }

    /**
     * The object a call names (Milvus' {@code GetObjectName}): the string field, or the {@code name} of a message
     * field ({@code SelectUser.user}); {@code *} when there is none or it is empty.
     */
    static String name(Message request, String field) {
        if (field == null) {
            return RbacRules.ANY;
        }
        FieldDescriptor d = field(request, field);
        Object v = request.getField(d);
        if (v instanceof Message m) {
            v = m.getDescriptorForType().getFields().isEmpty() ? "" : m.getField(m.getDescriptorForType().getFields().getFirst());
        }
        String s = String.valueOf(v);
        return s.isEmpty() ? RbacRules.ANY : s;
    }

    static List<String> names(Message request, String field) {
        Object v = request.getField(field(request, field));
        return ((List<?>) v).stream().map(String::valueOf).toList();
    }

    private static FieldDescriptor field(Message request, String field) {
        return Optional.ofNullable(request.getDescriptorForType().findFieldByName(field)).orElseThrow(() ->
                new IllegalStateException(request.getDescriptorForType().getName() + " has no field " + field));
    }

    /** The databases or collections a listing may show this caller: empty means all. */
    public Optional<Set<String>> visible(Caller caller, boolean databases, String db) {
        if (caller.isRoot()) {
            return Optional.empty();
        }
        PolicyIndex policy = cache.current();
        Set<String> roles = policy.rolesOf(caller.username());
        return databases ? policy.visibleDatabases(roles) : policy.visibleCollections(roles, db);
    }
}
