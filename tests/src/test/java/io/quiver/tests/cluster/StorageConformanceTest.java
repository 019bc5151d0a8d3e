package io.quiver.tests.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The real-server conformance suites of common-storage (EtcdMetaKv, MinioObjectStore, PulsarWal: the same suites as
 * their embedded twins) against the servers of the cluster run: local processes from deploy/local/deps.sh, or
 * containers where Docker answers. Runs them in this JVM with {@code quiver.integration.required}, so a server that
 * is not there fails instead of skipping. Stops only the servers it started itself.
 */
class StorageConformanceTest {
    private static final List<String> SUITES = List.of("io.quiver.storage.EtcdMetaKvTest", "io.quiver.storage.MinioObjectStoreTest",
            "io.quiver.storage.PulsarWalTest");
    private static final Path ROOT = Path.of(System.getProperty("quiver.root", "..")).toAbsolutePath().normalize();
    private static ClusterDependencies deps;
    private static final List<String> startedHere = new ArrayList<>();

    private static String deps(String... args) throws Exception {
        return deps(Map.of(), args);
    }

    private static String deps(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("deploy/local/deps.sh").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("deps.sh " + String.join(" ", args) + " timed out");
        }
        if (p.exitValue() != 0 && !args[0].equals("status")) {
            throw new IllegalStateException("deps.sh " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + out);
        }
        return p.exitValue() == 0 ? out : null;
    }

    @BeforeAll
    static void servers() throws Exception {
        deps = ClusterDependencies.start();
        Map<String, String> env = new HashMap<>(deps.env());
        if (env.isEmpty()) {
            for (String d : List.of("etcd", "s3", "pulsar")) {
                if (deps(Map.of("DEPS", d), "status") == null) {
                    startedHere.add(d);
                }
            }
            for (String line : deps("up").split("\n")) {
                int i = line.indexOf('=');
                if (i > 0) {
                    env.put(line.substring(0, i), line.substring(i + 1));
                }
            }
        }
        env.forEach((k, v) -> System.setProperty("quiver.env." + k, v));
        System.setProperty("quiver.integration.required", "true");
    }

    @AfterAll
    static void stop() throws Exception {
        System.clearProperty("quiver.integration.required");
        try {
            if (!startedHere.isEmpty()) {
                deps(Map.of("DEPS", String.join(" ", startedHere)), "down");
            }
        } finally {
            if (deps != null) deps.close();
        }
    }

    @Test
    void realServersPassTheSameSuitesAsTheEmbeddedBackends() {
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        SUITES.forEach(c -> b.selectors(selectClass(c)));
        LauncherDiscoveryRequest request = b.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        s.printTo(new PrintWriter(System.out, true));
        s.printFailuresTo(new PrintWriter(System.out, true), 30);
        System.out.printf("FIGURE storage_conformance_passed=%d of %d (etcd, S3, Pulsar)%n", s.getTestsSucceededCount(), s.getTestsFoundCount());
        assertThat(s.getTestsFoundCount()).isGreaterThan(30);
        assertThat(s.getTotalFailureCount()).isZero();
        assertThat(s.getTestsSkippedCount() + s.getTestsAbortedCount()).isZero();
        assertThat(s.getTestsSucceededCount()).isEqualTo(s.getTestsFoundCount());
    }
}
