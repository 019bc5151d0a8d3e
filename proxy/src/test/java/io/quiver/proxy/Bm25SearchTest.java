package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Params;
import io.quiver.common.text.AnalyzerParams;
import io.quiver.common.text.Bm25Function;
import io.quiver.common.text.TermCounts;
import io.quiver.proto.Bm25Stats;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardSearchResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Bm25SearchTest {
    private static final Bm25Function FN = new Bm25Function("f",
            FieldSchema.newBuilder().setFieldID(101).setName("text").setDataType(DataType.VarChar).build(),
            FieldSchema.newBuilder().setFieldID(102).setName("sparse").setDataType(DataType.SparseFloatVector).setIsFunctionOutput(true).build());

    private static SearchPlan plan(PlaceholderType type, byte[]... values) {
        PlaceholderValue.Builder v = PlaceholderValue.newBuilder().setTag("$0").setType(type);
        for (byte[] b : values) {
            v.addValues(ByteString.copyFrom(b));
        }
        return SearchPlan.newBuilder().setAnnsFieldId(102).setMetricType("BM25").setNq(values.length)
                .setPlaceholderGroup(PlaceholderGroup.newBuilder().addPlaceholders(v).build().toByteString())
                .addSearchParams(KeyValuePair.newBuilder().setKey("bm25_avgdl").setValue("7")).build();
    }

    @Test
    void twoStepsTurnTextsIntoIdfWeightsOverSummedStatistics() {
        List<SearchPlan> asked = new ArrayList<>();
        SearchPlan in = plan(PlaceholderType.VarChar, "dog dog cat".getBytes(StandardCharsets.UTF_8), "zebra".getBytes(StandardCharsets.UTF_8));
        SearchPlan out = new Bm25Search(new Bm25Texts()).weigh(FN, in, Map.of("bm25_k1", "1.5"), p -> {
            asked.add(p);
            int terms = p.getBm25Stats().getTermsCount();
            // two shards: 10 + 30 rows, lengths 50 + 150; the first term in 4 + 6 rows, the others in none
            List<ShardSearchResponse> parts = new ArrayList<>();
            for (int shard = 0; shard < 2; shard++) {
                Bm25Stats.Builder s = Bm25Stats.newBuilder().setRows(shard == 0 ? 10 : 30).setTotalLength(shard == 0 ? 50 : 150);
                for (int t = 0; t < terms; t++) {
                    s.addDocFreq(t == 0 ? (shard == 0 ? 4 : 6) : 0);
                }
                parts.add(ShardSearchResponse.newBuilder().setBm25Stats(s).build());
            }
            return parts;
        });
        assertThat(asked).hasSize(1);
        List<Integer> terms = asked.get(0).getBm25Stats().getTermsList();
        assertThat(terms).hasSize(3); // dog, cat, zebra: distinct over every query, ascending unsigned
        for (int i = 1; i < terms.size(); i++) {
            assertThat(Integer.compareUnsigned(terms.get(i - 1), terms.get(i))).isNegative();
        }
        Map<String, String> params = Params.flatten(out.getSearchParamsList());
        assertThat(params).containsEntry("bm25_avgdl", "5.0").containsEntry("bm25_k1", "1.5").doesNotContainKey("bm25_b");
        assertThat(out.getMetricType()).isEqualTo("BM25");
        assertThat(out.hasBm25Stats()).isFalse();
        PlaceholderValue pv = parse(out).getPlaceholders(0);
        assertThat(pv.getType()).isEqualTo(PlaceholderType.SparseFloatVector);
        // only the term some row has keeps a weight: its query count times ln(1 + (40 - 10 + 0.5) / (10 + 0.5))
        double idf = Math.log(1 + (40 - 10 + 0.5) / 10.5);
        String[] texts = {"dog dog cat", "zebra"};
        for (int q = 0; q < texts.length; q++) {
            TermCounts c = TermCounts.of(AnalyzerParams.parse(null), texts[q]);
            ByteBuffer b = ByteBuffer.wrap(pv.getValues(q).toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < c.size(); i++) {
                if (c.terms()[i] == terms.get(0)) {
                    assertThat(b.getInt()).isEqualTo(terms.get(0));
                    assertThat((double) b.getFloat()).isCloseTo(c.counts()[i] * idf, within(1e-5));
                }
            }
            assertThat(b.remaining()).as("query %d keeps only the term some row has", q).isZero();
        }
    }

    @Test
    void emptyCollectionGivesEmptyQueries() {
        SearchPlan out = new Bm25Search(new Bm25Texts()).weigh(FN, plan(PlaceholderType.VarChar, "hello".getBytes(StandardCharsets.UTF_8)),
                Map.of(), p -> List.of(ShardSearchResponse.newBuilder().setBm25Stats(Bm25Stats.newBuilder().addDocFreq(0)).build()));
        assertThat(parse(out).getPlaceholders(0).getValues(0).size()).isZero();
        assertThat(Params.flatten(out.getSearchParamsList())).containsEntry("bm25_avgdl", "1.0");
    }

    @Test
    void wrongPlaceholdersAreRefused() {
        assertThatThrownBy(() -> Bm25Search.queryTexts(plan(PlaceholderType.FloatVector, new byte[8]), "sparse"))
                .isInstanceOf(QuiverException.class).hasMessageContaining("please provide varchar/text");
        assertThatThrownBy(() -> Bm25Search.queryTexts(plan(PlaceholderType.VarChar, new byte[] {(byte) 0xC3, (byte) 0x28}), "sparse"))
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void unionIsSortedUnsigned() {
        assertThat(Bm25Search.union(new int[] {1, 5, -3}, new int[] {2, 5, -1})).containsExactly(1, 2, 5, -3, -1);
        assertThat(Bm25Search.union(new int[0], new int[] {7})).containsExactly(7);
    }

    private static PlaceholderGroup parse(SearchPlan p) {
        try {
            return PlaceholderGroup.parseFrom(p.getPlaceholderGroup());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
