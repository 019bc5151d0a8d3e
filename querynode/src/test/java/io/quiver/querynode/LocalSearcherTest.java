package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.google.protobuf.ByteString;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.VectorField;
import io.milvus.grpc.KeyValuePair;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.VectorIndexes;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardSearchResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Search over several segments: parallel equals one after another, and unindexed rows score as an exact scan. */
class LocalSearcherTest {
    private static final int DIM = 8;
    private static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setName("c")
            .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
            .addFields(FieldSchema.newBuilder().setFieldID(101).setName("v").setDataType(DataType.FloatVector)
                    .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue(Integer.toString(DIM))))
            .build();

    private static Segment segment(long id, boolean growing, long firstPk, float[] vectors, boolean indexed) {
        int n = vectors.length / DIM;
        Segment s = new Segment(id, 10, SCHEMA, growing);
        LongArray.Builder pks = LongArray.newBuilder();
        for (int i = 0; i < n; i++) pks.addData(firstPk + i);
        FloatArray.Builder fa = FloatArray.newBuilder();
        for (float x : vectors) fa.addData(x);
        s.append(InsertMsg.newBuilder().setSegmentId(id).setVchannel("v").setTimestamp(100).setNumRows(n)
                .addFieldsData(FieldData.newBuilder().setFieldId(100).setType(DataType.Int64).setScalars(ScalarField.newBuilder().setLongData(pks)))
                .addFieldsData(FieldData.newBuilder().setFieldId(101).setType(DataType.FloatVector)
                        .setVectors(VectorField.newBuilder().setDim(DIM).setFloatVector(fa)))
                .build());
        if (indexed) {
            s.setIndex(101, VectorIndexes.build(new IndexSpec("FLAT", MetricType.COSINE, DIM, Map.of()), vectors, n, 1), 1);
        }
        return s;
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n * DIM];
        for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() * 2 - 1;
        return v;
    }

    private static SearchPlan plan(float[] queries, int nq, int topk) {
        PlaceholderValue.Builder pv = PlaceholderValue.newBuilder().setTag("$0").setType(PlaceholderType.FloatVector);
        for (int q = 0; q < nq; q++) {
            ByteBuffer bb = ByteBuffer.allocate(4 * DIM).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < DIM; j++) bb.putFloat(queries[q * DIM + j]);
            pv.addValues(ByteString.copyFrom(bb.array()));
        }
        return SearchPlan.newBuilder().setCollectionId(1).setAnnsFieldId(101).setMetricType("COSINE").setTopk(topk).setNq(nq)
                .setPlaceholderGroup(PlaceholderGroup.newBuilder().addPlaceholders(pv).build().toByteString()).setMvccTs(1000)
                .addOutputFieldIds(100).build();
    }

    private static double cosine(float[] a, int ao, float[] b, int bo) {
        double dot = 0, na = 0, nb = 0;
        for (int j = 0; j < DIM; j++) {
            dot += a[ao + j] * b[bo + j];
            na += a[ao + j] * a[ao + j];
            nb += b[bo + j] * b[bo + j];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void parallelSegmentsAnswerAsOneAfterAnotherAndAsAnExactScan() {
        Random r = new Random(11);
        List<Segment> segs = new ArrayList<>();
        List<float[]> data = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            float[] v = random(r, 300 + 50 * s);
            data.add(v);
            segs.add(segment(s + 1, s % 2 == 0, 10_000L * s, v, s % 2 == 1)); // growing (exact view) and indexed, mixed
        }
        int nq = 3, topk = 7;
        float[] q = random(r, nq);
        SearchPlan p = plan(q, nq, topk);
        ShardSearchResponse one = new LocalSearcher(SegmentFanOut.callerOnly()).search(segs, p, SCHEMA);
        ShardSearchResponse parallel;
        try (SegmentFanOut f = new SegmentFanOut(3)) {
            parallel = new LocalSearcher(f, 1).search(segs, p, SCHEMA); // every segment counts as large here
        }
        assertThat(parallel.getIds()).isEqualTo(one.getIds());
        assertThat(parallel.getScoresList()).isEqualTo(one.getScoresList());
        for (int qi = 0; qi < nq; qi++) {
            final int query = qi;
            List<long[]> all = new ArrayList<>(); // {pk, score bits}
            for (int s = 0; s < segs.size(); s++) {
                float[] v = data.get(s);
                for (int row = 0; row < v.length / DIM; row++) {
                    all.add(new long[] {10_000L * s + row, Double.doubleToLongBits(cosine(q, query * DIM, v, row * DIM))});
                }
            }
            all.sort(Comparator.comparingDouble((long[] x) -> -Double.longBitsToDouble(x[1])));
            long[] expected = all.stream().limit(topk).mapToLong(x -> x[0]).toArray();
            long[] got = IntStream.range(0, topk).mapToLong(i -> one.getIds().getIntId().getData(query * topk + i)).toArray();
            assertThat(got).as("query %d", qi).containsExactly(expected);
            assertThat(one.getScores(query * topk)).isCloseTo((float) Double.longBitsToDouble(all.get(0)[1]), offset(1e-5f));
        }
        assertThat(Arrays.stream(one.getTopksList().stream().mapToLong(Long::longValue).toArray()).sum()).isEqualTo((long) nq * topk);
    }
}
