package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java example, line for line, against a fresh server. */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void readmeExampleWorksAsWritten() throws Exception {
        try (StandaloneProcess server = new StandaloneProcess(tmp.resolve("data"))) {
            server.start();
            // --- README ---
            MilvusClientV2 client = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).build());
            client.createCollection(CreateCollectionReq.builder().collectionName("docs").dimension(4).build());
            JsonObject row = new JsonObject();
            row.addProperty("id", 1);
            row.add("vector", new Gson().toJsonTree(new float[] {0.1f, 0.2f, 0.3f, 0.4f}));
            client.insert(InsertReq.builder().collectionName("docs").data(List.of(row)).build());
            SearchResp hits = client.search(SearchReq.builder().collectionName("docs").topK(3)
                    .data(List.of(new FloatVec(new float[] {0.1f, 0.2f, 0.3f, 0.4f})))
                    .consistencyLevel(ConsistencyLevel.STRONG).build());
            // --- end of README ---
            assertThat(hits.getSearchResults().get(0).get(0).getId()).isEqualTo(1L);
            client.close();
        }
    }
}
