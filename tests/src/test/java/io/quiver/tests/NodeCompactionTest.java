package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 (compaction and collection TTL) with the official Node SDK (@zilliz/milvus2-sdk-node 2.5.12):
 * tests/node/compaction.js mirrors CompactionSdkTest and TtlSdkTest (compact, getCompactionState,
 * getCompactionStateWithPlans, getPersistentSegmentInfo, latest wins for repeated keys, TTL expiry and invalid TTLs).
 * Skipped when node or npm is not installed; installs the pinned package on first run, as NodeSdkTest does.
 */
class NodeCompactionTest extends ConformanceBase {

    @Test
    void nodeSdkCompactionAndTtl() throws Exception {
        assumeTrue(NodeSdkTest.onPath("node") && NodeSdkTest.onPath("npm"), "node/npm not installed");
        Path dir = Path.of(System.getProperty("quiver.node.dir", "node")).toAbsolutePath();
        assertThat(dir.resolve("compaction.js")).exists();
        if (!Files.isDirectory(dir.resolve("node_modules/@zilliz/milvus2-sdk-node"))) {
            boolean lock = new File(dir.toFile(), "package-lock.json").isFile();
            NodeSdkTest.run(dir, 600, lock ? List.of("npm", "ci", "--no-audit", "--no-fund") : List.of("npm", "install", "--no-audit", "--no-fund"));
        }
        String log = NodeSdkTest.run(dir, 600, List.of("node", "compaction.js", "127.0.0.1:" + server.port()));
        System.out.println(log);
        assertThat(log).contains("ALL OK");
    }
}
