package io.quiver.tests;

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
        NodeSdkTest.runScript("compaction.js", server.port(), 600);
    }
}
