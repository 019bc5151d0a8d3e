package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.quiver.common.security.CredentialRules;

/**
 * The authenticated user of a call, resolved once by {@link AuthInterceptor} and carried in the gRPC context.
 * The privilege check (RBAC) will read the user's roles from here; nothing else re-reads the header.
 */
public record Caller(String username) {
    public Caller {
        requireNonNull(username, "username is null");
    }

    public boolean isRoot() {
        return username.equals(CredentialRules.ROOT);
    }
}
