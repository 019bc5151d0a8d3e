package io.quiver.server.ctl;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.ManagedChannel;
import io.milvus.grpc.GetMetricsRequest;
import io.milvus.grpc.GetMetricsResponse;
import io.milvus.grpc.MilvusServiceGrpc;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code quiver ctl status [--address HOST:PORT] [--json] [--watch SECONDS]}: the cluster monitor, read through any
 * proxy's public port ({@code GetMetrics("system_info")}), so it works for standalone and cluster alike.
 */
public final class Ctl {
    private Ctl() {}

    public static int main(String[] args, PrintStream out) throws Exception {
        if (args.length == 0 || !args[0].equals("status")) {
            out.println("usage: quiver ctl status [--address HOST:PORT] [--json] [--watch SECONDS]");
            return 2;
        }
        String address = "127.0.0.1:19530";
        boolean json = false;
        int watch = 0;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--address" -> address = args[++i];
                case "--json" -> json = true;
                case "--watch" -> watch = Integer.parseInt(args[++i]);
                default -> {
                    out.println("unknown argument " + args[i]);
                    return 2;
                }
            }
        }
        ManagedChannel ch = ClientChannels.open(address, 64 << 20);
        try {
            var stub = MilvusServiceGrpc.newBlockingStub(ch);
            do {
                GetMetricsResponse r = stub.withDeadlineAfter(15, TimeUnit.SECONDS)
                        .getMetrics(GetMetricsRequest.newBuilder().setRequest("{\"metric_type\":\"system_info\"}").build());
                if (r.getStatus().getCode() != 0) {
                    out.println("error: " + r.getStatus().getReason());
                    return 1;
                }
                if (json) {
                    out.println(r.getResponse());
                } else {
                    if (watch > 0) {
                        out.print("\033[H\033[2J");
                    }
                    print(JsonParser.parseString(r.getResponse()).getAsJsonObject(), out);
                }
                if (watch > 0) {
                    Thread.sleep(watch * 1000L);
                }
            } while (watch > 0);
            return 0;
        } finally {
            ch.shutdownNow();
        }
    }

    private static String s(JsonObject o, String k) {
        JsonElement e = o.get(k);
        return e == null || e.isJsonNull() ? "-" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    static void print(JsonObject info, PrintStream out) {
        out.println("NODES");
        out.printf("  %-10s %-4s %-34s %-11s %-8s %-8s %-9s %-9s %s%n", "ROLE", "ID", "ADDRESS", "HEALTH", "VERSION", "UPTIME",
                "ROWS", "SEGMENTS", "MEMORY");
        for (JsonElement e : info.getAsJsonArray("nodes")) {
            JsonObject n = e.getAsJsonObject();
            String mem = n.has("memory_bytes") ? (n.get("memory_bytes").getAsLong() >> 20) + "/" + (n.get("memory_budget").getAsLong() >> 20) + " MiB"
                    + (n.has("delete_buffer_rows") ? ", " + s(n, "delete_buffer_rows") + " buffered deletes" : "") : "-";
            out.printf("  %-10s %-4s %-34s %-11s %-8s %-8s %-9s %-9s %s%n", s(n, "role"), s(n, "server_id"), s(n, "address"), s(n, "health"),
                    s(n, "version"), s(n, "uptime_s") + "s", s(n, "rows"), s(n, "segments"), mem);
        }
        out.println("COLLECTIONS");
        for (JsonElement e : info.getAsJsonArray("collections")) {
            JsonObject c = e.getAsJsonObject();
            out.printf("  %s.%s (id %s): %s %s%%%s%n", s(c, "database"), s(c, "name"), s(c, "id"), s(c, "load_state"), s(c, "load_progress"),
                    c.has("load_reason") ? " — " + s(c, "load_reason") : "");
            if (c.has("storage")) {
                JsonObject st = c.getAsJsonObject("storage");
                out.printf("    storage: segments %s, L0 %s segments / %s deletes, deleted ratio %s, %s stored, compaction backlog %s%n",
                        s(st, "segments"), s(st, "l0_segments"), s(st, "l0_rows"), s(st, "deleted_ratio"),
                        st.has("bytes") ? mib(st.get("bytes").getAsLong()) : "-", s(st, "compaction_backlog"));
            }
            if (c.has("replicas")) {
                for (JsonElement r : c.getAsJsonArray("replicas")) {
                    JsonObject ro = r.getAsJsonObject();
                    out.printf("    replica %s nodes %s leaders %s%n", s(ro, "id"), s(ro, "nodes"), s(ro, "leaders"));
                    if (ro.has("balance")) {
                        JsonObject rb = ro.getAsJsonObject("balance");
                        out.printf("      mean rows %s, stddev %s, leaders per node %s: %s%n", s(rb, "mean_rows"), s(rb, "stddev_rows"),
                                s(rb, "leaders_per_node"), s(rb, "verdict"));
                    }
                }
                out.printf("    sealed segment copies %s, rows per querynode %s%n", s(c, "sealed_segment_copies"), s(c, "rows_per_querynode"));
            }
        }
        JsonObject b = info.getAsJsonObject("balance");
        out.printf("BALANCE  querynodes %s, mean rows %s, stddev %s (all collections); replicas: %s%n", s(b, "querynodes"), s(b, "mean_rows"),
                s(b, "stddev_rows"), s(b, "verdict"));
        out.println("CHANNELS");
        info.getAsJsonObject("channel_owners").entrySet().forEach(e -> out.printf("  %-45s %s%n", e.getKey(), e.getValue().getAsString()));
    }

}
