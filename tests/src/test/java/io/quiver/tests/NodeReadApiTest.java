package io.quiver.tests;

import org.junit.jupiter.api.Test;

/**
 * Issue 5 (read API) with the official Node SDK (@zilliz/milvus2-sdk-node 2.5.12): tests/node/read_api.js covers
 * filtered query/search, count and delete by filter, aliases, hybrid search (RRF, weighted), the query iterator and
 * databases. Skipped when node or npm is not installed; installs the pinned package on first run, as NodeSdkTest does.
 */
class NodeReadApiTest extends ConformanceBase {

    @Test
    void nodeSdkReadApi() throws Exception {
        NodeSdkTest.runScript("read_api.js", server.port(), 300);
    }
}
