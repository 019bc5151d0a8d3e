package io.quiver.common.security;

/**
 * Where credentials live in MetaKv: {@code <metaRoot>/root-coord/credential/users/<user>}, as Milvus' rootcoord
 * catalog, and the RBAC document ({@code <metaRoot>/root-coord/rbac/document}). Rootcoord writes both; proxies
 * watch the credential prefix to drop cached entries (they read hashes through rootcoord) and read and watch the
 * RBAC document, so the layout is shared here rather than spelled twice.
 */
public final class CredentialKeys {
    private CredentialKeys() {}

    public static String usersPrefix(String metaRoot) {
        return metaRoot + "/root-coord/credential/users/";
    }

    public static String user(String metaRoot, String username) {
        return usersPrefix(metaRoot) + username;
    }

    /** The one key holding every role, binding, grant and custom privilege group ({@code RbacState}). */
    public static String rbacDocument(String metaRoot) {
        return metaRoot + "/root-coord/rbac/document";
    }
}
