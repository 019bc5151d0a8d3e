package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Decides one call's {@code authorization} header: Base64 of {@code user:password} (what the Java and Node SDKs
 * send for a token {@code user:password} or for a user and password), split at the first {@code :}. The refusal
 * reasons are Milvus' ({@code internal/proxy/authentication_interceptor.go}), so clients and scripts that match on
 * them keep working. Quiver has no API keys: a token without {@code :} is refused as Milvus' default hook does.
 */
public final class Authenticator {
    static final String MISSING = "missing authorization in header";
    static final String BAD_FORMAT = "invalid token format";
    static final String BAD_API_KEY = "auth check failure, please check api key is correct";
    static final String BAD_PASSWORD = "auth check failure, please check username and password are correct";

    /** The outcome for one header. */
    public sealed interface Decision {
        record Accepted(Caller caller) implements Decision {}

        record Refused(String reason) implements Decision {}
    }

    private final CredentialCache credentials;

    public Authenticator(CredentialCache credentials) {
        this.credentials = requireNonNull(credentials, "credentials is null");
    }

    public Decision decide(String header) {
        if (header == null || header.isEmpty()) {
            return new Decision.Refused(MISSING);
        }
        String raw;
        try {
            raw = new String(Base64.getDecoder().decode(header.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return new Decision.Refused(BAD_FORMAT);
        }
        int colon = raw.indexOf(':');
        if (colon < 0) {
            return new Decision.Refused(BAD_API_KEY);
        }
        String user = raw.substring(0, colon);
        String password = raw.substring(colon + 1);
        if (user.isEmpty() || !credentials.verify(user, password)) {
            return new Decision.Refused(BAD_PASSWORD);
        }
        return new Decision.Accepted(new Caller(user));
    }
}
