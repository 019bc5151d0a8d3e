package io.quiver.server.ctl;

import static io.quiver.server.ctl.MilvusRpc.check;
import static io.quiver.server.ctl.MilvusRpc.floatVectorField;
import static io.quiver.server.ctl.MilvusRpc.kv;
import static io.quiver.server.ctl.MilvusRpc.longField;
import static io.quiver.server.ctl.MilvusRpc.placeholders;
import static java.util.Objects.requireNonNull;

import io.grpc.StatusRuntimeException;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.DropCollectionRequest;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.GetMetricsRequest;
import io.milvus.grpc.GetMetricsResponse;
import io.milvus.grpc.GetPersistentSegmentInfoRequest;
import io.milvus.grpc.GetPersistentSegmentInfoResponse;
import io.milvus.grpc.GetQuerySegmentInfoRequest;
import io.milvus.grpc.GetQuerySegmentInfoResponse;
import io.milvus.grpc.HasCollectionRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.ReleaseCollectionRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.SegmentLevel;
import io.milvus.grpc.SegmentState;
import io.milvus.grpc.Status;
import io.milvus.grpc.UpsertRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The churn benchmark's calls on one collection, over the raw Milvus gRPC stubs as {@link LoadTest} makes them. Schema:
 * {@code id} INT64 primary key (not auto id), {@code v} FLOAT_VECTOR, {@code ver} INT64. Every call has a deadline;
 * checks read with Strong consistency. Thread-safe (the stub is).
 */
final class ChurnClient {
    static final long DEADLINE_S = 60;
    private final MilvusServiceBlockingStub stub;
    private final String collection;
    private final String metric;
    private final int ef;

    ChurnClient(MilvusServiceBlockingStub stub, String collection, String metric, int ef) {
        this.stub = requireNonNull(stub, "stub is null");
        this.collection = requireNonNull(collection, "collection is null");
        this.metric = requireNonNull(metric, "metric is null");
        this.ef = ef;
    }

    String collection() {
        return collection;
    }

    MilvusServiceBlockingStub stub() {
        return stub;
    }

    private MilvusServiceBlockingStub call() {
        return stub.withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
    }

