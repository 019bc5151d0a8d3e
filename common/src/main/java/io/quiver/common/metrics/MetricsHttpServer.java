package io.quiver.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/** Serves {@code /metrics} (Prometheus text: the process' registry and its runtime figures) and {@code /healthz} (200 only while the process serves). */
public final class MetricsHttpServer implements AutoCloseable {
    private final HttpServer server;

    public MetricsHttpServer(String host, int port, MetricsRegistry registry, RuntimeMetrics runtime, BooleanSupplier healthy) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> {
            StringBuilder body = new StringBuilder(PrometheusText.write(registry.prometheus().scrape()));
            runtime.appendTo(body);
            respond(ex, 200, body.toString(), PrometheusText.CONTENT_TYPE);
        });
        server.createContext("/healthz", ex -> {
            boolean ok = healthy.getAsBoolean();
            respond(ex, ok ? 200 : 503, ok ? "OK" : "NOT READY", "text/plain");
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int code, String body, String type) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
