package io.quiver.common.security;

/**
 * Where credentials live in MetaKv: {@code <metaRoot>/root-coord/credential/users/<user>}, as Milvus' rootcoord
 * catalog. Rootcoord writes them; proxies only watch the prefix to drop cached entries (they read through
 * rootcoord), so the layout is shared here rather than spelled twice.
 */
public final class CredentialKeys {
    private CredentialKeys() {}

    public static String usersPrefix(String metaRoot) {
        return metaRoot + "/root-coord/credential/users/";
    }

    public static String user(String metaRoot, String username) {
        return usersPrefix(metaRoot) + username;
    }
}
