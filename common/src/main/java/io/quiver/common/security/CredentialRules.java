package io.quiver.common.security;

import io.quiver.common.error.QuiverException;
import java.util.regex.Pattern;

/**
 * Milvus' rules for user names and passwords ({@code internal/proxy/util.go}: {@code ValidateUsername},
 * {@code ValidatePassword}; limits {@code proxy.maxUsernameLength} 32 and {@code proxy.maxPasswordLength} 72).
 * A breach is code 1100 (invalid parameter) with the reason Milvus gives.
 */
public final class CredentialRules {
    public static final String ROOT = "root";
    public static final int MAX_USERNAME_LENGTH = 32;
    public static final int MIN_PASSWORD_LENGTH = 6;
    public static final int MAX_PASSWORD_LENGTH = 72;
    /** Milvus' {@code proxy.maxUserNum}. */
    public static final int MAX_USERS = 100;
    private static final Pattern USERNAME_TAIL = Pattern.compile("[A-Za-z0-9_]*");

    private CredentialRules() {}

    /** The trimmed user name if valid, else code 1100. */
    public static String username(String given) {
        String name = given == null ? "" : given.trim();
        if (name.isEmpty()) {
            throw QuiverException.invalid("username should be not empty");
        }
        if (name.length() > MAX_USERNAME_LENGTH) {
            throw QuiverException.invalid("invalid username %s with length %d, the length of username must be less than %d",
                    name, name.length(), MAX_USERNAME_LENGTH);
        }
        char first = name.charAt(0);
        if (!(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z')) {
            throw QuiverException.invalid("invalid user name %s, the first character must be a letter, but got %s", name, first);
        }
        if (!USERNAME_TAIL.matcher(name.substring(1)).matches()) {
            throw QuiverException.invalid("invalid user name %s. Username should only contain numbers, letters, and underscores", name);
        }
        return name;
    }

    /** The password if its length is allowed, else code 1100; the reason never contains the password. */
    public static String password(String given) {
        String password = given == null ? "" : given;
        int n = password.length();
        if (n < MIN_PASSWORD_LENGTH || n > MAX_PASSWORD_LENGTH) {
            throw QuiverException.invalid("invalid password length, the length of password must be between %d and %d, got %d",
                    MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, n);
        }
        return password;
    }
}
