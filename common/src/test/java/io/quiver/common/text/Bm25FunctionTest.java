package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FunctionSchema;
import io.milvus.grpc.FunctionType;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.QuiverException;
import org.junit.jupiter.api.Test;

class Bm25FunctionTest {
    private static FieldSchema field(long id, String name, DataType t, String... params) {
        FieldSchema.Builder b = FieldSchema.newBuilder().setFieldID(id).setName(name).setDataType(t);
        for (int i = 0; i < params.length; i += 2) {
            b.addTypeParams(KeyValuePair.newBuilder().setKey(params[i]).setValue(params[i + 1]));
        }
        return b.build();
    }

    private static CollectionSchema schema(FieldSchema text, FieldSchema sparse, FunctionSchema fn) {
        return CollectionSchema.newBuilder().addFields(field(100, "id", DataType.Int64).toBuilder().setIsPrimaryKey(true))
                .addFields(text).addFields(sparse).addFunctions(fn).build();
    }

    private static final FieldSchema TEXT = field(101, "text", DataType.VarChar, "max_length", "1000", "enable_analyzer", "true");
    private static final FieldSchema SPARSE = field(102, "sparse", DataType.SparseFloatVector);
    private static final FunctionSchema FN = FunctionSchema.newBuilder().setName("bm25").setType(FunctionType.BM25)
            .addInputFieldNames("text").addOutputFieldNames("sparse").build();

    @Test
    void prepareSetsIdsAndMarksTheOutput() {
        CollectionSchema s = Bm25Function.prepare(schema(TEXT, SPARSE, FN));
        FunctionSchema f = s.getFunctions(0);
        assertThat(f.getId()).isEqualTo(100);
        assertThat(f.getInputFieldIdsList()).containsExactly(101L);
        assertThat(f.getOutputFieldIdsList()).containsExactly(102L);
        assertThat(s.getFields(2).getIsFunctionOutput()).isTrue();
        assertThat(s.getFields(1).getIsFunctionOutput()).isFalse();
        Bm25Function fn = Bm25Function.of(s).get(0);
        assertThat(fn.input().getName()).isEqualTo("text");
        assertThat(Bm25Function.byOutput(s, 102)).contains(fn);
        assertThat(Bm25Function.byOutput(s, 101)).isEmpty();
    }

    @Test
    void badFunctionsAreRefusedWithMilvusMessages() {
        assertThatThrownBy(() -> Bm25Function.prepare(schema(field(101, "text", DataType.Int64), SPARSE, FN)))
                .isInstanceOf(QuiverException.class).hasMessageContaining("BM25 function input field must be a VARCHAR field");
        assertThatThrownBy(() -> Bm25Function.prepare(schema(field(101, "text", DataType.VarChar, "max_length", "10"), SPARSE, FN)))
                .hasMessageContaining("must set enable_analyzer to true");
        assertThatThrownBy(() -> Bm25Function.prepare(schema(TEXT, SPARSE, FN.toBuilder()
                .addParams(KeyValuePair.newBuilder().setKey("k").setValue("v")).build())))
                .hasMessageContaining("BM25 function accepts no params");
        assertThatThrownBy(() -> Bm25Function.prepare(schema(TEXT, field(102, "sparse", DataType.FloatVector, "dim", "4"), FN)))
                .hasMessageContaining("SPARSE_FLOAT_VECTOR");
        assertThatThrownBy(() -> Bm25Function.prepare(schema(TEXT, SPARSE.toBuilder().setNullable(true).build(), FN)))
                .hasMessageContaining("nullable");
        assertThatThrownBy(() -> Bm25Function.prepare(schema(TEXT, SPARSE, FN.toBuilder().setOutputFieldNames(0, "nope").build())))
                .hasMessageContaining("field nope is not in the schema");
        assertThatThrownBy(() -> Bm25Function.prepare(schema(TEXT, SPARSE, FN.toBuilder().setType(FunctionType.TextEmbedding).build())))
                .hasMessageContaining("not supported");
    }
}
