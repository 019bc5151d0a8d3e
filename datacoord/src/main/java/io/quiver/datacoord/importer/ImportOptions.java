package io.quiver.datacoord.importer;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Import request options: {@code timeout} as Go durations Milvus parses ({@code 300s}, {@code 5m}, {@code 1h}, {@code 1h30m}). */
final class ImportOptions {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");

    private ImportOptions() {}

    static Duration timeout(String v) {
        String s = v.trim();
        Matcher m = PART.matcher(s);
        long ms = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            double x = Double.parseDouble(m.group(1));
            ms += (long) (x * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                default -> 3_600_000;
            });
            at = m.end();
        }
        if (s.isEmpty() || at != s.length() || ms <= 0) {
            throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "parse timeout failed, timeout=%s (want a duration such as 300s or 5m)", v);
        }
        return Duration.ofMillis(ms);
    }
}
