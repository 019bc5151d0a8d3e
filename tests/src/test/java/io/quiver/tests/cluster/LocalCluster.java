package io.quiver.tests.cluster;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Drives {@code deploy/local/cluster.sh}: dependencies and one process per role on loopback. */
final class LocalCluster implements AutoCloseable {
    private final Path root;
    private final Path dir;
    private final Map<String, String> env = new HashMap<>();
    final String clusterName;
    final int proxyPort;

    private final ClusterDependencies deps;

    LocalCluster(Path dir, String clusterName, int proxyPort, int basePort) {
        this.deps = ClusterDependencies.start();
        this.root = Path.of(System.getProperty("quiver.root", "..")).toAbsolutePath().normalize();
        this.dir = dir;
        this.clusterName = clusterName;
        this.proxyPort = proxyPort;
        env.put("QUIVER_CLUSTER_DIR", dir.toString());
        env.put("QUIVER_CLUSTER_NAME", clusterName);
        env.put("QUIVER_PROXY_PORT", Integer.toString(proxyPort));
        env.put("QUIVER_CLUSTER_BASE_PORT", Integer.toString(basePort));
        env.putAll(deps.env());
    }

    /** Every role started from now on reads {@code yaml} (cluster.sh passes it as --config). */
    void roleConfig(Path yaml) {
        env.put("QUIVER_ROLE_CONFIG", yaml.toAbsolutePath().toString());
    }

    String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(root.resolve("deploy/local/cluster.sh").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().putAll(env);
        File err = Files.createTempFile("cluster", ".err").toFile();
        pb.redirectError(err);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("cluster.sh " + String.join(" ", args) + " timed out");
        }
        String e = Files.readString(err.toPath());
        System.err.print(e);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("cluster.sh " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + out + e);
        }
        return out;
    }

    /** The log of a process started by cluster.sh (NAME as in status, e.g. datanode-2); a restart appends to it. */
    Path log(String name) {
        return dir.resolve(name + ".log");
    }

    /** kill -9 of one process (NAME as in status). */
    void kill(String name) throws Exception {
        run("kill", name);
    }

    /** Starts a stopped or killed process again on its ports and data dir; returns once it is healthy. */
    String restart(String name) throws Exception {
        return run("restart", name).trim();
    }

    /** The server id a process registered its session with (its log's "role started ... serverId=" line), or -1. */
    long serverId(String name) throws Exception {
        Matcher m = SERVER_ID.matcher(Files.readString(log(name)));
        long id = -1;
        while (m.find()) {
            id = Long.parseLong(m.group(1)); // the last start's id
        }
        return id;
    }

    private static final Pattern SERVER_ID = Pattern.compile("role started role=\\w+ serverId=(\\d+)");

    /** The env lines of the running dependencies (ETCD_ENDPOINTS, S3_ENDPOINT, ...). */
    Map<String, String> depsEnv() throws Exception {
        if (!deps.env().isEmpty()) {
            return deps.env();
        }
        ProcessBuilder pb = new ProcessBuilder(root.resolve("deploy/local/deps.sh").toString(), "env").directory(root.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        Map<String, String> m = new HashMap<>();
        for (String line : out.split("\n")) {
            int i = line.indexOf('=');
            if (i > 0) {
                m.put(line.substring(0, i), line.substring(i + 1));
            }
        }
        return m;
    }

    /** status lines: name pid grpc_port metrics_port healthy|unhealthy|stopped */
    List<String[]> status() throws Exception {
        List<String[]> out = new ArrayList<>();
        for (String line : run("status").split("\n")) {
            if (!line.isBlank()) {
                out.add(line.trim().split("\\s+"));
            }
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            run("down");
        } finally {
            deps.close();
        }
    }
}
