package io.quiver.proxy.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** REST rows to columns (insert) and back (query results): every data type, nulls, the dynamic field, exact int64. */
class JsonColumnsTest {
    static FieldSchema field(long id, String name, DataType t, String... params) {
        FieldSchema.Builder b = FieldSchema.newBuilder().setFieldID(id).setName(name).setDataType(t);
        for (int i = 0; i < params.length; i += 2) {
            b.addTypeParams(KeyValuePair.newBuilder().setKey(params[i]).setValue(params[i + 1]));
        }
        return b.build();
    }

    static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setEnableDynamicField(true)
            .addFields(field(100, "id", DataType.Int64).toBuilder().setIsPrimaryKey(true))
            .addFields(field(101, "v", DataType.FloatVector, "dim", "2"))
            .addFields(field(102, "b", DataType.BinaryVector, "dim", "16"))
            .addFields(field(103, "h", DataType.Float16Vector, "dim", "2"))
            .addFields(field(104, "s", DataType.SparseFloatVector))
            .addFields(field(105, "name", DataType.VarChar, "max_length", "8"))
            .addFields(field(106, "ok", DataType.Bool))
            .addFields(field(107, "i8", DataType.Int8))
            .addFields(field(108, "d", DataType.Double))
            .addFields(field(109, "j", DataType.JSON))
            .addFields(field(110, "arr", DataType.Array, "max_capacity", "3").toBuilder().setElementType(DataType.Int64))
            .addFields(field(111, "n", DataType.Int32).toBuilder().setNullable(true))
            .addFields(field(112, "$meta", DataType.JSON).toBuilder().setIsDynamic(true))
            .build();

    static final String ROWS = """
            [{"id":9007199254740993,"v":[0.5,1],"b":[1,255],"h":[1.5,-2],"s":{"3":0.5,"1":2},"name":"a","ok":true,"i8":-3,"d":2.25,
              "j":{"k":[1,2]},"arr":[1,2],"n":7,"color":"red"},
             {"id":2,"v":[0,0],"b":[0,0],"h":[0,0],"s":{},"name":"b","ok":false,"i8":1,"d":0,"j":"[1]","arr":[],"extra":{"x":1}}]""";

    @Test
    void rowsBecomeColumnsAndComeBackUnchanged() {
        JsonArray rows = JsonParser.parseString(ROWS).getAsJsonArray();
        List<FieldData> cols = JsonColumns.columns(SCHEMA, rows, false);
        assertThat(cols).extracting(FieldData::getFieldName)
                .containsExactly("id", "v", "b", "h", "s", "name", "ok", "i8", "d", "j", "arr", "n", "$meta");
        assertThat(cols.get(0).getScalars().getLongData().getDataList()).containsExactly(9007199254740993L, 2L);
        assertThat(cols.get(1).getVectors().getFloatVector().getDataList()).containsExactly(0.5f, 1f, 0f, 0f);
        assertThat(cols.get(2).getVectors().getBinaryVector().toByteArray()).containsExactly(1, (byte) 255, 0, 0);
        ByteBuffer sparse = cols.get(4).getVectors().getSparseFloatVector().getContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(sparse.getInt()).isEqualTo(1); // ascending index order
        assertThat(sparse.getFloat()).isEqualTo(2f);
        assertThat(cols.get(4).getVectors().getDim()).isEqualTo(4);
        assertThat(cols.get(11).getValidDataList()).containsExactly(true, false);
        assertThat(cols.get(12).getIsDynamic()).isTrue();
        assertThat(cols.get(12).getScalars().getJsonData().getData(0).toStringUtf8()).isEqualTo("{\"color\":\"red\"}");

        JsonArray back = JsonRows.rows(cols, 2, true);
        var r0 = back.get(0).getAsJsonObject();
        assertThat(r0.get("id").getAsLong()).isEqualTo(9007199254740993L);
        assertThat(r0.get("v").toString()).isEqualTo("[0.5,1.0]");
        assertThat(r0.get("h").getAsString()).isNotEmpty(); // Base64 of the half-precision bytes
        assertThat(r0.get("s").toString()).isEqualTo("{\"1\":2.0,\"3\":0.5}");
        assertThat(r0.get("j").getAsString()).isEqualTo("{\"k\":[1,2]}"); // a JSON field comes back as its text
        assertThat(r0.get("arr").toString()).isEqualTo("[1,2]");
        assertThat(r0.get("color").getAsString()).isEqualTo("red"); // dynamic keys flattened
        var r1 = back.get(1).getAsJsonObject();
        assertThat(r1.get("n").isJsonNull()).isTrue();
        assertThat(r1.get("j").getAsString()).isEqualTo("[1]");
        assertThat(r1.get("extra").toString()).isEqualTo("{\"x\":1}");
        assertThat(JsonRows.rows(cols, 2, false).get(0).getAsJsonObject().get("id").getAsString()).isEqualTo("9007199254740993");
    }

    @Test
    void autoIdKeyIsLeftOutOfInsertsButNotUpserts() {
        CollectionSchema auto = CollectionSchema.newBuilder()
                .addFields(field(100, "id", DataType.Int64).toBuilder().setIsPrimaryKey(true).setAutoID(true))
                .addFields(field(101, "v", DataType.FloatVector, "dim", "1")).build();
        JsonArray rows = JsonParser.parseString("[{\"id\":5,\"v\":[1]}]").getAsJsonArray();
        assertThat(JsonColumns.columns(auto, rows, false)).extracting(FieldData::getFieldName).containsExactly("v");
        assertThat(JsonColumns.columns(auto, rows, true)).extracting(FieldData::getFieldName).containsExactly("id", "v");
    }

    @Test
    void badValuesAreRefusedWith1804NamingRowAndField() {
        assertThatThrownBy(() -> JsonColumns.columns(SCHEMA, JsonParser.parseString(ROWS.replace("\"v\":[0,0]", "\"v\":[0]"))
                .getAsJsonArray(), false))
                .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.HTTP_INVALID_INSERT_DATA))
                .hasMessageContaining("row 1, field 'v'");
        assertThatThrownBy(() -> JsonColumns.columns(SCHEMA, JsonParser.parseString(ROWS.replace("\"i8\":1", "\"i8\":\"x\""))
                .getAsJsonArray(), false)).hasMessageContaining("row 1, field 'i8'");
        assertThatThrownBy(() -> JsonColumns.columns(SCHEMA, JsonParser.parseString(ROWS.replace("\"name\":\"b\",", ""))
                .getAsJsonArray(), false)).hasMessageContaining("field 'name': the value is missing");
        assertThatThrownBy(() -> JsonColumns.columns(SCHEMA, JsonParser.parseString(ROWS.replace("\"id\":2", "\"id\":2.5"))
                .getAsJsonArray(), false)).hasMessageContaining("field 'id'");
    }
}
