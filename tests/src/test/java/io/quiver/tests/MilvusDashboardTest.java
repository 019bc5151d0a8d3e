package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, "Milvus' dashboard": Prometheus (the Debian package) scrapes a standalone under {@code quiver loadtest},
 * then every query of {@code dashboard/milvus-dashboard-queries.txt} (the series Milvus 2.5's Grafana dashboard
 * reads) is evaluated through Prometheus' HTTP API. A query marked {@code data} (Quiver has its subject) must return
 * data; one marked with a reason must not (so the marks stay true). The table goes to
 * {@code target/milvus-dashboard-report.tsv}. Skipped, saying so, when {@code prometheus} is not installed.
 */
class MilvusDashboardTest {
    private static final String RESOURCE = "/dashboard/milvus-dashboard-queries.txt";
    private static final int LOAD_SECONDS = 30;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    record Query(String row, String expect, String expr) {
        boolean expectsData() {
            return expect.equals("data");
        }
    }

    @Test
    void everyDashboardQueryWhoseSubjectExistsReturnsData() throws Exception {
        String prometheusBin = onPath("prometheus");
        assumeTrue(prometheusBin != null, "prometheus is not installed (apt-get install prometheus): dashboard check skipped");
        List<Query> queries = queries();
        try (StandaloneProcess server = new StandaloneProcess(tmp.resolve("data"))) {
            server.start();
            int promPort = StandaloneProcess.freePort();
            Process prometheus = startPrometheus(prometheusBin, server.metricsPort(), promPort);
            try {
                runLoad(server.port());
                TimeUnit.SECONDS.sleep(5); // a few more scrapes after the load
                List<String> report = new ArrayList<>();
                List<String> wrong = new ArrayList<>();
                int withData = 0;
                for (Query q : queries) {
                    boolean data = returnsData(promPort, q.expr());
                    withData += data ? 1 : 0;
                    report.add(q.row() + "\t" + q.expect() + "\t" + (data ? "data" : "empty") + "\t" + q.expr());
                    if (data != q.expectsData()) {
                        wrong.add((data ? "unexpected data: " : "no data: ") + q.expr());
                    }
                }
                Files.write(Path.of("target", "milvus-dashboard-report.tsv"), report);
                System.out.printf("Milvus dashboard: %d of %d queries return data (%d expected)%n", withData, queries.size(),
                        queries.stream().filter(Query::expectsData).count());
                assertThat(wrong).as("queries whose result differs from their mark (target/milvus-dashboard-report.tsv)").isEmpty();
            } finally {
                prometheus.destroy();
                prometheus.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static List<Query> queries() throws IOException {
        List<Query> out = new ArrayList<>();
        try (InputStream in = MilvusDashboardTest.class.getResourceAsStream(RESOURCE)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", 3);
                out.add(new Query(f[0], f[1], f[2]));
            }
        }
        return out;
    }

    private Process startPrometheus(String bin, int metricsPort, int promPort) throws Exception {
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: quiver
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels:
                          app_kubernetes_io_instance: quiver
                          app_kubernetes_io_name: milvus
                          namespace: default
                          pod: quiver-standalone
                """.formatted(metricsPort));
        Process p = new ProcessBuilder(bin, "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + promPort).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + promPort + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return p;
                }
            } catch (IOException e) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        p.destroy();
        throw new IllegalStateException("prometheus not ready in 30 s: " + Files.readString(tmp.resolve("prometheus.log")));
    }

    private void runLoad(int port) throws Exception {
        String jar = System.getProperty("quiver.server.jar", "../server/target/quiver-server.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process load = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-jar", jar,
                "loadtest", "--address", "127.0.0.1:" + port, "--duration", Integer.toString(LOAD_SECONDS), "--preload", "5000",
                "--threads", "2").redirectErrorStream(true).redirectOutput(tmp.resolve("loadtest.log").toFile()).start();
        assertThat(load.waitFor(LOAD_SECONDS + 120, TimeUnit.SECONDS)).as("loadtest finished").isTrue();
        assertThat(load.exitValue()).as("loadtest exit code, log " + tmp.resolve("loadtest.log")).isZero();
    }

    private boolean returnsData(int promPort, String expr) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + promPort + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        String body = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
        var json = JsonParser.parseString(body).getAsJsonObject();
        assertThat(json.get("status").getAsString()).as("query accepted: " + expr + " -> " + body).isEqualTo("success");
        return !json.getAsJsonObject("data").getAsJsonArray("result").isEmpty();
    }

    private static String onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            File f = new File(dir, name);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }
}
