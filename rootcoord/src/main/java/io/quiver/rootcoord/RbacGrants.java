package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.QuiverException;
import io.quiver.common.security.BuiltinGroup;
import io.quiver.common.security.Grant;
import io.quiver.common.security.Privilege;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacRules;
import io.quiver.common.security.RbacState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Granting, revoking and listing privileges with Milvus 2.5's rules ({@code internal/rootcoord/root_coord.go}:
 * {@code OperatePrivilege}, {@code isValidPrivilege}, {@code isValidPrivilegeV2}, {@code validatePrivilegeGroupParams},
 * {@code SelectGrant}; {@code internal/proxy/impl.go} for the related privileges).
 *
 * <ul>
 *   <li>v1 ({@code OperatePrivilege}): the privilege must belong to the given object type, or be {@code *}, or one
 *       of the legacy groups ({@code ReadOnly}/{@code ReadWrite} on Collection, {@code Admin} on Global); the nine
 *       level groups and custom groups are refused. A Global grant is stored for object {@code *}.</li>
 *   <li>v2 ({@code OperatePrivilegeV2}): any privilege, built-in or custom group or {@code *}; the object type is the
 *       privilege's own (Global for groups and {@code *}); cluster groups need database and collection {@code *},
 *       database groups collection {@code *}, collection groups on every database collection {@code *}.</li>
 *   <li>Granting or revoking {@code Load} also does {@code GetLoadState} and {@code GetLoadingProgress}, {@code Flush}
 *       also {@code GetFlushState}. Re-granting and revoking what is not granted succeed.</li>
 * </ul>
 */
public final class RbacGrants {
    private static final Logger LOG = LoggerFactory.getLogger(RbacGrants.class);

    /** Grant or revoke. */
    public enum Operation { GRANT, REVOKE }

    /** The fields of a v1 grant as the client sent them; {@code grantor} is the calling user. */
    public record V1(String role, String objectType, String objectName, String db, String privilege, String grantor) {}

    /** The fields of a v2 grant as the client sent them; {@code grantor} is the calling user. */
    public record V2(String role, String privilege, String db, String collection, String grantor) {}

    private final RbacTable table;

    public RbacGrants(RbacTable table) {
        this.table = requireNonNull(table, "table is null");
    }

    public void operate(Operation op, V1 req) {
        String privilege = RbacRules.privilegeName(req.privilege());
        RbacObject object = RbacObject.parse(req.objectType());
        String objectName = RbacRules.objectName(req.objectName(), "object name");
        String role = RbacRules.roleName(req.role());
        String db = RbacRules.grantDb(req.db());
        table.update(s -> {
            RbacTable.requireRole(s, role);
            checkV1(s, privilege, object);
            boolean legacyGroup = BuiltinGroup.byName(privilege).isPresent();
            String name = object == RbacObject.Global && !legacyGroup ? RbacRules.ANY : objectName;
            return apply(s, op, new Grant(role, object, db, name, privilege, req.grantor()));
        });
        LOG.info("privilege {} v1 role={} object={} name={} db={} privilege={}", op, role, object, objectName, db, privilege);
    }

    public void operate(Operation op, V2 req) {
        String role = RbacRules.roleName(req.role());
        String privilege = RbacRules.privilegeName(req.privilege());
        String db = RbacRules.grantDb(req.db());
        String collection = RbacRules.objectName(req.collection(), "collection name");
        table.update(s -> {
            RbacTable.requireRole(s, role);
            RbacObject object = checkV2(s, privilege, db, collection);
            return apply(s, op, new Grant(role, object, db, collection, privilege, req.grantor()));
        });
        LOG.info("privilege {} v2 role={} db={} collection={} privilege={}", op, role, db, collection, privilege);
    }

    /**
     * The grants of {@code role} in {@code db} ({@code ""}: default, {@code *}: all; grants made for every database
     * are always included), optionally only those on one object type and name.
     */
    public List<Grant> select(String role, Optional<String> objectType, Optional<String> objectName, String db) {
        String r = RbacRules.roleName(role);
        String d = RbacRules.grantDb(db);
        Optional<RbacObject> object = objectType.map(RbacObject::parse);
        Optional<String> name = objectName.map(n -> RbacRules.objectName(n, "object name"));
        RbacState s = table.state();
        RbacTable.requireRole(s, r);
        return s.grantsOf(r).stream()
                .filter(g -> d.equals(RbacRules.ANY) || g.db().equals(RbacRules.ANY) || g.db().equals(d))
                .filter(g -> object.isEmpty() || g.object() == object.get())
                .filter(g -> object.isEmpty() || name.isEmpty() || g.objectName().equals(name.get()))
                .toList();
    }

    private static RbacState apply(RbacState s, Operation op, Grant grant) {
        List<Grant> all = new ArrayList<>(List.of(grant));
        Privilege.byName(grant.privilege()).ifPresent(p -> p.related().forEach(r -> all.add(
                new Grant(grant.role(), r.object(), grant.db(), grant.objectName(), r.name(), grant.grantor()))));
        RbacState out = s;
        for (Grant g : all) {
            out = op == Operation.GRANT ? out.withGrant(g) : out.withoutGrant(g);
        }
        return out;
    }

    private static void checkV1(RbacState s, String privilege, RbacObject object) {
        if (privilege.equals(RbacRules.ANY)) {
            return;
        }
        if (s.groups().containsKey(privilege)) {
            throw QuiverException.invalid("can not operate the custom privilege group [%s]", privilege);
        }
        Optional<BuiltinGroup> group = BuiltinGroup.byName(privilege);
        if (group.isPresent() && group.get().level() != BuiltinGroup.Level.LEGACY) {
            throw QuiverException.invalid("can not operate the built-in privilege group [%s]", privilege);
        }
        boolean fits = group.map(g -> g == BuiltinGroup.Admin ? object == RbacObject.Global : object == RbacObject.Collection)
                .orElseGet(() -> Privilege.byName(privilege).map(p -> p.object() == object).orElse(false));
        if (!fits) {
            throw QuiverException.invalid("not found the privilege name[%s] in object[%s]", privilege, object);
        }
    }

    /** Validates a v2 grant and returns the object type it is stored under (Milvus' {@code GetObjectType}). */
    private static RbacObject checkV2(RbacState s, String privilege, String db, String collection) {
        if (privilege.equals(RbacRules.ANY) || s.groups().containsKey(privilege)) {
            return RbacObject.Global;
        }
        Optional<Privilege> single = Privilege.byName(privilege);
        if (single.isPresent()) {
            return single.get().object();
        }
        BuiltinGroup group = BuiltinGroup.byName(privilege)
                .orElseThrow(() -> QuiverException.invalid("not found the privilege name[%s]", privilege));
        boolean anyDb = db.equals(RbacRules.ANY);
        boolean anyCollection = collection.equals(RbacRules.ANY);
        switch (group.level()) {
            case CLUSTER -> {
                if (!anyDb || !anyCollection) {
                    throw QuiverException.invalid("dbName and collectionName should be * for the cluster level privilege: %s", privilege);
                }
            }
            case DATABASE -> {
                if (!anyCollection) {
                    throw QuiverException.invalid("collectionName should be * for the database level privilege: %s", privilege);
                }
            }
            case COLLECTION -> {
                if (anyDb && !anyCollection) {
                    throw QuiverException.invalid("please specify database name for the collection level privilege: %s", privilege);
                }
            }
            case LEGACY -> { }
        }
        return RbacObject.Global;
    }
}
