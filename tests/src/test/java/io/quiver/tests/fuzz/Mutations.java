package io.quiver.tests.fuzz;

import static io.quiver.tests.fuzz.Sandbox.DIM;
import static io.quiver.tests.fuzz.Sandbox.NO_DYNAMIC;
import static io.quiver.tests.fuzz.Sandbox.SANDBOX;
import static io.quiver.tests.fuzz.Sandbox.kv;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.ValueField;
import io.milvus.grpc.VectorField;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Valid requests on the sandbox collections with one hostile change each: the inputs issue 14 names (wrong
 * dimension, NaN, mismatched columns, malformed placeholder groups, 10,000-deep filters, huge topk/nq/offset,
 * invalid JSON) and the ones found by running the fuzzer. A mutation marked {@code mustRefuse} is invalid by
 * Milvus' rules, so the server must answer it with an error status.
 */
final class Mutations {
    private record Mutation(String name, boolean mustRefuse, MethodDescriptor<?, ?> method, Function<Random, Message> request) {}

    private static final String DEEP = "(".repeat(10_000) + "id > 0" + ")".repeat(10_000);
    private static final String DEEP_NOT = "not ".repeat(10_000) + "id > 0";
    private static final String DEEP_AND = "id > 0 and (".repeat(10_000) + "id > 0" + ")".repeat(10_000);
    private static final String LONG_OR = "id == 1" + " or id == 1".repeat(20_000);
    private static final String DEEP_JSON = "[".repeat(10_000) + "]".repeat(10_000);
    private static final List<String> BAD_JSON = List.of("{", "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": 1,}", "nul",
            "{\"a\": 1} trailing", "'a'");
    private static final List<String> BAD_TOPK = List.of("16385", "1073741824", "1.5", "-1", "0", "abc", "", "1e3",
            "9223372036854775808");

    private static final List<String> BAD_LIMIT = List.of("16385", "1073741824", "1.5", "-1", "abc", "9223372036854775808");

    private final List<Mutation> all;
    private final RandomMessages random;

    Mutations(RandomMessages random) {
        this.random = random;
        this.all = List.of(
                new Mutation("insert wrong dimension", true, MilvusServiceGrpc.getInsertMethod(), r -> withVectors(r, DIM - 1)),
                new Mutation("insert NaN vector", true, MilvusServiceGrpc.getInsertMethod(), r -> withFloat(r, Float.NaN)),
                new Mutation("insert infinite vector", true, MilvusServiceGrpc.getInsertMethod(), r -> withFloat(r, Float.NEGATIVE_INFINITY)),
                new Mutation("insert mismatched column lengths", true, MilvusServiceGrpc.getInsertMethod(), Mutations::shortColumn),
                new Mutation("insert num_rows mismatch", true, MilvusServiceGrpc.getInsertMethod(),
                        r -> Sandbox.insert(SANDBOX, 1_000, 3).setNumRows(3 + 1 + r.nextInt(1000)).build()),
                new Mutation("insert invalid JSON", true, MilvusServiceGrpc.getInsertMethod(),
                        r -> withJson(NO_DYNAMIC, "meta", BAD_JSON.get(r.nextInt(BAD_JSON.size())))),
                new Mutation("insert non-UTF-8 JSON", false, MilvusServiceGrpc.getInsertMethod(),
                        r -> withJsonBytes(NO_DYNAMIC, "meta", ByteString.copyFrom(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}))),
                new Mutation("insert 10,000-deep JSON", false, MilvusServiceGrpc.getInsertMethod(), r -> withJson(NO_DYNAMIC, "meta", DEEP_JSON)),
                new Mutation("insert $meta without dynamic field", true, MilvusServiceGrpc.getInsertMethod(), r -> withDynamic(r, false)),
                new Mutation("upsert $meta without dynamic field", true, MilvusServiceGrpc.getUpsertMethod(), r -> withDynamic(r, true)),
                new Mutation("insert $meta not an object", true, MilvusServiceGrpc.getInsertMethod(), r -> withJson(SANDBOX, "$meta", "[1, 2]")),
                new Mutation("insert INT64 array of strings", true, MilvusServiceGrpc.getInsertMethod(), Mutations::stringTags),
                new Mutation("insert VARCHAR too long", true, MilvusServiceGrpc.getInsertMethod(), r -> longName()),
                new Mutation("search wrong dimension", true, MilvusServiceGrpc.getSearchMethod(),
                        r -> Sandbox.search(SANDBOX, r).setPlaceholderGroup(Sandbox.placeholders(r, 2, DIM + 1)).build()),
                new Mutation("search malformed placeholder group", true, MilvusServiceGrpc.getSearchMethod(),
                        r -> Sandbox.search(SANDBOX, r).setPlaceholderGroup(malformedPlaceholders(r)).build()),
                new Mutation("search bad topk", true, MilvusServiceGrpc.getSearchMethod(),
                        r -> withParam(Sandbox.search(SANDBOX, r), "topk", BAD_TOPK.get(r.nextInt(BAD_TOPK.size())))),
                new Mutation("search huge offset", true, MilvusServiceGrpc.getSearchMethod(),
                        r -> Sandbox.search(SANDBOX, r).addSearchParams(kv("offset", Integer.toString(16_380 + r.nextInt(1 << 20)))).build()),
                new Mutation("search huge nq", true, MilvusServiceGrpc.getSearchMethod(),
                        r -> Sandbox.search(SANDBOX, r).setPlaceholderGroup(Sandbox.placeholders(r, 16_385, DIM)).setNq(16_385).build()),
                new Mutation("search deep filter", true, MilvusServiceGrpc.getSearchMethod(),
                        r -> Sandbox.search(SANDBOX, r).setDsl(deepFilter(r)).build()),
                new Mutation("search bad params JSON", true, MilvusServiceGrpc.getSearchMethod(),
                        r -> withParam(Sandbox.search(SANDBOX, r), "params", BAD_JSON.get(r.nextInt(BAD_JSON.size())))),
                new Mutation("hybrid search with a bad sub-request", true, MilvusServiceGrpc.getHybridSearchMethod(),
                        r -> Sandbox.hybrid(SANDBOX, r).setRequests(1, Sandbox.search(SANDBOX, r)
                                .setPlaceholderGroup(Sandbox.placeholders(r, 2, DIM - 2))).build()),
                new Mutation("hybrid search huge limit", true, MilvusServiceGrpc.getHybridSearchMethod(),
                        r -> Sandbox.hybrid(SANDBOX, r).addRankParams(kv("offset", "16384")).build()),
                new Mutation("query huge limit", true, MilvusServiceGrpc.getQueryMethod(),
                        r -> Sandbox.query(SANDBOX, "id >= 0").setQueryParams(0, kv("limit", BAD_LIMIT.get(r.nextInt(BAD_LIMIT.size())))).build()),
                new Mutation("query huge offset", true, MilvusServiceGrpc.getQueryMethod(),
                        r -> Sandbox.query(SANDBOX, "id >= 0").addQueryParams(kv("offset", Long.toString(16_300 + r.nextInt(1 << 30)))).build()),
                new Mutation("query deep filter", true, MilvusServiceGrpc.getQueryMethod(), r -> Sandbox.query(SANDBOX, deepFilter(r)).build()),
                new Mutation("delete deep filter", true, MilvusServiceGrpc.getDeleteMethod(), r -> Sandbox.delete(SANDBOX, deepFilter(r)).build()),
                new Mutation("query long flat filter", false, MilvusServiceGrpc.getQueryMethod(), r -> Sandbox.query(SANDBOX, LONG_OR).build()),
                new Mutation("create VARCHAR with integer default", true, MilvusServiceGrpc.getCreateCollectionMethod(),
                        r -> create(r, b -> b.setFields(2, b.getFields(2).toBuilder().setDefaultValue(ValueField.newBuilder().setLongData(7))))),
                new Mutation("create vector partition key", true, MilvusServiceGrpc.getCreateCollectionMethod(),
                        r -> create(r, b -> b.setFields(1, b.getFields(1).toBuilder().setIsPartitionKey(true)))),
                new Mutation("create dimension out of range", true, MilvusServiceGrpc.getCreateCollectionMethod(),
                        r -> create(r, b -> b.setFields(1, b.getFields(1).toBuilder().setTypeParams(0, kv("dim", RandomMessages.anInt(r) + "x"))))),
                new Mutation("load unknown resource group", true, MilvusServiceGrpc.getLoadCollectionMethod(),
                        r -> Sandbox.load(SANDBOX).addResourceGroups("no_such_rg_" + r.nextInt(100)).build()),
                new Mutation("load unknown field", true, MilvusServiceGrpc.getLoadCollectionMethod(),
                        r -> Sandbox.load(SANDBOX).addLoadFields("id").addLoadFields("vector").addLoadFields("no_such_field").build()),
                new Mutation("insert one random field", false, MilvusServiceGrpc.getInsertMethod(), r -> oneField(r, Sandbox.insert(SANDBOX, 2_000, 2))),
                new Mutation("search one random field", false, MilvusServiceGrpc.getSearchMethod(), r -> oneField(r, Sandbox.search(SANDBOX, r))),
                new Mutation("hybrid one random field", false, MilvusServiceGrpc.getHybridSearchMethod(), r -> oneField(r, Sandbox.hybrid(SANDBOX, r))),
                new Mutation("query one random field", false, MilvusServiceGrpc.getQueryMethod(), r -> oneField(r, Sandbox.query(SANDBOX, "id > 0"))),
                new Mutation("create one random field", false, MilvusServiceGrpc.getCreateCollectionMethod(),
                        r -> oneField(r, Sandbox.create("fuzz_new_" + r.nextInt(4), r.nextBoolean()))),
                new Mutation("valid insert", false, MilvusServiceGrpc.getInsertMethod(), r -> Sandbox.insert(SANDBOX, r.nextInt(1 << 20), 3).build()),
                new Mutation("valid search", false, MilvusServiceGrpc.getSearchMethod(), r -> Sandbox.search(SANDBOX, r).build()));
    }

    FuzzCase next(Random r) {
        Mutation m = all.get(r.nextInt(all.size()));
        return new FuzzCase(m.method().getFullMethodName(), m.request().apply(r).toByteArray(), FuzzCase.Kind.MUTATED, m.name(),
                m.mustRefuse(), null);
    }

    int size() {
        return all.size();
    }

    private Message oneField(Random r, Message.Builder b) {
        random.mutateOneField(b, r);
        return b.build();
    }

    private static String deepFilter(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> DEEP;
            case 1 -> DEEP_NOT;
            default -> DEEP_AND;
        };
    }

    private static InsertRequest.Builder replace(InsertRequest.Builder b, String field, FieldData data) {
        for (int i = 0; i < b.getFieldsDataCount(); i++) {
            if (b.getFieldsData(i).getFieldName().equals(field)) {
                b.setFieldsData(i, data);
            }
        }
        return b;
    }

    private static Message withVectors(Random r, int dim) {
        FloatArray.Builder f = FloatArray.newBuilder();
        for (int i = 0; i < 3 * dim; i++) {
            f.addData(r.nextFloat());
        }
        return replace(Sandbox.insert(SANDBOX, 3_000, 3), "vector", FieldData.newBuilder().setFieldName("vector").setType(DataType.FloatVector)
                .setVectors(VectorField.newBuilder().setDim(dim).setFloatVector(f)).build()).build();
    }

    private static Message withFloat(Random r, float bad) {
        InsertRequest.Builder b = Sandbox.insert(SANDBOX, 3_000, 3);
        FieldData v = b.getFieldsData(1);
        FloatArray.Builder f = v.getVectors().getFloatVector().toBuilder().setData(r.nextInt(3 * DIM), bad);
        return b.setFieldsData(1, v.toBuilder().setVectors(v.getVectors().toBuilder().setFloatVector(f))).build();
    }

    private static Message shortColumn(Random r) {
        InsertRequest.Builder b = Sandbox.insert(SANDBOX, 4_000, 4);
        FieldData names = b.getFieldsData(2);
        List<String> values = new ArrayList<>(names.getScalars().getStringData().getDataList());
        values.remove(r.nextInt(values.size()));
        StringArray.Builder s = StringArray.newBuilder().addAllData(values);
        return b.setFieldsData(2, names.toBuilder().setScalars(ScalarField.newBuilder().setStringData(s))).build();
    }

    private static Message withJson(String collection, String field, String json) {
        return withJsonBytes(collection, field, ByteString.copyFromUtf8(json));
    }

    private static Message withJsonBytes(String collection, String field, ByteString json) {
        InsertRequest.Builder b = Sandbox.insert(collection, 5_000, 1);
        FieldData data = FieldData.newBuilder().setFieldName(field).setType(DataType.JSON).setIsDynamic(field.equals("$meta"))
                .setScalars(ScalarField.newBuilder().setJsonData(JSONArray.newBuilder().addData(json))).build();
        return field.equals("meta") ? replace(b, field, data).build() : b.addFieldsData(data).build();
    }

    private static Message withDynamic(Random r, boolean upsert) {
        FieldData meta = FieldData.newBuilder().setFieldName("$meta").setType(DataType.JSON).setIsDynamic(true)
                .setScalars(ScalarField.newBuilder().setJsonData(JSONArray.newBuilder().addData(ByteString.copyFromUtf8("{\"extra\": 1}")))).build();
        long id = 6_000 + r.nextInt(100);
        return upsert ? Sandbox.upsert(NO_DYNAMIC, id, 1).addFieldsData(meta).build() : Sandbox.insert(NO_DYNAMIC, id, 1).addFieldsData(meta).build();
    }

    private static Message stringTags(Random r) {
        ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(DataType.Int64);
        for (int i = 0; i < 2; i++) {
            a.addData(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addData("x" + r.nextInt(10))));
        }
        return replace(Sandbox.insert(SANDBOX, 7_000, 2), "tags", FieldData.newBuilder().setFieldName("tags").setType(DataType.Array)
                .setScalars(ScalarField.newBuilder().setArrayData(a)).build()).build();
    }

    private static Message longName() {
        return replace(Sandbox.insert(SANDBOX, 8_000, 1), "name", FieldData.newBuilder().setFieldName("name").setType(DataType.VarChar)
                .setScalars(ScalarField.newBuilder().setStringData(StringArray.newBuilder().addData("x".repeat(65)))).build()).build();
    }

    private static ByteString malformedPlaceholders(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> ByteString.copyFrom(RandomMessages.bytes(r, 256));
            case 1 -> PlaceholderGroup.newBuilder().build().toByteString();
            case 2 -> PlaceholderGroup.newBuilder().addPlaceholders(PlaceholderValue.newBuilder().setTag("$0")
                    .setType(PlaceholderType.FloatVector).addValues(ByteString.copyFrom(new byte[DIM * 4 - 1]))).build().toByteString();
            case 3 -> PlaceholderGroup.newBuilder().addPlaceholders(PlaceholderValue.newBuilder().setTag("$0")
                    .setType(PlaceholderType.FloatVector)).build().toByteString();
            default -> PlaceholderGroup.newBuilder().addPlaceholders(PlaceholderValue.newBuilder().setTag("$0")
                    .setType(PlaceholderType.BinaryVector).addValues(ByteString.copyFrom(new byte[3]))).build().toByteString();
        };
    }

    private static Message withParam(SearchRequest.Builder b, String key, String value) {
        for (int i = 0; i < b.getSearchParamsCount(); i++) {
            if (b.getSearchParams(i).getKey().equals(key)) {
                b.setSearchParams(i, kv(key, value));
                return b.build();
            }
        }
        return b.addSearchParams(kv(key, value)).build();
    }

    private static Message create(Random r, UnaryOperator<CollectionSchema.Builder> change) {
        String name = "fuzz_bad_" + r.nextInt(4);
        CollectionSchema.Builder s = Sandbox.schema(name, false).toBuilder();
        return Sandbox.create(name, false).setSchema(change.apply(s).build().toByteString()).build();
    }
}
