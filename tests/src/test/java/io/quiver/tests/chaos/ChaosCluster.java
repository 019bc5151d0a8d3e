package io.quiver.tests.chaos;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cluster a chaos run attacks: its own etcd, S3 server and Pulsar (deploy/local, in its own run dir and ports, so
 * other clusters on the machine are never touched), every role as its own JVM (deploy/local/cluster.sh: two proxies,
 * three querynodes, two datanodes, one indexnode), and a {@link FaultProxy} on every link the harness can cut: the
 * roles reach etcd and the S3 server through one each, and each checker client reaches its proxy through one.
 * Pulsar is reached directly (its clients connect to the address the broker advertises, so a proxy in front of the
 * service URL would carry only the lookup).
 *
 * <p>Every process is stopped by the PID recorded when it was started; {@link #close} resumes paused ones first.
 */
final class ChaosCluster implements AutoCloseable {
    /** The dependencies, by the name deploy/local/deps.sh knows them. */
    static final List<String> DEPS = List.of("etcd", "s3", "pulsar");

    private final Path root;
    private final Path dir;
    private final Path infraDir;
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, FaultProxy> links = new LinkedHashMap<>();
    private final Map<String, Long> pids = new HashMap<>();
    private final int proxyPort;

    /**
     * @param dir where role logs and data go (kept after the run)
     * @param basePort first of a block of about 1,000 ports this cluster may use
     */
    ChaosCluster(Path dir, int basePort) {
        this.root = Path.of(System.getProperty("quiver.root", "..")).toAbsolutePath().normalize();
        this.dir = dir;
        this.infraDir = dir.resolve("infra");
        this.proxyPort = basePort + 30;
        env.put("INFRA_RUN_DIR", infraDir.toString());
        env.put("ETCD_CLIENT_PORT", Integer.toString(basePort + 1));
        env.put("ETCD_PEER_PORT", Integer.toString(basePort + 2));
        env.put("S3_PORT", Integer.toString(basePort + 3));
        env.put("PULSAR_BROKER_PORT", Integer.toString(basePort + 4));
        env.put("PULSAR_WEB_PORT", Integer.toString(basePort + 5));
        env.put("PULSAR_BOOKIE_PORT", Integer.toString(basePort + 6));
        env.put("QUIVER_CLUSTER_DIR", dir.toString());
        env.put("QUIVER_CLUSTER_NAME", "chaos");
        env.put("QUIVER_PROXY_PORT", Integer.toString(proxyPort));
        env.put("QUIVER_CLUSTER_BASE_PORT", Integer.toString(basePort + 100));
        env.put("QUIVER_ROLE_JAVA_OPTS", "-Xms64m -Xmx512m -XX:+UseSerialGC");
    }

    /** Starts the dependencies, the links and the roles; returns once every proxy serves. */
    void start() throws Exception {
        Files.createDirectories(infraDir);
        run(List.of(script("deps.sh"), "up"), Map.of());
        Map<String, String> deps = parseEnv(run(List.of(script("deps.sh"), "env"), Map.of()));
        FaultProxy etcd = link("etcd", port(deps.get("ETCD_ENDPOINTS")));
        FaultProxy s3 = link("s3", port(deps.get("S3_ENDPOINT")));
        env.put("QUIVER_EXTERNAL_DEPS", "1");
        env.put("ETCD_ENDPOINTS", "http://127.0.0.1:" + etcd.port());
        env.put("S3_ENDPOINT", "http://127.0.0.1:" + s3.port());
        env.put("S3_ACCESS_KEY", deps.getOrDefault("S3_ACCESS_KEY", "minioadmin"));
        env.put("S3_SECRET_KEY", deps.getOrDefault("S3_SECRET_KEY", "minioadmin"));
        env.put("PULSAR_SERVICE_URL", deps.get("PULSAR_SERVICE_URL"));
        cluster("up", "--querynodes", "3", "--datanodes", "2", "--indexnodes", "1", "--proxies", "2");
        for (String[] s : status()) {
            if (s[0].startsWith("proxy-")) {
                link(s[0], Integer.parseInt(s[2]));
            }
        }
    }

    private FaultProxy link(String name, int target) throws IOException {
        FaultProxy p = new FaultProxy(0, target);
        links.put(name, p);
        return p;
    }

    /** The fault proxy on a link: "etcd", "s3", or a proxy's name (the path of the checker clients to it). */
    FaultProxy linkTo(String name) {
        FaultProxy p = links.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no link " + name + " (have " + links.keySet() + ")");
        }
        return p;
    }

    /** The address checker clients use for a proxy (through its link). */
    String clientUri(String proxyName) {
        return "http://127.0.0.1:" + linkTo(proxyName).port();
    }

    /** status lines: name pid grpc_port metrics_port healthy|unhealthy|stopped */
    List<String[]> status() throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : cluster("status").split("\n")) {
            if (!line.isBlank()) {
                String[] s = line.trim().split("\\s+");
                out.add(s);
                pids.put(s[0], Long.parseLong(s[1]));
            }
        }
        return out;
    }

    /** Names of the role processes (as cluster.sh status prints them). */
    List<String> roles() throws Exception {
        return status().stream().map(s -> s[0]).toList();
    }

    boolean allHealthy() throws Exception {
        return status().stream().allMatch(s -> s[4].equals("healthy"));
    }

    void kill(String role) throws Exception {
        cluster("kill", role);
    }

    /** A graceful stop (SIGTERM; kill -9 after 10 s), by the PID cluster.sh recorded. */
    void stop(String role) throws Exception {
        cluster("stop", role);
    }

    void restart(String role) throws Exception {
        cluster("restart", role);
    }

    /** SIGSTOP (true) or SIGCONT (false) to a role process, by the PID cluster.sh recorded. */
    void pause(String role, boolean stop) throws Exception {
        status();
        Long pid = pids.get(role);
        if (pid == null) {
            throw new IllegalArgumentException("no process " + role);
        }
        signal(pid, stop ? "STOP" : "CONT");
    }

    /** kill -9 of a dependency (etcd, s3, pulsar), by the PID its start script recorded. */
    void killDep(String dep) throws Exception {
        signal(depPid(dep), "KILL");
    }

    /** SIGSTOP / SIGCONT of a dependency. */
    void pauseDep(String dep, boolean stop) throws Exception {
        signal(depPid(dep), stop ? "STOP" : "CONT");
    }

    /** Starts a killed dependency again on its ports and data. */
    void restartDep(String dep) throws Exception {
        run(List.of(script("deps.sh"), "up"), Map.of("DEPS", dep));
    }

    private long depPid(String dep) throws IOException {
        return Long.parseLong(Files.readString(infraDir.resolve(dep + ".pid")).trim());
    }

    private static void signal(long pid, String sig) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    Path dir() {
        return dir;
    }

    private String cluster(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(script("cluster.sh"));
        cmd.addAll(List.of(args));
        return run(cmd, Map.of());
    }

    private String script(String name) {
        return root.resolve("deploy/local").resolve(name).toString();
    }

    private String run(List<String> cmd, Map<String, String> extra) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().putAll(env);
        pb.environment().putAll(extra);
        File err = dir.resolve("scripts.err").toFile();
        Files.createDirectories(dir);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(err));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (" + p.exitValue() + "), see " + err);
        }
        return out;
    }

    private static Map<String, String> parseEnv(String out) {
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\n")) {
            int i = line.indexOf('=');
            if (i > 0) {
                m.put(line.substring(0, i).trim(), line.substring(i + 1).trim());
            }
        }
        return m;
    }

    private static int port(String url) {
        if (url == null) {
            throw new IllegalStateException("a dependency printed no address");
        }
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1).replaceAll("/.*", ""));
    }

    @Override
    public void close() throws Exception {
        for (var l : links.values()) {
            l.mode(FaultProxy.Mode.PASS);
        }
        for (String[] s : status()) {
            if (!s[4].equals("stopped")) {
                signal(Long.parseLong(s[1]), "CONT"); // a paused process does not act on SIGTERM
            }
        }
        for (String dep : DEPS) {
            if (Files.exists(infraDir.resolve(dep + ".pid"))) {
                signal(depPid(dep), "CONT");
            }
        }
        try {
            cluster("down");
        } finally {
            try {
                env.remove("QUIVER_EXTERNAL_DEPS");
                run(List.of(script("deps.sh"), "down"), Map.of());
            } finally {
                for (var l : links.values()) {
                    l.close();
                }
            }
        }
    }
}
