package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.CreateCredentialRequest;
import io.milvus.grpc.DeleteCredentialRequest;
import io.milvus.grpc.UpdateCredentialRequest;
import io.quiver.common.config.QuiverConfig.SecurityConfig;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.CredentialRules;
import io.quiver.common.security.PasswordHasher;
import io.quiver.proto.CredentialInfo;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * CreateCredential, UpdateCredential, DeleteCredential and ListCredUsers, as Milvus' proxy does them: passwords
 * arrive Base64-encoded, are checked against Milvus' rules and hashed here, and only the hash goes to rootcoord.
 * UpdateCredential needs the user's old password unless the caller is one of {@code common.security.superUsers}.
 *
 * <p>Who may manage users is decided before these run, by the privilege check ({@link PrivilegeInterceptor}:
 * {@code CreateOwnership}, {@code DropOwnership}, {@code SelectOwnership}, {@code UpdateUser}; a user may always
 * change its own password).
 */
public final class CredentialHandler {
    /** Reads and writes the stored credentials (rootcoord in a running proxy). */
    public interface Store {
        void create(CredentialInfo credential);

        void update(CredentialInfo credential);

        void delete(String username);

        List<String> list();
    }

    private final Store store;
    private final CredentialCache cache;
    private final PasswordHasher hasher;
    private final SecurityConfig config;

    public CredentialHandler(Store store, CredentialCache cache, PasswordHasher hasher, SecurityConfig config) {
        this.store = requireNonNull(store, "store is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.hasher = requireNonNull(hasher, "hasher is null");
        this.config = requireNonNull(config, "config is null");
    }

    public void create(CreateCredentialRequest req) {
        String name = CredentialRules.username(req.getUsername());
        String password = CredentialRules.password(decode(req.getPassword(), "password"));
        store.create(CredentialInfo.newBuilder().setUsername(name).setEncryptedPassword(hasher.hash(password)).build());
    }

    public void update(Optional<Caller> caller, UpdateCredentialRequest req) {
        String name = CredentialRules.username(req.getUsername());
        String newPassword = CredentialRules.password(decode(req.getNewPassword(), "new password"));
        boolean superUser = caller.map(c -> config.superUsers().contains(c.username())).orElse(false);
        if (!superUser && !cache.verify(name, decode(req.getOldPassword(), "old password"))) {
            throw QuiverException.of(ErrorCode.NOT_AUTHENTICATED, "old password not correct for %s", name);
        }
        store.update(CredentialInfo.newBuilder().setUsername(name).setEncryptedPassword(hasher.hash(newPassword)).build());
    }

    public void delete(DeleteCredentialRequest req) {
        String name = req.getUsername() == null ? "" : req.getUsername().trim();
        if (name.isEmpty()) {
            throw QuiverException.invalid("username should be not empty");
        }
        store.delete(name);
    }

    public List<String> list() {
        return store.list();
    }

    private static String decode(String base64, String what) {
        try {
            return new String(Base64.getDecoder().decode(base64 == null ? "" : base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw QuiverException.invalid("the %s must be Base64-encoded", what);
        }
    }
}
