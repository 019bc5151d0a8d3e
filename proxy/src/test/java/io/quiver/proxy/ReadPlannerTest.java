package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.PartitionInfo;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The read planner's decisions, on collections built here (no server). */
class ReadPlannerTest {
    private static final long PK = 100;
    private static final long VEC = 101;
    private static final long TAG = 102;

    private static final ReadTs TS = ReadTs.atTsafe(1);

    private final ReadPlanner planner = new ReadPlanner(16384, 16384);

    static CollectionInfo collection(ConsistencyLevel level, FieldSchema... extra) {
        CollectionSchema.Builder schema = CollectionSchema.newBuilder().setName("c")
                .addFields(FieldSchema.newBuilder().setFieldID(PK).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
                .addFields(FieldSchema.newBuilder().setFieldID(VEC).setName("vec").setDataType(DataType.FloatVector)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("2")))
                .addFields(FieldSchema.newBuilder().setFieldID(TAG).setName("tag").setDataType(DataType.VarChar)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("64")));
        for (FieldSchema f : extra) {
            schema.addFields(f);
        }
        return CollectionInfo.newBuilder().setCollectionId(7).setName("c").setSchema(schema).addVchannels("v0")
                .addPartitions(PartitionInfo.newBuilder().setPartitionId(11).setName("_default"))
                .addPartitions(PartitionInfo.newBuilder().setPartitionId(12).setName("p2"))
                .setConsistencyLevel(level).build();
    }

    private static ByteString queries(int nq) {
        PlaceholderValue.Builder v = PlaceholderValue.newBuilder().setTag("$0").setType(PlaceholderType.FloatVector);
        for (int i = 0; i < nq; i++) {
            v.addValues(ByteString.copyFrom(new byte[8]));
        }
        return PlaceholderGroup.newBuilder().addPlaceholders(v).build().toByteString();
    }

    private static SearchRequest search(int nq, String... outputs) {
        return SearchRequest.newBuilder().setCollectionName("c").setPlaceholderGroup(queries(nq)).addAllOutputFields(List.of(outputs)).build();
    }

    private static Map<String, String> params(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static ReadPlanner.LoadedState loaded(List<Long> partitions) {
        return new ReadPlanner.LoadedState(partitions, new IndexFacts(Map.of(VEC, "L2"), List.of(TAG)), 0);
    }

    @Test
    void consistencyLevelsChooseTheReadKind() {
        CollectionInfo bounded = collection(ConsistencyLevel.Bounded);
        assertThat(ReadPlanner.readKind(bounded, false, ConsistencyLevel.Strong)).isEqualTo(ReadTs.Kind.STRONG);
        assertThat(ReadPlanner.readKind(bounded, false, ConsistencyLevel.Session)).isEqualTo(ReadTs.Kind.SESSION);
        assertThat(ReadPlanner.readKind(bounded, false, ConsistencyLevel.Eventually)).isEqualTo(ReadTs.Kind.EVENTUALLY);
        assertThat(ReadPlanner.readKind(bounded, false, ConsistencyLevel.Bounded)).isEqualTo(ReadTs.Kind.BOUNDED);
        assertThat(ReadPlanner.readKind(bounded, false, ConsistencyLevel.Customized)).isEqualTo(ReadTs.Kind.BOUNDED);
        // the collection's own level when the request asks for the default
        assertThat(ReadPlanner.readKind(collection(ConsistencyLevel.Strong), true, ConsistencyLevel.Eventually)).isEqualTo(ReadTs.Kind.STRONG);
    }

    @Test
    void readKindsResolveToTimestamps() {
        ReadTs.Clock clock = new ReadTs.Clock() {
            @Override
            public long now() {
                return 1000L << 18;
            }

            @Override
            public long staleBy(long ms) {
                return (1000L - ms) << 18;
            }
        };
        assertThat(ReadTs.resolve(ReadTs.Kind.STRONG, 0, clock)).isEqualTo(new ReadTs(1000L << 18, 1000L << 18, true));
        assertThat(ReadTs.resolve(ReadTs.Kind.SESSION, 77, clock)).isEqualTo(new ReadTs(77, 0, false));
        assertThat(ReadTs.resolve(ReadTs.Kind.SESSION, 2, clock)).isEqualTo(new ReadTs(1, 0, false));
        assertThat(ReadTs.resolve(ReadTs.Kind.EVENTUALLY, 99, clock)).isEqualTo(new ReadTs(1, 0, false));
        assertThat(ReadTs.resolve(ReadTs.Kind.BOUNDED, 0, clock)).isEqualTo(new ReadTs((1000L - 5000) << 18, 0, false));
        assertThat(ReadTs.resolve(ReadTs.Kind.SNAPSHOT, 0, clock)).isEqualTo(new ReadTs(1000L << 18, 1000L << 18, false));
        assertThat(ReadTs.resolve(ReadTs.Kind.SNAPSHOT, 555, clock)).isEqualTo(new ReadTs(555, 555, false));
    }

    @Test
    void searchBoundsFailWithInvalidParameter() {
        CollectionInfo c = collection(ConsistencyLevel.Bounded);
        assertInvalid(() -> planner.checkSearch(c, search(1), params(), IndexFacts.NONE), "topk [-1] is invalid");
        assertInvalid(() -> planner.checkSearch(c, search(1), params("limit", "16385"), IndexFacts.NONE), "topk [16385] is invalid");
        assertInvalid(() -> planner.checkSearch(c, search(1), params("limit", "10", "offset", "16380"), IndexFacts.NONE),
                "(offset+limit) should be in range [1, 16384], but got 16390");
        assertInvalid(() -> planner.checkSearch(c, search(0), params("limit", "10"), IndexFacts.NONE), "nq [0] is invalid");
        assertInvalid(() -> planner.checkSearch(c, search(1), params("limit", "ten"), IndexFacts.NONE), "limit [ten] is invalid");
        assertInvalid(() -> planner.checkSearch(c, search(1), params("limit", "1", "metric_type", "XX"), IndexFacts.NONE),
                "metric type XX is not supported");
    }

    @Test
    void searchNeedsAVectorFieldItCanName() {
        FieldSchema second = FieldSchema.newBuilder().setFieldID(103).setName("vec2").setDataType(DataType.FloatVector)
                .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue("2")).build();
        CollectionInfo two = collection(ConsistencyLevel.Bounded, second);
        assertInvalid(() -> planner.checkSearch(two, search(1), params("limit", "1"), IndexFacts.NONE), "multiple anns_fields exist");
        assertThat(planner.checkSearch(two, search(1), params("limit", "1", "anns_field", "vec2"), IndexFacts.NONE).field().getFieldID()).isEqualTo(103);
        assertThatThrownBy(() -> planner.checkSearch(two, search(1), params("limit", "1", "anns_field", "tag"), IndexFacts.NONE))
                .isInstanceOf(QuiverException.class).extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.FIELD_NOT_FOUND);
    }

    @Test
    void theMetricComesFromTheIndexAndMustMatchIt() {
        CollectionInfo c = collection(ConsistencyLevel.Bounded);
        IndexFacts l2 = new IndexFacts(Map.of(VEC, "L2"), List.of());
        assertThat(planner.checkSearch(c, search(2), params("limit", "5"), l2)).isEqualTo(
                new ReadPlanner.SearchShape(c.getSchema().getFields(1), "L2", 5, 0, 2));
        assertThat(planner.checkSearch(c, search(1), params("limit", "5"), IndexFacts.NONE).metric()).isEqualTo("COSINE");
        assertThat(planner.checkSearch(c, search(1), params("limit", "5", "metric_type", "ip"), IndexFacts.NONE).metric()).isEqualTo("IP");
        assertThatThrownBy(() -> planner.checkSearch(c, search(1), params("limit", "5", "metric_type", "IP"), l2))
                .isInstanceOf(QuiverException.class).hasMessageContaining("[expected=L2][actual=IP]")
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.METRIC_TYPE_MISMATCH);
    }

    @Test
    void aSearchPlanCarriesPageOutputsAndPartitions() {
        CollectionInfo c = collection(ConsistencyLevel.Strong);
        Map<String, String> p = params("limit", "5", "offset", "3", "ef", "64", "round_decimal", "2");
        SearchRequest req = search(1, "tag").toBuilder().setUseDefaultConsistency(true).build();
        ReadPlanner.SearchShape shape = planner.checkSearch(c, req, p, loaded(List.of()).indexes());
        ReadPlanner.PlannedSearch s = planner.planSearch(c, req, p, shape, loaded(List.of()), ReadTs.strongAt(42));
        assertThat(s.plan().getTopk()).isEqualTo(8);
        assertThat(s.candidates()).isEqualTo(8);
        assertThat(s.plan().getPartitionIdsList()).containsExactly(11L, 12L);
        assertThat(s.plan().getOutputFieldIdsList()).containsExactly(TAG);
        assertThat(s.plan().getScalarIndexFieldIdsList()).containsExactly(TAG);
        assertThat(s.plan().getMetricType()).isEqualTo("L2");
        assertThat(s.outputNames()).containsExactly("tag");
        assertThat(s.roundDecimal()).isEqualTo(2);
        assertThat(s.iterator()).isNull();
        assertThat(s.plan().getGuaranteeTs()).isEqualTo(42);
        assertThat(s.plan().getMvccTs()).isEqualTo(42);
        assertThat(s.plan().getStrong()).isTrue();
    }

    @Test
    void partitionsMustExistAndBeLoaded() {
        CollectionInfo c = collection(ConsistencyLevel.Bounded);
        Map<String, String> p = params("limit", "5");
        SearchRequest req = search(1).toBuilder().addPartitionNames("p2").build();
        ReadPlanner.SearchShape shape = planner.checkSearch(c, req, p, IndexFacts.NONE);
        assertThatThrownBy(() -> planner.planSearch(c, req, p, shape, loaded(List.of(11L)), TS))
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.PARTITION_NOT_LOADED);
        assertThat(planner.planSearch(c, req, p, shape, loaded(List.of(11L, 12L)), TS).plan().getPartitionIdsList()).containsExactly(12L);
        SearchRequest missing = search(1).toBuilder().addPartitionNames("nope").build();
        assertThatThrownBy(() -> planner.planSearch(c, missing, p, shape, loaded(List.of()), TS))
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.PARTITION_NOT_FOUND);
        // a partition load reads its partitions only
        assertThat(planner.planSearch(c, search(1), p, shape, loaded(List.of(12L)), TS).plan().getPartitionIdsList()).containsExactly(12L);
    }

    @Test
    void groupByAddsItsFieldAndBoundsTheGroups() {
        CollectionInfo c = collection(ConsistencyLevel.Bounded);
        Map<String, String> p = params("limit", "4", "group_by_field", "tag", "group_size", "2");
        ReadPlanner.SearchShape shape = planner.checkSearch(c, search(1), p, IndexFacts.NONE);
        ReadPlanner.PlannedSearch s = planner.planSearch(c, search(1), p, shape, loaded(List.of()), TS);
        assertThat(s.group()).isNotNull();
        assertThat(s.plan().getOutputFieldIdsList()).containsExactly(TAG);
        assertThat(s.outputNames()).isEmpty(); // grouped on, not asked for
        assertThat(s.plan().getTopk()).isEqualTo(s.group().candidates());
        Map<String, String> tooMany = params("limit", "100", "group_by_field", "tag", "group_size", "1000");
        ReadPlanner.SearchShape big = planner.checkSearch(c, search(1), tooMany, IndexFacts.NONE);
        assertInvalid(() -> planner.planSearch(c, search(1), tooMany, big, loaded(List.of()), TS), "(topk * group_size) should be <= 16384");
    }

    @Test
    void rangeSearchAndIteratorPagesBoundTheScores() {
        CollectionInfo c = collection(ConsistencyLevel.Bounded);
        IndexFacts l2 = new IndexFacts(Map.of(VEC, "L2"), List.of());
        Map<String, String> bad = params("limit", "5", "radius", "1.0", "range_filter", "2.0");
        ReadPlanner.SearchShape shape = planner.checkSearch(c, search(1), bad, l2);
        ReadPlanner.LoadedState state = new ReadPlanner.LoadedState(List.of(), l2, 0);
        assertInvalid(() -> planner.planSearch(c, search(1), bad, shape, state, TS), "range_filter must be less than radius");
        Map<String, String> page = params("limit", "5", "search_iter_v2", "true", "search_iter_id", "t1", "search_iter_last_bound", "0.5");
        ReadPlanner.PlannedSearch s = planner.planSearch(c, search(1), page, shape, state, TS);
        assertThat(s.iterator()).isEqualTo(new ReadPlanner.IteratorPage("t1", 0.5f));
        assertThat(s.plan().getHasRangeFilter()).isTrue();
        assertThat(s.plan().getRangeFilter()).isEqualTo(Math.nextUp(0.5f));
        assertThat(s.plan().getRadius()).isEqualTo(Float.POSITIVE_INFINITY);
    }

    @Test
    void queryBoundsFailWithInvalidParameter() {
        QueryRequest count = QueryRequest.newBuilder().addOutputFields("count(*)").addOutputFields("tag").build();
        assertInvalid(() -> planner.checkQuery(count, params()), "count entities with pagination is not allowed");
        assertInvalid(() -> planner.checkQuery(QueryRequest.getDefaultInstance(), params()), "empty expression should be used with limit");
        assertInvalid(() -> planner.checkQuery(QueryRequest.newBuilder().setExpr("id > 0").build(), params("limit", "10", "offset", "16380")),
                "invalid max query result window");
        assertInvalid(() -> planner.checkQuery(QueryRequest.newBuilder().setExpr("id > 0").build(), params("offset", "-1")),
                "offset [-1] is invalid");
    }

    @Test
    void aQueryPlanPutsThePrimaryKeyFirstAndIteratorsReadOneSnapshot() {
        CollectionInfo c = collection(ConsistencyLevel.Bounded);
        QueryRequest req = QueryRequest.newBuilder().setExpr("id > 0").addOutputFields("tag").setUseDefaultConsistency(true).build();
        Map<String, String> p = params("limit", "10", "offset", "5");
        ReadPlanner.PlannedQuery q = planner.planQuery(c, req, p, planner.checkQuery(req, p), loaded(List.of()), TS);
        assertThat(q.plan().getOutputFieldIdsList()).containsExactly(PK, TAG);
        assertThat(q.outputNames()).containsExactly("tag", "id");
        assertThat(q.plan().getLimit()).isEqualTo(15);
        assertThat(ReadPlanner.queryReadKind(c, req, p)).isEqualTo(ReadTs.Kind.BOUNDED);
        assertThat(ReadPlanner.queryReadKind(c, req, params("limit", "10", "iterator", "true"))).isEqualTo(ReadTs.Kind.SNAPSHOT);
        QueryRequest count = QueryRequest.newBuilder().addOutputFields("count(*)").build();
        ReadPlanner.PlannedQuery counted = planner.planQuery(c, count, params(), planner.checkQuery(count, params()), loaded(List.of()), TS);
        assertThat(counted.plan().getCountOnly()).isTrue();
        assertThat(counted.outputs()).isEmpty();
    }

    @Test
    void nqIsTheFirstPlaceholdersValueCount() {
        assertThat(ReadPlanner.queryCount(search(3))).isEqualTo(3);
        PlaceholderGroup two = PlaceholderGroup.newBuilder()
                .addPlaceholders(PlaceholderValue.newBuilder().setTag("$0").addValues(ByteString.copyFromUtf8("ab")).addValues(ByteString.EMPTY))
                .addPlaceholders(PlaceholderValue.newBuilder().setTag("$1").addValues(ByteString.EMPTY))
                .build();
        assertThat(ReadPlanner.queryCount(SearchRequest.newBuilder().setPlaceholderGroup(two.toByteString()).build())).isEqualTo(2);
        assertThat(ReadPlanner.queryCount(SearchRequest.getDefaultInstance())).isZero();
        assertInvalid(() -> ReadPlanner.queryCount(SearchRequest.newBuilder().setPlaceholderGroup(ByteString.copyFrom(new byte[] {10, 50, 1})).build()),
                "placeholder group is not a valid PlaceholderGroup");
    }

    @Test
    void unknownOutputFieldsNeedADynamicField() {
        CollectionInfo c = collection(ConsistencyLevel.Bounded);
        assertThatThrownBy(() -> ReadPlanner.outputFields(c.getSchema(), List.of("nope"), new HashSet<>()))
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.FIELD_NOT_FOUND);
        Set<String> names = new LinkedHashSet<>();
        assertThat(ReadPlanner.outputFields(c.getSchema(), List.of("*"), names)).hasSize(3);
        assertThat(names).containsExactly("id", "vec", "tag");
    }

    @Test
    void integerParametersMustBeIntegers() {
        assertThat(ReadPlanner.param(Map.of("topk", " 7 "), "topk", -1)).isEqualTo(7);
        assertThat(ReadPlanner.param(Map.of(), "topk", -1)).isEqualTo(-1);
        for (String bad : List.of("1.5", "10.0", "1e3", "NaN", "Infinity", "abc", "9223372036854775808")) { // issue 14: topk "1.5" was taken as 1
            assertInvalid(() -> ReadPlanner.param(Map.of("topk", bad), "topk", -1), "topk [" + bad + "] is invalid, it should be an integer");
        }
    }

    @Test
    void aNegativeQueryLimitIsRefused() {
        ReadPlanner planner = new ReadPlanner(16384, 16384);
        QueryRequest req = QueryRequest.newBuilder().setCollectionName("c").setExpr("id > 0").build();
        assertInvalid(() -> planner.checkQuery(req, Map.of("limit", "-1")), "limit [-1] is invalid, it should be greater than 0");
        assertInvalid(() -> planner.checkQuery(req, Map.of("limit", "16385")), "(offset+limit) should be in range [1, 16384]");
        assertThat(planner.checkQuery(req, Map.of()).limit()).isEqualTo(-1);
    }

    private static void assertInvalid(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(QuiverException.class).hasMessageContaining(message)
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID);
    }
}
