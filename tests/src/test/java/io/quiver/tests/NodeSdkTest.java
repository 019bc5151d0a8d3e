package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Item 12: tests/node/conformance.js with the official Node SDK (@zilliz/milvus2-sdk-node 2.5.12) against the server.
 * Skipped when node or npm is not installed; installs the pinned package from the npm registry on first run.
 */
class NodeSdkTest extends ConformanceBase {

    static boolean onPath(String tool) {
        try {
            Process p = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    static String run(Path dir, long timeoutSec, List<String> cmd) throws Exception {
        Path out = Files.createTempFile("node-", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        boolean done = p.waitFor(timeoutSec, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor();
        String log = Files.readString(out);
        Files.deleteIfExists(out);
        assertThat(done).as("%s timed out:%n%s", cmd, log).isTrue();
        assertThat(p.exitValue()).as("%s failed:%n%s", cmd, log).isZero();
        return log;
    }

    /** Runs a command in tests/node (installing the pinned SDK on first use); skipped when node or npm is not installed. */
    static String runScript(List<String> cmd, int timeoutSec) throws Exception {
        assumeTrue(onPath("node") && onPath("npm"), "node/npm not installed");
        Path dir = Path.of(System.getProperty("quiver.node.dir", "node")).toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules/@zilliz/milvus2-sdk-node"))) {
            boolean lock = new File(dir.toFile(), "package-lock.json").isFile();
            run(dir, 600, lock ? List.of("npm", "ci", "--no-audit", "--no-fund") : List.of("npm", "install", "--no-audit", "--no-fund"));
        }
        return run(dir, timeoutSec, cmd);
    }

    static String runScript(List<String> cmd) throws Exception {
        return runScript(cmd, 180);
    }

    /** Runs {@code tests/node/<script> 127.0.0.1:<port>} and asserts it printed ALL OK. */
    static String runScript(String script, int port, int timeoutSec) throws Exception {
        String log = runScript(List.of("node", script, "127.0.0.1:" + port), timeoutSec);
        System.out.println(log);
        assertThat(log).contains("ALL OK");
        return log;
    }

    @Test
    void nodeSdkQuickSetupInsertLoadSearchQuery() throws Exception {
        runScript("conformance.js", server.port(), 180);
    }
}
