package io.quiver.common.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The proxy's access log, with Milvus' keys ({@code proxy.accessLog.*}): off by default; one line per request
 * written to {@code localPath/filename}, or to standard output when {@code filename} is empty (as Milvus). The
 * line is {@code formatters.base.format}, Milvus' {@code $variable} template.
 */
public record AccessLogConfig(boolean enabled, Path localPath, String filename, String format) {
    /** Milvus' base format plus the database and collection, which Milvus prints only for some methods. */
    public static final String DEFAULT_FORMAT = "[$time_now] [ACCESS] <$user_name: $user_addr> $method_name [status: $method_status]"
            + " [code: $error_code] [msg: $error_msg] [timeCost: $time_cost] [database: $database_name] [collection: $collection_name]";

    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("proxy.accessLog.enable", "false");
        d.put("proxy.accessLog.localPath", "");   // empty: <common.dataDir>/access_log
        d.put("proxy.accessLog.filename", "");    // empty: standard output (as Milvus)
        d.put("proxy.accessLog.formatters.base.format", DEFAULT_FORMAT);
        return d;
    }

    static AccessLogConfig from(Map<String, String> v, Path dataDir) {
        String dir = v.get("proxy.accessLog.localPath").trim();
        return new AccessLogConfig(QuiverConfig.bool(v, "proxy.accessLog.enable"), dir.isEmpty() ? dataDir.resolve("access_log") : Path.of(dir),
                v.get("proxy.accessLog.filename").trim(), v.get("proxy.accessLog.formatters.base.format"));
    }

    public AccessLogConfig {
        if (format.isBlank()) {
            throw new IllegalArgumentException("proxy.accessLog.formatters.base.format must not be empty");
        }
    }

    /** The file lines go to, or null for standard output. */
    public Path file() {
        return filename.isEmpty() ? null : localPath.resolve(filename);
    }
}
