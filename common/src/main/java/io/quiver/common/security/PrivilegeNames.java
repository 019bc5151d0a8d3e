package io.quiver.common.security;

import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a privilege name in a grant stands for. A grant names a single privilege ({@code Search}), {@code All},
 * a built-in group, a custom group, or {@code *}; checking a call needs the single privileges behind it.
 */
public final class PrivilegeNames {
    private PrivilegeNames() {}

    /** A built-in privilege or built-in group name (names a custom group may not take). */
    public static boolean isBuiltin(String name) {
        return Privilege.byName(name).isPresent() || BuiltinGroup.byName(name).isPresent();
    }

    /**
     * The single privileges a grant of {@code name} on an object of type {@code object} gives: {@code *} is every
     * privilege of that object type (as Milvus), {@code All} every privilege of every type, a group its members.
     * An unknown name gives none.
     */
    public static Set<Privilege> expand(String name, RbacObject object, Map<String, ? extends Collection<String>> customGroups) {
        EnumSet<Privilege> s = EnumSet.noneOf(Privilege.class);
        if (RbacRules.ANY.equals(name)) {
            s.addAll(Privilege.of(object));
            return s;
        }
        Optional<Privilege> single = Privilege.byName(name);
        if (single.isPresent()) {
            if (single.get() == Privilege.All) {
                s.addAll(EnumSet.allOf(Privilege.class));
                s.remove(Privilege.All);
            } else {
                s.add(single.get());
            }
            return s;
        }
        Optional<BuiltinGroup> group = BuiltinGroup.byName(name);
        if (group.isPresent()) {
            s.addAll(group.get().members());
            return s;
        }
        Collection<String> members = customGroups.get(name);
        if (members != null) {
            members.forEach(m -> Privilege.byName(m).ifPresent(s::add));
        }
        return s;
    }
}
