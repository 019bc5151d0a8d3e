package io.quiver.server.ctl;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Figures read from the server's own reports: {@code GetMetrics("system_info")} JSON (see the proxy's SystemInfo) and
 * the Prometheus text of a /metrics endpoint. Pure parsing, no I/O.
 *
 * @param memoryBytes sum of memory_bytes over the querynodes
 * @param growingRows growing rows over the querynodes: their rows (sealed + growing, all collections) minus the sealed
 *     rows of every loaded collection (rows_per_querynode); system_info has no growing rows per collection
 * @param loadedCollections loaded collections
 */
record ServerFigures(long memoryBytes, long growingRows, int loadedCollections) {

    static ServerFigures fromSystemInfo(String json) {
        JsonObject info = JsonParser.parseString(json).getAsJsonObject();
        long memory = 0;
        long nodeRows = 0;
        for (JsonElement e : info.getAsJsonArray("nodes")) {
            JsonObject n = e.getAsJsonObject();
            if ("querynode".equals(n.get("role").getAsString())) {
                memory += n.has("memory_bytes") ? n.get("memory_bytes").getAsLong() : 0;
                nodeRows += n.has("rows") ? n.get("rows").getAsLong() : 0;
            }
        }
        long sealed = 0;
        int loaded = 0;
        if (info.has("collections")) {
            for (JsonElement e : info.getAsJsonArray("collections")) {
                JsonObject c = e.getAsJsonObject();
                if (c.has("rows_per_querynode")) {
                    loaded++;
                    for (var r : c.getAsJsonObject("rows_per_querynode").entrySet()) {
                        sealed += r.getValue().getAsLong();
                    }
                }
            }
        }
        return new ServerFigures(memory, Math.max(0, nodeRows - sealed), loaded);
    }

    /** The sum of every sample of {@code metric} (any labels) in Prometheus text format; -1 when there is none. */
    static long sumPrometheus(String text, String metric) {
        double sum = prometheusValue(text, metric);
        return Double.isNaN(sum) ? -1 : (long) sum;
    }

    /** As {@link #sumPrometheus} but fractional (gauges such as {@code process_cpu_usage}); NaN when there is no sample. */
    static double prometheusValue(String text, String metric) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (!line.startsWith(metric)) {
                continue;
            }
            String rest = line.substring(metric.length());
            if (rest.startsWith("{")) {
                int close = rest.lastIndexOf('}');
                rest = close < 0 ? "" : rest.substring(close + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // a longer metric name with this prefix
            }
            String[] parts = rest.trim().split("\\s+"); // value, then an optional timestamp
            try {
                sum += Double.parseDouble(parts[0]);
                found = true;
            } catch (NumberFormatException e) {
                // not a sample line
            }
        }
        return found ? sum : Double.NaN;
    }
}