    /** Drops the collection if it exists, creates it with the churn schema and an HNSW index on {@code v}. */
    void recreate(int dim, int shards) {
        if (call().hasCollection(HasCollectionRequest.newBuilder().setCollectionName(collection).build()).getValue()) {
            check(call().dropCollection(DropCollectionRequest.newBuilder().setCollectionName(collection).build()), "drop " + collection);
        }
        CollectionSchema schema = CollectionSchema.newBuilder().setName(collection)
                .addFields(FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true).setAutoID(false))
                .addFields(FieldSchema.newBuilder().setName("v").setDataType(DataType.FloatVector)
                        .addTypeParams(kv("dim", Integer.toString(dim))))
                .addFields(FieldSchema.newBuilder().setName("ver").setDataType(DataType.Int64)).build();
        check(call().createCollection(CreateCollectionRequest.newBuilder().setCollectionName(collection).setSchema(schema.toByteString())
                .setShardsNum(shards).build()), "create collection " + collection);
        check(call().createIndex(CreateIndexRequest.newBuilder().setCollectionName(collection).setFieldName("v")
                .addExtraParams(kv("index_type", "HNSW")).addExtraParams(kv("metric_type", metric)).addExtraParams(kv("M", "16"))
                .addExtraParams(kv("efConstruction", "200")).build()), "create index on " + collection);
    }

    void release() {
        check(call().releaseCollection(ReleaseCollectionRequest.newBuilder().setCollectionName(collection).build()), "release " + collection);
    }

    private List<FieldData> rows(LiveRows model, long[] ids) {
        LongArray.Builder id = LongArray.newBuilder();
        LongArray.Builder ver = LongArray.newBuilder();
        FloatArray.Builder v = FloatArray.newBuilder();
        for (long x : ids) {
            id.addData(x);
            ver.addData(model.version(x));
            for (float f : model.vector(x)) {
                v.addData(f);
            }
        }
        int dim = ids.length == 0 ? 0 : v.getDataCount() / ids.length;
        return List.of(longField("id", id), floatVectorField("v", dim, v), longField("ver", ver));
    }

    /** Inserts live ids of the model with their current version and vector. */
    Status insert(LiveRows model, long[] ids) {
        MutationResult r = call().insert(InsertRequest.newBuilder().setCollectionName(collection).setNumRows(ids.length)
                .addAllFieldsData(rows(model, ids)).build());
        return r.getStatus();
    }

    /** Upserts live ids of the model with their current version and vector (the caller bumps the version first). */
    Status upsert(LiveRows model, long[] ids) {
        MutationResult r = call().upsert(UpsertRequest.newBuilder().setCollectionName(collection).setNumRows(ids.length)
                .addAllFieldsData(rows(model, ids)).build());
        return r.getStatus();
    }

    Status delete(long[] ids) {
        return call().delete(DeleteRequest.newBuilder().setCollectionName(collection).setExpr(inExpr(ids)).build()).getStatus();
    }

    static String inExpr(long[] ids) {
        return "id in [" + Arrays.stream(ids).mapToObj(Long::toString).collect(Collectors.joining(",")) + "]";
    }

    /** count(*) with Strong consistency. */
    long count() {
        QueryResults r = call().query(QueryRequest.newBuilder().setCollectionName(collection).setExpr("").addOutputFields("count(*)")
                .setConsistencyLevel(ConsistencyLevel.Strong).build());
        check(r.getStatus(), "count(*)");
        return r.getFieldsData(0).getScalars().getLongData().getData(0);
    }

    /** The versions each id returns (Strong): an id with no row is absent, one returned twice has two entries. */
    Map<Long, List<Long>> versions(long[] ids) {
        QueryResults r = call().query(QueryRequest.newBuilder().setCollectionName(collection).setExpr(inExpr(ids)).addOutputFields("ver")
                .setConsistencyLevel(ConsistencyLevel.Strong).build());
        check(r.getStatus(), "query " + inExpr(ids).length() + " chars of ids");
        List<Long> idCol = column(r.getFieldsDataList(), "id");
        List<Long> verCol = column(r.getFieldsDataList(), "ver");
        Map<Long, List<Long>> out = new HashMap<>();
        for (int i = 0; i < idCol.size(); i++) {
            out.computeIfAbsent(idCol.get(i), k -> new ArrayList<>()).add(i < verCol.size() ? verCol.get(i) : Long.MIN_VALUE);
        }
        return out;
    }

    private static List<Long> column(List<FieldData> fields, String name) {
        return fields.stream().filter(f -> f.getFieldName().equals(name)).findFirst()
                .map(f -> f.getScalars().getLongData().getDataList()).orElse(List.of());
    }

    /** The top-1 id of a search by {@code vector}, or empty when nothing came back. */
    OptionalLong top1(float[] vector, ConsistencyLevel level) {
        SearchResults r = call().search(searchRequest(vector, 1, level));
        check(r.getStatus(), "search");
        LongArray ids = r.getResults().getIds().getIntId();
        return ids.getDataCount() == 0 ? OptionalLong.empty() : OptionalLong.of(ids.getData(0));
    }

    /** Runs a prepared search; true when its status is success. */
    boolean searchOk(SearchRequest request) {
        return call().search(request).getStatus().getCode() == 0;
    }

    /** Runs a prepared search and returns the ids of its hits (all queries); IllegalStateException when its status is not success. */
    long[] hits(SearchRequest request) {
        SearchResults r = call().search(request);
        check(r.getStatus(), "search");
        return r.getResults().getIds().getIntId().getDataList().stream().mapToLong(Long::longValue).toArray();
    }

    SearchRequest searchRequest(float[] vector, int topk, ConsistencyLevel level) {
        return SearchRequest.newBuilder().setCollectionName(collection).setPlaceholderGroup(placeholders(List.of(vector))).setNq(1)
                .addSearchParams(kv("topk", Integer.toString(topk))).addSearchParams(kv("anns_field", "v"))
                .addSearchParams(kv("metric_type", metric)).addSearchParams(kv("params", "{\"ef\":" + ef + "}"))
                .setConsistencyLevel(level).build();
    }

    /** Sealed rows of this collection loaded on the querynodes (GetQuerySegmentInfo: one entry per segment) and the segment count. */
    long[] sealedRowsAndSegments() {
        GetQuerySegmentInfoResponse r = call().getQuerySegmentInfo(GetQuerySegmentInfoRequest.newBuilder().setCollectionName(collection).build());
        check(r.getStatus(), "GetQuerySegmentInfo");
        return new long[] {r.getInfosList().stream().mapToLong(x -> x.getNumRows()).sum(), r.getInfosCount()};
    }

    /** Flushed (non-L0) segments from GetPersistentSegmentInfo, or empty when the server does not answer it. */
    OptionalLong flushedSegments() {
        try {
            GetPersistentSegmentInfoResponse r = call().getPersistentSegmentInfo(
                    GetPersistentSegmentInfoRequest.newBuilder().setCollectionName(collection).build());
            if (r.getStatus().getCode() != 0) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(r.getInfosList().stream().filter(x -> x.getState() == SegmentState.Flushed && x.getLevel() != SegmentLevel.L0)
                    .count());
        } catch (StatusRuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The JSON of GetMetrics("system_info"). */
    String systemInfo() {
        GetMetricsResponse r = call().getMetrics(GetMetricsRequest.newBuilder().setRequest("{\"metric_type\":\"system_info\"}").build());
        check(r.getStatus(), "GetMetrics(system_info)");
        return r.getResponse();
    }
}
