package io.quiver.proxy.accesslog;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Milvus' access log template ({@code proxy.accessLog.formatters.base.format}): literal text with {@code $variable}
 * placeholders, compiled once. The variables are Milvus' names for what Quiver knows per request; an unknown one
 * fails start-up with the list of known ones (Milvus prints {@code Unknown} for it, which hides a typo). Times are
 * UTC in Milvus' layout ({@code 2006/01/02 15:04:05.000 -07:00}); a value never contains a line break.
 */
public final class AccessLogFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss.SSS xxx", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String UNKNOWN = "Unknown";
    private static final Pattern VARIABLE = Pattern.compile("\\$([a-z_]+)");
    private static final Map<String, Function<AccessRecord, String>> VARIABLES = Map.ofEntries(
            Map.entry("time_now", r -> TIME.format(r.end())),
            Map.entry("time_start", r -> TIME.format(r.start())),
            Map.entry("time_end", r -> TIME.format(r.end())),
            Map.entry("user_name", r -> orUnknown(r.user())),
            Map.entry("user_addr", r -> orUnknown(r.userAddress())),
            Map.entry("method_name", AccessRecord::method),
            Map.entry("method_status", r -> r.code() == 0 ? "Successful" : "Failed"),
            Map.entry("error_code", r -> Integer.toString(r.code())),
            Map.entry("error_msg", r -> oneLine(r.reason())),
            Map.entry("time_cost", r -> timeCost(r.latencyNanos())),
            Map.entry("database_name", r -> orUnknown(r.database())),
            Map.entry("collection_name", r -> orUnknown(r.collection())),
            Map.entry("partition_name", r -> orUnknown(r.partitions())));

    private final List<Function<AccessRecord, String>> parts;

    private AccessLogFormat(List<Function<AccessRecord, String>> parts) {
        this.parts = parts;
    }

    public static AccessLogFormat compile(String template) {
        List<Function<AccessRecord, String>> parts = new ArrayList<>();
        Matcher m = VARIABLE.matcher(template);
        int at = 0;
        while (m.find()) {
            Function<AccessRecord, String> v = VARIABLES.get(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("proxy.accessLog.formatters.base.format: unknown variable $" + m.group(1)
                        + " (known: " + VARIABLES.keySet().stream().sorted().map(k -> "$" + k).toList() + ")");
            }
            String literal = oneLine(template.substring(at, m.start()));
            if (!literal.isEmpty()) {
                parts.add(r -> literal);
            }
            parts.add(v);
            at = m.end();
        }
        String tail = oneLine(template.substring(at));
        if (!tail.isEmpty()) {
            parts.add(r -> tail);
        }
        return new AccessLogFormat(List.copyOf(parts));
    }

    public String format(AccessRecord r) {
        StringBuilder b = new StringBuilder(160);
        for (Function<AccessRecord, String> p : parts) {
            b.append(p.apply(r));
        }
        return b.toString();
    }

    private static String orUnknown(String s) {
        return s == null || s.isEmpty() ? UNKNOWN : oneLine(s);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    /** Milvus prints Go's duration ({@code 1.5ms}); milliseconds with microsecond precision read the same way. */
    static String timeCost(long nanos) {
        return String.format(Locale.ROOT, "%.3fms", nanos / 1e6);
    }
}
