package io.quiver.common.security;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.Set;

/**
 * Milvus' rules for RBAC names ({@code internal/proxy/util.go}: {@code validateName}, {@code ValidateRoleName},
 * {@code ValidateObjectName}, {@code ValidatePrivilegeGroupName}) and limits ({@code proxy.maxRoleNum} 10,
 * {@code proxy.maxNameLength} 255). A breach is code 1100 with Milvus' reason (1402 for a group name).
 */
public final class RbacRules {
    public static final String ADMIN = "admin";
    public static final String PUBLIC = "public";
    public static final Set<String> BUILTIN_ROLES = Set.of(ADMIN, PUBLIC);
    public static final String ANY = "*";
    public static final String DEFAULT_DB = "default";
    /** Milvus' {@code proxy.maxRoleNum}: every role counts, {@code admin} and {@code public} included. */
    public static final int MAX_ROLES = 10;
    public static final int MAX_NAME_LENGTH = 255;

    private RbacRules() {}

    public static String roleName(String given) {
        return name(given, "role name");
    }

    /** A collection or object name, or {@code *}. */
    public static String objectName(String given, String what) {
        return ANY.equals(given) ? ANY : name(given, what);
    }

    /** A privilege or group name, or {@code *}. */
    public static String privilegeName(String given) {
        return ANY.equals(given) ? ANY : name(given, "Privilege");
    }

    /** A database of a grant: empty means {@code default}, {@code *} means every database. */
    public static String grantDb(String given) {
        if (given == null || given.isEmpty()) {
            return DEFAULT_DB;
        }
        return ANY.equals(given) ? ANY : name(given, "database name");
    }

    public static String groupName(String given) {
        String name = given == null ? "" : given;
        if (name.isEmpty()) {
            throw QuiverException.of(ErrorCode.PRIVILEGE_GROUP_INVALID_NAME, "privilege group name should not be empty");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw QuiverException.of(ErrorCode.PRIVILEGE_GROUP_INVALID_NAME,
                    "the length of a privilege group name %s must be less than %d characters", name, MAX_NAME_LENGTH);
        }
        if (!firstOk(name.charAt(0))) {
            throw QuiverException.of(ErrorCode.PRIVILEGE_GROUP_INVALID_NAME,
                    "the first character of a privilege group name %s must be an underscore or letter", name);
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '_' && !letter(c) && !digit(c)) {
                throw QuiverException.invalid("privilege group name %s can only contain numbers, letters and underscores", name);
            }
        }
        return name;
    }

    private static String name(String given, String what) {
        String name = given == null ? "" : given.trim();
        if (name.isEmpty()) {
            throw QuiverException.invalid("%s should be not empty", what);
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw QuiverException.invalid("the length of %s must be not greater than limit %d, got %d", what, MAX_NAME_LENGTH, name.length());
        }
        if (!firstOk(name.charAt(0))) {
            throw QuiverException.invalid("the first character of %s must be an underscore or letter, got %s", what, name.charAt(0));
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '_' && c != '$' && !letter(c) && !digit(c)) {
                throw QuiverException.invalid("%s can only contain numbers, letters, dollars and underscores, found %s at %d", what, c, i);
            }
        }
        return name;
    }

    private static boolean firstOk(char c) {
        return c == '_' || letter(c);
    }

    private static boolean letter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}
