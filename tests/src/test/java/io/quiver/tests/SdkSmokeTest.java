package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdkSmokeTest {
    @TempDir
    static Path tmp;
    static StandaloneProcess server;
    static MilvusClientV2 client;

    @BeforeAll
    static void start() throws Exception {
        server = new StandaloneProcess(tmp.resolve("data"));
        server.start();
        client = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Test
    void quickSetupInsertSearchQuery() throws Exception {
        client.createCollection(CreateCollectionReq.builder().collectionName("smoke").dimension(8).build());
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName("smoke").build())).isTrue();
        Random r = new Random(1);
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("id", i);
            com.google.gson.JsonArray v = new com.google.gson.JsonArray();
            for (int j = 0; j < 8; j++) v.add(r.nextFloat());
            o.add("vector", v);
            o.addProperty("color", i % 2 == 0 ? "red" : "blue");
            rows.add(o);
        }
        var ins = client.insert(InsertReq.builder().collectionName("smoke").data(rows).build());
        assertThat(ins.getInsertCnt()).isEqualTo(100);
        float[] q = new float[8];
        var arr = rows.get(7).getAsJsonArray("vector");
        for (int j = 0; j < 8; j++) q[j] = arr.get(j).getAsFloat();
        SearchResp s = client.search(SearchReq.builder().collectionName("smoke").data(List.of(new FloatVec(q))).topK(5)
                .outputFields(List.of("color")).consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(s.getSearchResults()).hasSize(1);
        assertThat(s.getSearchResults().get(0)).hasSize(5);
        assertThat(s.getSearchResults().get(0).get(0).getId()).isEqualTo(7L);
        QueryResp qr = client.query(QueryReq.builder().collectionName("smoke").filter("id in [1, 2, 3]").outputFields(List.of("*"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(qr.getQueryResults()).hasSize(3);
        QueryResp count = client.query(QueryReq.builder().collectionName("smoke").filter("").outputFields(List.of("count(*)"))
                .consistencyLevel(ConsistencyLevel.STRONG).build());
        assertThat(count.getQueryResults().get(0).getEntity().get("count(*)")).isEqualTo(100L);
    }
}
