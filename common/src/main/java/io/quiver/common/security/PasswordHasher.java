package io.quiver.common.security;

import static java.util.Objects.requireNonNull;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import javax.annotation.concurrent.ThreadSafe;

/**
 * Salted password hashes with bcrypt (as Milvus, {@code pkg/util/crypto}): a new random 16-byte salt per hash, the
 * cost in the hash string ({@code $2b$10$...}), so a hash made with another cost still verifies.
 *
 * <p>Design: Milvus hashes with cost 4; Quiver uses 10 (OWASP's minimum for bcrypt) because a proxy verifies a
 * password with bcrypt only once per user and password and then compares a SHA-256 digest (see the proxy's
 * credential cache), so the cost is paid on a cache miss, not per request. Passwords longer than bcrypt's 72-byte
 * input (possible with multi-byte characters within Milvus' 72-character limit) are pre-hashed with SHA-512 rather
 * than truncated, so two long passwords sharing a prefix never share a hash.
 */
@ThreadSafe
public final class PasswordHasher {
    public static final int DEFAULT_COST = 10;

    private final BCrypt.Hasher hasher;
    private final BCrypt.Verifyer verifyer;
    private final int cost;

    public PasswordHasher(int cost, SecureRandom random) {
        if (cost < 4 || cost > 31) {
            throw new IllegalArgumentException("bcrypt cost must be in [4, 31], got " + cost);
        }
        this.cost = cost;
        this.hasher = BCrypt.with(BCrypt.Version.VERSION_2B, requireNonNull(random, "random is null"),
                LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2B));
        this.verifyer = BCrypt.verifyer(BCrypt.Version.VERSION_2B, LongPasswordStrategies.hashSha512(BCrypt.Version.VERSION_2B));
    }

    /** The production hasher: cost 10, salts from the platform's strong random source. */
    public static PasswordHasher standard() {
        return new PasswordHasher(DEFAULT_COST, new SecureRandom());
    }

    /** The bcrypt hash string of {@code password}, with a fresh salt. */
    public String hash(String password) {
        return new String(hasher.hash(cost, password.getBytes(StandardCharsets.UTF_8)), StandardCharsets.US_ASCII);
    }

    /** Whether {@code password} matches {@code hash}; false (never an exception) for a malformed hash. */
    public boolean verify(String password, String hash) {
        try {
            return verifyer.verify(password.getBytes(StandardCharsets.UTF_8), hash.getBytes(StandardCharsets.US_ASCII)).verified;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
