package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.QuiverException;
import io.quiver.common.security.BuiltinGroup;
import io.quiver.common.security.Grant;
import io.quiver.common.security.Privilege;
import io.quiver.common.security.PrivilegeNames;
import io.quiver.common.security.RbacRules;
import io.quiver.common.security.RbacState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Custom privilege groups (Milvus 2.5 {@code CreatePrivilegeGroup}, {@code DropPrivilegeGroup},
 * {@code ListPrivilegeGroups}, {@code OperatePrivilegeGroup}) with Milvus' rules and messages: a name may not be a
 * built-in privilege or group, dropping an unknown group succeeds, dropping one a role holds is refused, built-in
 * groups cannot be changed.
 *
 * <p>Members are stored as single privileges: adding a group (built-in or custom) adds its members as they are at
 * that moment, and removing one removes them. Milvus stores a custom group's name next to its members instead, with
 * no defined meaning when that group changes later; a flat list keeps a group's meaning visible in
 * {@code ListPrivilegeGroups}.
 */
public final class RbacGroups {
    private static final Logger LOG = LoggerFactory.getLogger(RbacGroups.class);

    /** A group and its member privileges. */
    public record GroupView(String name, List<String> privileges) {}

    private final RbacTable table;

    public RbacGroups(RbacTable table) {
        this.table = requireNonNull(table, "table is null");
    }

    public void create(String given) {
        String name = RbacRules.groupName(given);
        table.update(s -> {
            if (s.groups().containsKey(name)) {
                throw QuiverException.invalid("privilege group name [%s] is defined by users", name);
            }
            if (PrivilegeNames.isBuiltin(name)) {
                throw QuiverException.invalid("privilege group name [%s] is defined by built in privileges or privilege groups in system", name);
            }
            return s.withGroup(name, Set.of());
        });
        LOG.info("privilege group created group={}", name);
    }

    public void drop(String given) {
        String name = RbacRules.groupName(given);
        table.update(s -> {
            if (!s.groups().containsKey(name)) {
                return s;
            }
            Optional<Grant> used = s.grants().stream().filter(g -> g.privilege().equals(name)).findFirst();
            if (used.isPresent()) {
                throw QuiverException.invalid("privilege group [%s] is used by role [%s], Use REVOKE API to revoke it first",
                        name, used.get().role());
            }
            return s.withoutGroup(name);
        });
        LOG.info("privilege group dropped group={}", name);
    }

    /** The custom groups (by name), then the nine built-in level groups, as Milvus lists them. */
    public List<GroupView> list() {
        List<GroupView> out = new ArrayList<>();
        table.state().groups().forEach((name, members) -> out.add(new GroupView(name, List.copyOf(members))));
        for (BuiltinGroup g : BuiltinGroup.values()) {
            if (g.level() != BuiltinGroup.Level.LEGACY) {
                out.add(new GroupView(g.name(), g.members().stream().map(Privilege::name).toList()));
            }
        }
        return out;
    }

    /** Adds ({@code add}) or removes privileges (or the members of groups) to or from a custom group. */
    public void operate(String given, Collection<String> privileges, boolean add) {
        String name = RbacRules.groupName(given);
        if (BuiltinGroup.byName(name).isPresent()) {
            throw QuiverException.invalid("the privilege group name [%s] is defined by built in privilege groups in system", name);
        }
        List<String> asked = privileges.stream().map(RbacRules::privilegeName).toList();
        table.update(s -> {
            if (!s.groups().containsKey(name)) {
                throw QuiverException.invalid("there is no privilege group name [%s] to operate", name);
            }
            TreeSet<String> members = new TreeSet<>(s.groups().get(name));
            for (String p : asked) {
                Set<String> singles = singles(s, p);
                if (add) {
                    members.addAll(singles);
                } else {
                    members.removeAll(singles);
                }
            }
            return s.withGroup(name, members);
        });
        LOG.info("privilege group {} group={} privileges={}", add ? "extended" : "reduced", name, asked);
    }

    private static Set<String> singles(RbacState s, String privilege) {
        if (Privilege.byName(privilege).isPresent()) {
            return Set.of(privilege);
        }
        Optional<BuiltinGroup> builtin = BuiltinGroup.byName(privilege);
        if (builtin.isPresent()) {
            return names(builtin.get().members());
        }
        if (s.groups().containsKey(privilege)) {
            return s.groups().get(privilege);
        }
        throw QuiverException.invalid("there is no privilege name or privilege group name [%s] defined in system to operate", privilege);
    }

    private static Set<String> names(Set<Privilege> privileges) {
        TreeSet<String> out = new TreeSet<>();
        privileges.forEach(p -> out.add(p.name()));
        return out;
    }
}
