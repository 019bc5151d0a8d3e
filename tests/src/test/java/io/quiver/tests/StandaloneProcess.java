package io.quiver.tests;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A standalone Quiver server as a child process, on free loopback ports with its own data directory. Stopped by
 * its PID ({@link #kill9()} for crash tests, {@link #close()} for a graceful stop). Its output goes to a log file
 * in the data directory's parent, printed when a start fails.
 */
public final class StandaloneProcess implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path dataDir;
    private final int port;
    private final int metricsPort;
    private final Path log;
    private Path config;
    private Process process;

    public StandaloneProcess(Path dataDir) throws IOException {
        this(dataDir, freePort(), freePort());
    }

    public StandaloneProcess(Path dataDir, int port, int metricsPort) {
        this.dataDir = dataDir;
        this.port = port;
        this.metricsPort = metricsPort;
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    }

    /**
     * A port free now, drawn below the kernel's ephemeral range (32768+ on Linux): a port from that range can be
     * taken by any outgoing connection between this check and the server's bind (CI once failed so), or be the
     * source port of a TCP self-connect to it while nothing listens.
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = 20_000 + RANDOM.nextInt(12_000);
            try (ServerSocket s = new ServerSocket(candidate)) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the server with {@code --config yaml} (call before {@link #start()}). */
    public StandaloneProcess withConfig(Path yaml) {
        this.config = yaml;
        return this;
    }

    public int port() { return port; }

    public int metricsPort() { return metricsPort; }

    public String uri() { return "http://127.0.0.1:" + port; }

    public Path log() { return log; }

    /** Starts the server and waits until /healthz answers 200; returns the time that took. */
    public Duration start() throws Exception {
        String jar = System.getProperty("quiver.server.jar", "../server/target/quiver-server.jar");
        if (!new File(jar).isFile()) {
            throw new IllegalStateException("server jar not found at " + jar + " (build the server module first)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-jar", jar, "run", "standalone",
                "--port", Integer.toString(port), "--metrics-port", Integer.toString(metricsPort), "--data-dir", dataDir.toString()));
        if (config != null) {
            cmd.addAll(List.of("--config", config.toString()));
        }
        Files.createDirectories(dataDir);
        long t0 = System.nanoTime();
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("server exited with " + process.exitValue() + ":\n" + tail());
            }
            if (healthy()) {
                return Duration.ofNanos(System.nanoTime() - t0);
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server not healthy within 60 s:\n" + tail());
    }

    public boolean healthy() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + metricsPort + "/healthz").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(500);
            return c.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** kill -9: no shutdown hook runs. */
    public void kill9() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(process.pid())).start().waitFor();
        process.waitFor();
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
