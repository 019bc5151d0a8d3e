package io.quiver.tests;

import org.junit.jupiter.api.Test;

/**
 * Issue 12 with the official Node SDK (@zilliz/milvus2-sdk-node 2.5.12): tests/node/data_types.js inserts sparse
 * vectors in the SDK's dict form and float16 vectors as float arrays, searches them (sparse top-k equal to exact IP),
 * reads sparse rows back, runs analyzers (tokens, code 2000 for bad params) and filters with TEXT_MATCH / PHRASE_MATCH
 * (flushed and growing rows, Chinese, search, delete by filter, code 2042 without enable_match). Skipped when node or npm is not
 * installed; installs the pinned package on first run, as NodeSdkTest does.
 */
class NodeDataTypesTest extends ConformanceBase {

    @Test
    void nodeSdkSparseHalfVectorsAndAnalyzers() throws Exception {
        NodeSdkTest.runScript("data_types.js", server.port(), 600);
    }
}
