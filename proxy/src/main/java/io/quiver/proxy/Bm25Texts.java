package io.quiver.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.ByteString;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.text.Analyzer;
import io.quiver.common.text.Bm25Function;
import io.quiver.common.text.TermCounts;
import io.quiver.common.text.TextFields;
import io.quiver.common.schema.Schemas;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxy's side of Milvus' BM25 function: the term counts of each inserted text become the row of the function's
 * output field before the rows go to the WAL (so growing segments, flush, compaction and index builds treat the field
 * as any sparse field), and search texts become query terms. Analyzers are built once per {@code analyzer_params}.
 */
final class Bm25Texts {
    private final Cache<String, Analyzer> analyzers = Caffeine.newBuilder().maximumSize(256).build();

    /** The analyzer of a function's input field. */
    Analyzer analyzer(Bm25Function f) {
        String params = Schemas.typeParam(f.input(), TextFields.ANALYZER_PARAMS);
        return analyzers.get(params == null ? "" : params, p -> TextFields.analyzer(f.input()));
    }

    /** Validated insert columns plus one computed column per BM25 function of the schema. */
    List<FieldData> withOutputs(CollectionSchema schema, List<FieldData> columns, int rows) {
        List<Bm25Function> functions = Bm25Function.of(schema);
        if (functions.isEmpty()) {
            return columns;
        }
        List<FieldData> out = new ArrayList<>(columns);
        for (Bm25Function f : functions) {
            FieldData text = columns.stream().filter(c -> c.getFieldId() == f.input().getFieldID()).findFirst().orElseThrow();
            out.add(output(f, text, rows));
        }
        return out;
    }

    /** The function's output column: each row's term counts (a null text gives an empty row). */
    private FieldData output(Bm25Function f, FieldData text, int rows) {
        Analyzer analyzer = analyzer(f);
        SparseFloatArray.Builder sparse = SparseFloatArray.newBuilder();
        long dim = 0;
        boolean nullable = text.getValidDataCount() > 0;
        for (int r = 0; r < rows; r++) {
            String s = nullable && !text.getValidData(r) ? null : text.getScalars().getStringData().getData(r);
            TermCounts c = TermCounts.of(analyzer, s);
            if (c.size() > 0) {
                dim = Math.max(dim, Integer.toUnsignedLong(c.terms()[c.size() - 1]) + 1);
            }
            sparse.addContents(ByteString.copyFrom(c.sparseRow()));
        }
        return FieldData.newBuilder().setType(DataType.SparseFloatVector).setFieldName(f.output().getName()).setFieldId(f.output().getFieldID())
                .setVectors(VectorField.newBuilder().setDim(dim).setSparseFloatVector(sparse.setDim(dim))).build();
    }
}
