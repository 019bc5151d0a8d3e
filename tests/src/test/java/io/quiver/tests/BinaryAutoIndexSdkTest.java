package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexBuildState;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.BinaryVec;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** AUTOINDEX on a binary vector field builds Milvus 2.5's binary default (BIN_IVF_FLAT, HAMMING) and searches. */
class BinaryAutoIndexSdkTest extends ConformanceBase {
    @Test
    void autoIndexOnBinaryVectorsBuildsAndSearches() {
        String name = "bin_auto_" + System.nanoTime();
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("bits").dataType(DataType.BinaryVector).dimension(64).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(s).consistencyLevel(ConsistencyLevel.STRONG).build());
        Random r = new Random(5);
        List<byte[]> vecs = new ArrayList<>();
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            byte[] v = new byte[8];
            r.nextBytes(v);
            vecs.add(v);
            JsonObject o = new JsonObject();
            o.addProperty("id", (long) i);
            JsonArray a = new JsonArray();
            for (byte b : v) {
                a.add(b & 0xff);
            }
            o.add("bits", a);
            rows.add(o);
        }
        client.insert(InsertReq.builder().collectionName(name).data(rows).build());
        client.flush(FlushReq.builder().collectionNames(List.of(name)).build());
        client.createIndex(CreateIndexReq.builder().collectionName(name).indexParams(List.of(IndexParam.builder().fieldName("bits")
                .indexName("auto").indexType(IndexParam.IndexType.AUTOINDEX).metricType(IndexParam.MetricType.HAMMING).build())).build());
        DescribeIndexResp.IndexDesc d = client.describeIndex(DescribeIndexReq.builder().collectionName(name).indexName("auto").build())
                .getIndexDescByIndexName("auto");
        assertThat(d.getIndexState()).as("%s", d).isEqualTo(IndexBuildState.Finished);
        assertThat(d.getMetricType()).isEqualTo(IndexParam.MetricType.HAMMING);
        client.loadCollection(LoadCollectionReq.builder().collectionName(name).build());
        awaitLoaded(name);
        List<SearchResp.SearchResult> hits = client.search(SearchReq.builder().collectionName(name).annsField("bits")
                .data(List.of(new BinaryVec(ByteBuffer.wrap(vecs.get(77))))).topK(3).searchParams(Map.of("nprobe", 1024))
                .build()).getSearchResults().get(0);
        assertThat(((Number) hits.get(0).getId()).intValue()).isEqualTo(77);
        assertThat(hits.get(0).getScore()).isEqualTo(0f);
    }
}
