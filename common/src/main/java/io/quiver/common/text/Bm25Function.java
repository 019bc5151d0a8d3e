package io.quiver.common.text;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FunctionSchema;
import io.milvus.grpc.FunctionType;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A BM25 function of a collection schema (Milvus 2.5's {@code FunctionType.BM25}): its VARCHAR input field, analysed
 * with the field's analyzer, becomes term counts in its SPARSE_FLOAT_VECTOR output field, which users search with
 * raw text and metric BM25.
 */
public record Bm25Function(String name, FieldSchema input, FieldSchema output) {
    /** The BM25 functions of a stored schema (field ids assigned). */
    public static List<Bm25Function> of(CollectionSchema s) {
        if (s.getFunctionsCount() == 0) {
            return List.of();
        }
        List<Bm25Function> out = new ArrayList<>();
        for (FunctionSchema f : s.getFunctionsList()) {
            if (f.getType() == FunctionType.BM25 && f.getInputFieldIdsCount() == 1 && f.getOutputFieldIdsCount() == 1) {
                out.add(new Bm25Function(f.getName(), Schemas.byId(s, f.getInputFieldIds(0)).orElseThrow(),
                        Schemas.byId(s, f.getOutputFieldIds(0)).orElseThrow()));
            }
        }
        return out;
    }

    /** The BM25 function whose output is field {@code fieldId}, if any. */
    public static Optional<Bm25Function> byOutput(CollectionSchema s, long fieldId) {
        return of(s).stream().filter(f -> f.output().getFieldID() == fieldId).findFirst();
    }

    /**
     * Create-time checks of a schema's functions, with Milvus' messages, on fields that already have their ids:
     * returns the schema with each function's field ids and id set and its output fields marked
     * {@code is_function_output}. Only BM25 is supported; its input must be a VARCHAR field with the analyzer on, its
     * output a SPARSE_FLOAT_VECTOR that is not the primary key, a partition key or nullable, and it takes no params.
     */
    public static CollectionSchema prepare(CollectionSchema s) {
        if (s.getFunctionsCount() == 0) {
            return s;
        }
        Map<String, FieldSchema> byName = s.getFieldsList().stream().collect(Collectors.toMap(FieldSchema::getName, Function.identity()));
        Set<String> names = new HashSet<>();
        Set<String> outputs = new HashSet<>();
        CollectionSchema.Builder out = s.toBuilder().clearFunctions();
        long id = 100;
        for (FunctionSchema f : s.getFunctionsList()) {
            if (f.getName().isBlank() || !names.add(f.getName())) {
                throw QuiverException.invalid("function name %s is empty or duplicated", f.getName());
            }
            if (f.getType() != FunctionType.BM25) {
                throw QuiverException.invalid("function %s: type %s is not supported, supported: [BM25]", f.getName(), f.getType());
            }
            if (f.getInputFieldNamesCount() != 1 || f.getOutputFieldNamesCount() != 1) {
                throw QuiverException.invalid("BM25 function %s takes exactly one input and one output field, got %d and %d", f.getName(),
                        f.getInputFieldNamesCount(), f.getOutputFieldNamesCount());
            }
            if (f.getParamsCount() > 0) {
                throw QuiverException.invalid("BM25 function accepts no params");
            }
            FieldSchema in = field(byName, f.getInputFieldNames(0), f.getName());
            FieldSchema o = field(byName, f.getOutputFieldNames(0), f.getName());
            if (in.getDataType() != DataType.VarChar) {
                throw QuiverException.invalid("BM25 function input field must be a VARCHAR field, got %s of field %s", in.getDataType(), in.getName());
            }
            if (!TextFields.analyzerEnabled(in)) {
                throw QuiverException.invalid("BM25 function input field %s must set enable_analyzer to true", in.getName());
            }
            if (o.getDataType() != DataType.SparseFloatVector) {
                throw QuiverException.invalid("BM25 function output field must be a SPARSE_FLOAT_VECTOR field, got %s of field %s",
                        o.getDataType(), o.getName());
            }
            if (o.getIsPrimaryKey() || o.getIsPartitionKey() || o.getIsClusteringKey() || o.getNullable()) {
                throw QuiverException.invalid("function output field %s cannot be a primary key, partition key, clustering key or nullable",
                        o.getName());
            }
            if (!outputs.add(o.getName())) {
                throw QuiverException.invalid("field %s is the output of more than one function", o.getName());
            }
            out.addFunctions(f.toBuilder().setId(id++).clearInputFieldIds().addInputFieldIds(in.getFieldID())
                    .clearOutputFieldIds().addOutputFieldIds(o.getFieldID()));
        }
        for (int i = 0; i < out.getFieldsCount(); i++) {
            FieldSchema f = out.getFields(i);
            if (outputs.contains(f.getName())) {
                out.setFields(i, f.toBuilder().setIsFunctionOutput(true));
            } else if (f.getIsFunctionOutput()) {
                throw QuiverException.invalid("field %s is marked as a function output but no function outputs it", f.getName());
            }
        }
        return out.build();
    }

    private static FieldSchema field(Map<String, FieldSchema> byName, String name, String function) {
        FieldSchema f = byName.get(name);
        if (f == null) {
            throw QuiverException.invalid("function %s: field %s is not in the schema", function, name);
        }
        return f;
    }
}
