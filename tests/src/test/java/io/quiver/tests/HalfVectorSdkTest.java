package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.milvus.common.utils.Float16Utils;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.utility.request.FlushReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.BFloat16Vec;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.Float16Vec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * FLOAT16_VECTOR and BFLOAT16_VECTOR through the official SDK: insert in the SDK's byte form, index (HNSW, FLAT,
 * AUTOINDEX), search with half-float queries on growing and on indexed rows (results equal an exact search over the
 * widened values), output fields return the inserted bytes, and binary index types are refused.
 */
class HalfVectorSdkTest extends ConformanceBase {
    private static final int DIM = 8;
    private static final int ROWS = 300;
    private static final Gson GSON = new Gson();

    /** Little-endian half values widened to float (the test's own decoding: Milvus' byte layout). */
    private static float[] widen(byte[] le, boolean bf16) {
        float[] out = new float[le.length / 2];
        for (int i = 0; i < out.length; i++) {
            int bits = (le[2 * i] & 0xff) | (le[2 * i + 1] & 0xff) << 8;
            out[i] = bf16 ? Float.intBitsToFloat(bits << 16) : Float.float16ToFloat((short) bits);
        }
        return out;
    }

    @Test
    void halfVectorsIndexSearchAndComeBackAsInserted() throws Exception {
        String name = "half_" + System.nanoTime();
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("f16").dataType(DataType.Float16Vector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("bf16").dataType(DataType.BFloat16Vector).dimension(DIM).build());
        s.addField(AddFieldReq.builder().fieldName("cos16").dataType(DataType.Float16Vector).dimension(DIM).build());
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(s)
                .consistencyLevel(ConsistencyLevel.STRONG).indexParams(List.of(
                        IndexParam.builder().fieldName("f16").indexType(IndexParam.IndexType.HNSW).metricType(IndexParam.MetricType.L2)
                                .extraParams(java.util.Map.of("M", 8, "efConstruction", 64)).build(),
                        IndexParam.builder().fieldName("bf16").indexType(IndexParam.IndexType.FLAT).metricType(IndexParam.MetricType.IP).build(),
                        // AUTOINDEX: HNSW, metric COSINE, over 16-bit rows that keep their inverse norms
                        IndexParam.builder().fieldName("cos16").indexType(IndexParam.IndexType.AUTOINDEX).build()))
                .build());
        Random r = new Random(5);
        List<float[]> f16 = new ArrayList<>();
        List<float[]> bf16 = new ArrayList<>();
        List<byte[]> f16Bytes = new ArrayList<>();
        List<byte[]> bf16Bytes = new ArrayList<>();
        List<JsonObject> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            List<Float> v = new ArrayList<>();
            for (int d = 0; d < DIM; d++) {
                v.add(r.nextFloat() * 2 - 1);
            }
            ByteBuffer h = Float16Utils.f32VectorToFp16Buffer(v);
            ByteBuffer b = Float16Utils.f32VectorToBf16Buffer(v);
            f16.add(widen(h.array(), false));
            bf16.add(widen(b.array(), true));
            f16Bytes.add(h.array().clone());
            bf16Bytes.add(b.array().clone());
            JsonObject row = new JsonObject();
            row.addProperty("id", (long) i);
            row.add("f16", GSON.toJsonTree(h.array()));
            row.add("bf16", GSON.toJsonTree(b.array()));
            row.add("cos16", GSON.toJsonTree(h.array()));
            rows.add(row);
        }
        client.insert(InsertReq.builder().collectionName(name).data(rows).build());

        checkSearches(name, f16, bf16, "growing rows"); // exact scans over the widened rows
        client.flush(FlushReq.builder().collectionNames(List.of(name)).build());
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) { // the indexes build asynchronously; searches are checked whichever path serves them
            checkSearches(name, f16, bf16, "flushed rows");
            if (System.currentTimeMillis() > deadline || indexed(name)) {
                break;
            }
            Thread.sleep(500);
        }
        checkSearches(name, f16, bf16, "indexed rows");

        List<QueryResp.QueryResult> got = query(name, "id < 100", List.of("id", "f16", "bf16", "cos16"));
        assertThat(got).hasSize(100);
        for (QueryResp.QueryResult row : got) { // the raw vectors come back bit-exact as inserted
            int id = ((Long) row.getEntity().get("id")).intValue();
            assertThat(bytes(row.getEntity().get("f16"))).as("f16 of row %d", id).isEqualTo(f16Bytes.get(id));
            assertThat(bytes(row.getEntity().get("bf16"))).as("bf16 of row %d", id).isEqualTo(bf16Bytes.get(id));
            assertThat(bytes(row.getEntity().get("cos16"))).as("cos16 of row %d", id).isEqualTo(f16Bytes.get(id));
        }

        assertThatThrownBy(() -> client.createIndex(CreateIndexReq.builder().collectionName(name).indexParams(List.of(IndexParam.builder()
                .fieldName("f16").indexName("bin").indexType(IndexParam.IndexType.BIN_FLAT).metricType(IndexParam.MetricType.HAMMING).build())).build()))
                .isInstanceOf(MilvusClientException.class).hasMessageContaining("binary index types take binary vectors");
    }

    private static byte[] bytes(Object v) {
        return v instanceof ByteBuffer bb ? bb.array() : null;
    }

    private static boolean indexed(String name) {
        for (String field : List.of("f16", "bf16", "cos16")) {
            var d = client.describeIndex(io.milvus.v2.service.index.request.DescribeIndexReq.builder().collectionName(name).fieldName(field).build());
            if (!d.getIndexDescriptions().stream().allMatch(x -> x.getPendingIndexRows() == 0 && x.getIndexedRows() >= ROWS)) {
                return false;
            }
        }
        return true;
    }

    private static void checkSearches(String name, List<float[]> f16, List<float[]> bf16, String what) {
        int q = 7;
        List<Long> byF16 = search(name, "f16", new Float16Vec(Float16Utils.f32VectorToFp16Buffer(boxed(f16.get(q)))), 10);
        assertThat(byF16.get(0)).as("%s: f16 search of row 7's own vector finds it first", what).isEqualTo(q);
        assertThat(byF16).as("%s: f16 L2 top-10 equals the exact answer over the widened values", what)
                .containsExactlyInAnyOrderElementsOf(exact(f16, f16.get(q), true));
        List<Long> byBf16 = search(name, "bf16", new BFloat16Vec(Float16Utils.f32VectorToBf16Buffer(boxed(bf16.get(q)))), 10);
        assertThat(byBf16).as("%s: bf16 IP top-10 equals the exact answer", what).containsExactlyInAnyOrderElementsOf(exact(bf16, bf16.get(q), false));
        List<Long> byCos = search(name, "cos16", new Float16Vec(Float16Utils.f32VectorToFp16Buffer(boxed(f16.get(q)))), 10);
        assertThat(byCos).as("%s: COSINE top-10 equals the exact answer", what).containsExactlyInAnyOrderElementsOf(exactCosine(f16, f16.get(q)));
    }

    private static List<Long> search(String name, String field, BaseVector query, int k) {
        SearchResp resp = client.search(SearchReq.builder().collectionName(name).annsField(field).topK(k).data(List.of(query))
                .searchParams(java.util.Map.of("ef", 64)).consistencyLevel(ConsistencyLevel.STRONG).build());
        return ids(resp.getSearchResults().get(0));
    }

    private static List<Float> boxed(float[] v) {
        List<Float> out = new ArrayList<>();
        for (float x : v) {
            out.add(x);
        }
        return out;
    }

    private static List<Long> exactCosine(List<float[]> rows, float[] q) {
        return IntStream.range(0, rows.size()).boxed().sorted(Comparator.comparingDouble(i -> {
            double dot = 0, nr = 0, nq = 0;
            for (int d = 0; d < DIM; d++) {
                dot += (double) rows.get(i)[d] * q[d];
                nr += (double) rows.get(i)[d] * rows.get(i)[d];
                nq += (double) q[d] * q[d];
            }
            return -dot / Math.sqrt(nr * nq);
        })).limit(10).map(Integer::longValue).toList();
    }

    private static List<Long> exact(List<float[]> rows, float[] q, boolean l2) {
        return IntStream.range(0, rows.size()).boxed().sorted(Comparator.comparingDouble(i -> {
            double s = 0;
            for (int d = 0; d < DIM; d++) {
                s += l2 ? (rows.get(i)[d] - q[d]) * (rows.get(i)[d] - q[d]) : -(double) rows.get(i)[d] * q[d];
            }
            return s;
        })).limit(10).map(Integer::longValue).toList();
    }
}
