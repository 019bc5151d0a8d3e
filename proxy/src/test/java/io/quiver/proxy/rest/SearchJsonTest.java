package io.quiver.proxy.rest;

import static io.quiver.proxy.rest.JsonColumnsTest.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.SearchRequest;
import io.quiver.common.schema.Params;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Search bodies to SearchRequest: placeholders typed by the field, parameters as the SDKs send them, template values. */
class SearchJsonTest {
    static final CollectionSchema ONE = CollectionSchema.newBuilder()
            .addFields(field(100, "id", DataType.Int64).toBuilder().setIsPrimaryKey(true))
            .addFields(field(101, "v", DataType.FloatVector, "dim", "2")).build();
    static final CollectionSchema TWO = ONE.toBuilder().addFields(field(102, "s", DataType.SparseFloatVector)).build();

    static JsonObject body(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    @Test
    void floatSearchWithParameters() throws Exception {
        SearchRequest r = SearchJson.search(ONE, body("""
                {"data":[[1,2],[3,4]],"limit":7,"offset":2,"filter":"id > 1","groupingField":"id",
                 "searchParams":{"metricType":"IP","params":{"ef":64}}}"""), "searchParams", "db", "c").build();
        Map<String, String> p = Params.flatten(r.getSearchParamsList());
        assertThat(p).containsEntry("anns_field", "v").containsEntry("topk", "7").containsEntry("offset", "2")
                .containsEntry("metric_type", "IP").containsEntry("ef", "64").containsEntry("group_by_field", "id");
        assertThat(r.getDsl()).isEqualTo("id > 1");
        assertThat(r.getNq()).isEqualTo(2);
        PlaceholderGroup g = PlaceholderGroup.parseFrom(r.getPlaceholderGroup());
        assertThat(g.getPlaceholders(0).getType()).isEqualTo(PlaceholderType.FloatVector);
        ByteBuffer b = g.getPlaceholders(0).getValues(1).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getFloat()).isEqualTo(3f);
        assertThat(b.getFloat()).isEqualTo(4f);
        assertThat(Params.flatten(SearchJson.search(ONE, body("{\"data\":[[1,2]]}"), "searchParams", "db", "c").build()
                .getSearchParamsList())).containsEntry("topk", Integer.toString(SearchJson.DEFAULT_LIMIT));
    }

    @Test
    void sparseAndTextPlaceholdersAndFieldChoice() throws Exception {
        SearchRequest sparse = SearchJson.search(TWO, body("{\"annsField\":\"s\",\"data\":[{\"5\":1.5}]}"), "params", "db", "c").build();
        PlaceholderGroup g = PlaceholderGroup.parseFrom(sparse.getPlaceholderGroup());
        assertThat(g.getPlaceholders(0).getType()).isEqualTo(PlaceholderType.SparseFloatVector);
        assertThat(g.getPlaceholders(0).getValues(0).size()).isEqualTo(8);
        SearchRequest text = SearchJson.search(TWO, body("{\"annsField\":\"s\",\"data\":[\"hello world\"]}"), "params", "db", "c").build();
        PlaceholderGroup t = PlaceholderGroup.parseFrom(text.getPlaceholderGroup());
        assertThat(t.getPlaceholders(0).getType()).isEqualTo(PlaceholderType.VarChar);
        assertThat(t.getPlaceholders(0).getValues(0).toStringUtf8()).isEqualTo("hello world");
        assertThatThrownBy(() -> SearchJson.search(TWO, body("{\"data\":[[1,2]]}"), "params", "db", "c"))
                .hasMessageContaining("'annsField' is required");
        assertThatThrownBy(() -> SearchJson.search(TWO, body("{\"annsField\":\"id\",\"data\":[[1,2]]}"), "params", "db", "c"))
                .hasMessageContaining("not a vector field");
        assertThatThrownBy(() -> SearchJson.search(ONE, body("{\"data\":[\"x\"]}"), "params", "db", "c"))
                .hasMessageContaining("data[0]");
    }

    @Test
    void exprParamsBecomeTemplateValues() {
        var t = SearchJson.templates(body("{\"a\":1,\"b\":1.5,\"c\":\"x\",\"d\":true,\"e\":[1,2],\"f\":[1,2.5],\"g\":[\"p\"]}"));
        assertThat(t.get("a").getInt64Val()).isEqualTo(1);
        assertThat(t.get("b").getFloatVal()).isEqualTo(1.5);
        assertThat(t.get("c").getStringVal()).isEqualTo("x");
        assertThat(t.get("d").getBoolVal()).isTrue();
        assertThat(t.get("e").getArrayVal().getLongData().getDataList()).containsExactly(1L, 2L);
        assertThat(t.get("f").getArrayVal().getDoubleData().getDataList()).containsExactly(1.0, 2.5);
        assertThat(t.get("g").getArrayVal().getStringData().getDataList()).containsExactly("p");
        assertThatThrownBy(() -> SearchJson.templates(body("{\"h\":[1,\"x\"]}"))).hasMessageContaining("one type");
    }
}
