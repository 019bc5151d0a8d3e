package io.quiver.storage;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pulsar.client.api.Authentication;
import org.apache.pulsar.client.api.AuthenticationFactory;
import org.apache.pulsar.client.api.PulsarClientException;

/**
 * Authentication of {@link PulsarWal} to the broker (Milvus' {@code pulsar.authPlugin} and {@code pulsar.authParams}).
 * The plugin is a Pulsar client authentication class name, or {@code token} (what Milvus' Go client accepts) for
 * {@code AuthenticationToken}. Token parameters may be written as Milvus documents them, {@code {"token":"..."}}, or
 * as the Java client takes them ({@code token:...}, {@code file:///path}).
 *
 * @param plugin empty for no authentication
 * @param params the plugin's parameters; never printed
 */
public record PulsarAuth(String plugin, String params) {
    public static final PulsarAuth NONE = new PulsarAuth("", "");
    private static final String TOKEN_CLASS = "org.apache.pulsar.client.impl.auth.AuthenticationToken";
    private static final Pattern JSON_TOKEN = Pattern.compile("\\{\\s*\"token\"\\s*:\\s*\"([^\"\\\\]+)\"\\s*}");

    public PulsarAuth {
        plugin = plugin == null ? "" : plugin.strip();
        params = params == null ? "" : params.strip();
        if (plugin.isEmpty() && !params.isEmpty()) {
            throw new IllegalArgumentException("pulsar.authParams is set but pulsar.authPlugin is empty");
        }
        if (isToken(plugin) && params.isEmpty()) {
            throw new IllegalArgumentException("pulsar.authPlugin " + plugin + " needs pulsar.authParams (the token)");
        }
    }

    public boolean enabled() {
        return !plugin.isEmpty();
    }

    private static boolean isToken(String plugin) {
        return plugin.equals("token") || plugin.equals(TOKEN_CLASS);
    }

    /** The client authentication these settings name; fails with the plugin's name (never its parameters). */
    Authentication authentication() {
        try {
            if (isToken(plugin)) {
                return AuthenticationFactory.create(TOKEN_CLASS, tokenParams(params));
            }
            return AuthenticationFactory.create(plugin, params);
        } catch (PulsarClientException.UnsupportedAuthenticationException | RuntimeException e) {
            throw new IllegalArgumentException("pulsar.authPlugin " + plugin + " cannot be used: " + e.getClass().getSimpleName(), e);
        }
    }

    /** {@code {"token":"x"}} (Milvus' form) becomes {@code token:x}; other forms pass as they are. */
    static String tokenParams(String params) {
        if (!params.startsWith("{")) {
            return params;
        }
        Matcher m = JSON_TOKEN.matcher(params);
        if (!m.matches()) {
            throw new IllegalArgumentException("pulsar.authParams: the JSON form must be {\"token\":\"<token>\"}");
        }
        return "token:" + m.group(1);
    }

    @Override
    public String toString() {
        return "PulsarAuth[plugin=" + plugin + "]";
    }
}
