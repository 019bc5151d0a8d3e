package io.quiver.common.security;

import io.quiver.common.error.QuiverException;

/**
 * The kinds of object a privilege applies to, as Milvus names them ({@code common.ObjectType}); the constants carry
 * Milvus' spelling because that spelling is what clients send and read back in grants.
 */
public enum RbacObject {
    Global, Collection, User;

    /** The object type for a name a client sent, or code 1100 naming the valid ones. */
    public static RbacObject parse(String name) {
        for (RbacObject o : values()) {
            if (o.name().equals(name)) {
                return o;
            }
        }
        throw QuiverException.invalid("not found the object type[name: %s], supported the object types: [Collection Global User]", name);
    }
}
