package io.quiver.proxy;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.IDs;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.TemplateValue;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.expr.ExprPlanner;
import io.quiver.common.schema.Schemas;
import io.quiver.index.MetricType;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.QueryPlan;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.plan.ColumnInfo;
import io.quiver.proto.plan.GenericValue;
import io.quiver.proto.plan.PlanExpr;
import io.quiver.proto.plan.TermExpr;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a search or query request into a plan the shard leaders execute (Milvus' proxy {@code task_search.go}
 * PreExecute): the anns field and its metric, top-k/offset/nq and group-by bounds, the filter, partitions (pruned by
 * a partition key the filter pins), output fields, and which kind of read timestamp the consistency level asks for.
 * No I/O: what it needs of the cluster (the collection, its loaded partitions, its indexes, the TTL's expire
 * timestamp) is passed in, so every decision is unit tested without a server. Bad input fails with the Milvus
 * status the SDKs expect.
 *
 * <p>A request is checked in two steps, as before the split: {@link #checkSearch}/{@link #checkQuery} validate what
 * needs no loaded state, then the caller fetches the shard leaders (a collection that is not loaded fails there),
 * then {@link #planSearch}/{@link #planQuery} resolve partitions, filter and output fields against the loaded state.
 */
public final class ReadPlanner {
    /** {@code PlaceholderGroup.placeholders} and {@code PlaceholderValue.values} on the wire: length-delimited fields. */
    private static final int PLACEHOLDERS_TAG = lengthDelimited(PlaceholderGroup.PLACEHOLDERS_FIELD_NUMBER);
    private static final int VALUES_TAG = lengthDelimited(PlaceholderValue.VALUES_FIELD_NUMBER);

    private final int maxTopK;
    private final int maxNq;

    ReadPlanner(int maxTopK, int maxNq) {
        this.maxTopK = maxTopK;
        this.maxNq = maxNq;
    }

    /** What {@link #checkSearch} settled: the vector field, its metric, the page and the number of queries. */
    record SearchShape(FieldSchema field, String metric, int topk, int offset, int nq) {
        boolean ascending() {
            return metric.equals("L2") || metric.equals("HAMMING") || metric.equals("JACCARD");
        }
    }

    /** What {@link #checkQuery} settled: limit (-1: none), offset, and whether only {@code count(*)} is asked. */
    record QueryShape(long limit, long offset, boolean count) {}

    /** What the cluster tells the planner about a collection at read time. */
    record LoadedState(List<Long> loadedPartitionIds, IndexFacts indexes, long expireTs) {}

    /** Server-assisted search iterator (v2) paging: the token and the previous page's bound, if any. */
    record IteratorPage(String token, Float lastBound) {}

    /** A planned search: the shard plan, its read timestamps, and what the result assembler needs to shape the response. */
    record PlannedSearch(SearchPlan plan, ReadTs ts, SearchShape shape, int roundDecimal, GroupBy group, List<Long> outputFieldIds,
                         Set<String> outputNames, List<String> askedFields, boolean starWithDynamic, IteratorPage iterator) {
        /** How many hits per query the shards return and the reduce keeps (offset included; more when grouping). */
        int candidates() {
            return group == null ? shape.offset() + shape.topk() : group.candidates();
        }
    }

    /** A planned query: the shard plan, its read timestamps and the output columns. */
    record PlannedQuery(QueryPlan plan, ReadTs ts, QueryShape shape, List<FieldSchema> outputs, Set<String> outputNames) {}

    /**
     * The read kind of a query: a query iterator's pages read one snapshot (the first page a fresh one, returned as
     * session_ts; every later page exactly that timestamp, each once tSafe passed it); else as the consistency level.
     */
    static ReadTs.Kind queryReadKind(CollectionInfo c, QueryRequest req, Map<String, String> p) {
        return Boolean.parseBoolean(p.getOrDefault("iterator", "false")) ? ReadTs.Kind.SNAPSHOT
                : readKind(c, req.getUseDefaultConsistency(), req.getConsistencyLevel());
    }

    /** The read kind of a consistency level ({@code useDefault}: the collection's own level). */
    static ReadTs.Kind readKind(CollectionInfo c, boolean useDefault, ConsistencyLevel level) {
        ConsistencyLevel l = useDefault ? c.getConsistencyLevel() : level;
        return switch (l) {
            case Strong -> ReadTs.Kind.STRONG;
            case Session -> ReadTs.Kind.SESSION;
            case Eventually -> ReadTs.Kind.EVENTUALLY;
            default -> ReadTs.Kind.BOUNDED;
        };
    }

    SearchShape checkSearch(CollectionInfo c, SearchRequest req, Map<String, String> p, IndexFacts indexes) {
        CollectionSchema schema = c.getSchema();
        String annsName = p.getOrDefault("anns_field", "");
        FieldSchema field;
        if (annsName.isBlank()) {
            List<FieldSchema> vectors = Schemas.vectorFields(schema);
            if (vectors.size() != 1) {
                throw QuiverException.invalid("multiple anns_fields exist, please specify a anns_field in search_params");
            }
            field = vectors.get(0);
        } else {
            field = Schemas.byName(schema, annsName).filter(f -> Schemas.isVector(f.getDataType()))
                    .orElseThrow(() -> new QuiverException(ErrorCode.FIELD_NOT_FOUND, "failed to get field schema by name: fieldName(" + annsName + ") not found"));
        }
        long topk = param(p, "topk", param(p, "limit", -1));
        if (topk <= 0 || topk > maxTopK) {
            throw QuiverException.invalid("topk [%d] is invalid, it should be in range [1, %d]", topk, maxTopK);
        }
        long offset = param(p, "offset", 0);
        if (offset < 0 || offset + topk > maxTopK) {
            throw QuiverException.invalid("(offset+limit) should be in range [1, %d], but got %d", maxTopK, offset + topk);
        }
        int nq = queryCount(req);
        if (nq <= 0 || nq > maxNq) {
            throw QuiverException.invalid("nq [%d] is invalid, it should be in range [1, %d]", nq, maxNq);
        }
        return new SearchShape(field, metricOf(field, p.get("metric_type"), indexes), (int) topk, (int) offset, nq);
    }

    /**
     * The number of query vectors: the values of the first placeholder. Counted by walking the wire format (every
     * field is still checked) instead of parsing, which would copy every query vector once more.
     */
    private static int lengthDelimited(int fieldNumber) {
        return fieldNumber << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    public static int queryCount(SearchRequest req) {
        try {
            CodedInputStream in = req.getPlaceholderGroup().newCodedInput();
            int nq = -1;
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (tag != PLACEHOLDERS_TAG) {
                    in.skipField(tag);
                    continue;
                }
                int limit = in.pushLimit(in.readRawVarint32());
                int values = 0;
                for (int t = in.readTag(); t != 0; t = in.readTag()) {
                    values += t == VALUES_TAG ? 1 : 0;
                    in.skipField(t);
                }
                in.popLimit(limit);
                nq = nq < 0 ? values : nq;
            }
            return Math.max(0, nq);
        } catch (IOException e) { // malformed bytes (the input is in memory: nothing else can fail)
            throw QuiverException.invalid("placeholder group is not a valid PlaceholderGroup");
        }
    }

    PlannedSearch planSearch(CollectionInfo c, SearchRequest req, Map<String, String> p, SearchShape shape, LoadedState loaded, ReadTs ts) {
        CollectionSchema schema = c.getSchema();
        Scope scope = scope(c, req.getPartitionNamesList(), req.getDsl(), req.getExprTemplateValuesMap(), loaded);
        Set<String> outNames = new LinkedHashSet<>();
        List<FieldSchema> out = outputFields(schema, req.getOutputFieldsList(), outNames);
        boolean starWithDynamic = req.getOutputFieldsList().contains("*") && schema.getEnableDynamicField();
        GroupBy group = GroupBy.of(schema, p, shape.offset() + shape.topk(), maxTopK);
        if (group != null && out.stream().noneMatch(f -> f.getFieldID() == group.field().getFieldID())) {
            out = new ArrayList<>(out);
            out.add(group.field()); // needed to group; dropped from the response unless asked for
        }
        List<Long> outIds = fieldIds(out);
        SearchPlan.Builder plan = SearchPlan.newBuilder().setCollectionId(c.getCollectionId()).addAllPartitionIds(scope.partitionIds())
                .setAnnsFieldId(shape.field().getFieldID()).setMetricType(shape.metric())
                .setTopk(group == null ? shape.offset() + shape.topk() : group.candidates()).setNq(shape.nq())
                .setPlaceholderGroup(req.getPlaceholderGroup()).setFilter(scope.filter()).addAllOutputFieldIds(outIds)
                .setExpireTs(loaded.expireTs()).setIgnoreGrowing(Boolean.parseBoolean(p.getOrDefault("ignore_growing", "false")))
                .addAllScalarIndexFieldIds(loaded.indexes().scalarIndexedFieldIds())
                .setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong());
        for (Map.Entry<String, String> e : p.entrySet()) {
            plan.addSearchParams(KeyValuePair.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        }
        IteratorPage iterator = rangeAndIterator(plan, p, shape.ascending());
        int round = (int) param(p, "round_decimal", -1);
        return new PlannedSearch(plan.build(), ts, shape, round, group, outIds, outNames,
                req.getOutputFieldsList(), starWithDynamic, iterator);
    }

    /** Which partitions a read covers and which rows in them it keeps. */
    private record Scope(List<Long> partitionIds, PlanExpr filter) {}

    /** The named (else loaded) partitions, the filter, and the partitions a partition key the filter pins leaves. */
    private static Scope scope(CollectionInfo c, List<String> partitionNames, String expr, Map<String, TemplateValue> templates,
                               LoadedState loaded) {
        List<Long> partitionIds = partitionIds(c, partitionNames, loaded.loadedPartitionIds());
        PlanExpr filter = ExprPlanner.plan(expr, c.getSchema(), templates);
        return new Scope(pruneByPartitionKey(c, filter, partitionIds, !partitionNames.isEmpty()), filter);
    }

    /** Range search bounds and the v2 iterator's next page (everything strictly worse than the last page's bound). */
    private static IteratorPage rangeAndIterator(SearchPlan.Builder plan, Map<String, String> p, boolean ascending) {
        if (p.containsKey("radius")) {
            float radius = parseFloat(p, "radius");
            plan.setHasRange(true).setRadius(radius);
            if (p.containsKey("range_filter")) {
                float rf = parseFloat(p, "range_filter");
                if (ascending && rf >= radius) {
                    throw QuiverException.invalid("range_filter must be less than radius for L2/HAMMING/JACCARD, got radius %s range_filter %s", radius, rf);
                }
                if (!ascending && rf <= radius) {
                    throw QuiverException.invalid("range_filter must be greater than radius for IP/COSINE, got radius %s range_filter %s", radius, rf);
                }
                plan.setHasRangeFilter(true).setRangeFilter(rf);
            }
        }
        if (!Boolean.parseBoolean(p.getOrDefault("search_iter_v2", "false"))) {
            return null;
        }
        Float last = null;
        if (p.containsKey("search_iter_last_bound")) {
            float bound = parseFloat(p, "search_iter_last_bound");
            last = bound;
            if (ascending) {
                plan.setHasRange(true).setRadius(Float.POSITIVE_INFINITY).setHasRangeFilter(true).setRangeFilter(Math.nextUp(bound));
            } else {
                plan.setHasRange(true).setRadius(Float.NEGATIVE_INFINITY).setHasRangeFilter(true).setRangeFilter(Math.nextDown(bound));
            }
        }
        return new IteratorPage(p.getOrDefault("search_iter_id", ""), last);
    }

    QueryShape checkQuery(QueryRequest req, Map<String, String> p) {
        long limit = param(p, "limit", -1);
        long offset = param(p, "offset", 0);
        boolean count = req.getOutputFieldsList().stream().anyMatch(f -> f.trim().equalsIgnoreCase("count(*)"));
        if (count && req.getOutputFieldsCount() > 1) {
            throw QuiverException.invalid("count entities with pagination is not allowed");
        }
        if (!count && req.getExpr().isBlank() && limit <= 0) {
            throw QuiverException.invalid("empty expression should be used with limit");
        }
        if (limit > 0 && offset + limit > maxTopK) {
            throw QuiverException.invalid("invalid max query result window, (offset+limit) should be in range [1, %d], but got %d", maxTopK, offset + limit);
        }
        if (offset < 0) {
            throw QuiverException.invalid("offset [%d] is invalid, it should be >= 0", offset);
        }
        if (p.containsKey("limit") && !p.get("limit").isBlank() && limit < 0) {
            throw QuiverException.invalid("limit [%d] is invalid, it should be greater than 0", limit);
        }
        return new QueryShape(limit, offset, count);
    }

    PlannedQuery planQuery(CollectionInfo c, QueryRequest req, Map<String, String> p, QueryShape shape, LoadedState loaded, ReadTs ts) {
        CollectionSchema schema = c.getSchema();
        Scope scope = scope(c, req.getPartitionNamesList(), req.getExpr(), req.getExprTemplateValuesMap(), loaded);
        Set<String> outNames = new LinkedHashSet<>();
        List<FieldSchema> out = shape.count() ? List.of()
                : withPrimaryKey(schema, outputFields(schema, req.getOutputFieldsList().isEmpty() ? List.of("*") : req.getOutputFieldsList(), outNames), outNames);
        QueryPlan plan = QueryPlan.newBuilder().setCollectionId(c.getCollectionId()).addAllPartitionIds(scope.partitionIds()).setFilter(scope.filter())
                .addAllOutputFieldIds(fieldIds(out)).setLimit(shape.limit() > 0 ? shape.offset() + shape.limit() : -1)
                .setCountOnly(shape.count()).setExpireTs(loaded.expireTs())
                .setIgnoreGrowing(Boolean.parseBoolean(p.getOrDefault("ignore_growing", "false")))
                .addAllScalarIndexFieldIds(loaded.indexes().scalarIndexedFieldIds())
                .setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong()).build();
        return new PlannedQuery(plan, ts, shape, out, outNames);
    }

    /** Rows by primary key with output fields, read Strong (hybrid search's fetch of the fused hits). */
    PlannedQuery planFetch(CollectionInfo c, IDs ids, List<String> outputFields, List<String> partitions, LoadedState loaded, ReadTs ts) {
        FieldSchema pk = Schemas.primaryKey(c.getSchema());
        TermExpr.Builder term = TermExpr.newBuilder().setColumnInfo(
                ColumnInfo.newBuilder().setFieldId(pk.getFieldID()).setDataType(pk.getDataType()).setIsPrimaryKey(true));
        int n = FieldDatas.idCount(ids);
        for (int i = 0; i < n; i++) {
            Object k = FieldDatas.id(ids, i);
            term.addValues(k instanceof Long l ? GenericValue.newBuilder().setInt64Val(l).build() : GenericValue.newBuilder().setStringVal((String) k).build());
        }
        Set<String> outNames = new LinkedHashSet<>();
        List<FieldSchema> out = withPrimaryKey(c.getSchema(), outputFields(c.getSchema(), outputFields, outNames), outNames);
        QueryPlan plan = QueryPlan.newBuilder().setCollectionId(c.getCollectionId())
                .addAllPartitionIds(partitionIds(c, partitions, loaded.loadedPartitionIds()))
                .setFilter(PlanExpr.newBuilder().setTermExpr(term)).addAllOutputFieldIds(fieldIds(out))
                .setLimit(-1).setExpireTs(loaded.expireTs()).setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong()).build();
        return new PlannedQuery(plan, ts, new QueryShape(-1, 0, false), out, outNames);
    }

    /**
     * The primary keys matching a filter, read Strong (delete by expression). No expire_ts: TTL only hides rows, and
     * a delete must still hold when the TTL is lowered or removed.
     */
    static QueryPlan planMatching(CollectionInfo c, PlanExpr filter, long partitionId, List<Long> loadedPartitionIds, ReadTs ts) {
        return QueryPlan.newBuilder().setCollectionId(c.getCollectionId()).setFilter(filter)
                .addAllPartitionIds(partitionId >= 0 ? List.of(partitionId) : loadedPartitionIds).setLimit(-1)
                .setGuaranteeTs(ts.guaranteeTs()).setMvccTs(ts.mvccTs()).setStrong(ts.strong()).build();
    }

    /** The metric a (sub-)search uses: given, else the index's (for its anns field; the first vector field if unnamed). */
    static String metricFor(CollectionInfo c, Map<String, String> searchParams, IndexFacts indexes) {
        String anns = searchParams.getOrDefault("anns_field", "");
        List<FieldSchema> vectors = Schemas.vectorFields(c.getSchema());
        FieldSchema field = anns.isBlank() ? vectors.get(0) : Schemas.byName(c.getSchema(), anns).orElse(vectors.get(0));
        return metricOf(field, searchParams.get("metric_type"), indexes);
    }

    static String metricOf(FieldSchema field, String given, IndexFacts indexes) {
        String indexMetric = indexes.metricOf(field.getFieldID());
        if (given != null && !given.isBlank()) {
            String g = given.trim().toUpperCase();
            try {
                MetricType.parse(g);
            } catch (IllegalArgumentException e) {
                throw QuiverException.invalid("metric type %s is not supported", given);
            }
            if (field.getIsFunctionOutput() && !g.equals("BM25")) {
                throw QuiverException.invalid("must use BM25 metric type when searching against BM25 Function output field %s, got %s",
                        field.getName(), given);
            }
            if (field.getDataType() == DataType.SparseFloatVector && !field.getIsFunctionOutput() && !g.equals("IP")) {
                throw QuiverException.invalid("metric type %s is not supported for sparse float vector field %s, supported: [IP]%s", given,
                        field.getName(), g.equals("BM25") ? " (BM25 applies to the output field of a BM25 function)" : "");
            }
            if (indexMetric != null && !indexMetric.equals(g)) {
                throw new QuiverException(ErrorCode.METRIC_TYPE_MISMATCH, "metric type not match: invalid parameter[expected=" + indexMetric
                        + "][actual=" + g + "]");
            }
            return g;
        }
        if (indexMetric != null) {
            return indexMetric;
        }
        return switch (field.getDataType()) {
            case BinaryVector -> "HAMMING";
            case SparseFloatVector -> field.getIsFunctionOutput() ? "BM25" : "IP";
            default -> "COSINE";
        };
    }

    static long param(Map<String, String> p, String key, long dflt) {
        String v = p.get(key);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim()); // as Milvus (ParseInt): "1.5", "1e3" and "10.0" are not integers
        } catch (NumberFormatException e) {
            throw QuiverException.invalid("%s [%s] is invalid, it should be an integer", key, v);
        }
    }

    static float parseFloat(Map<String, String> p, String key) {
        try {
            return Float.parseFloat(p.get(key).trim());
        } catch (NumberFormatException e) {
            throw QuiverException.invalid("%s [%s] is invalid, it should be a number", key, p.get(key));
        }
    }

    /**
     * Partition ids by name. None named: a partition load's partitions, or for a whole-collection load the
     * partitions that exist now (never a dropped one, whose rows may still sit in the WAL the shard leaders replay).
     */
    static List<Long> partitionIds(CollectionInfo c, List<String> names, List<Long> loaded) {
        List<Long> out = new ArrayList<>();
        for (String n : names) {
            long id = partitionId(c, n);
            if (!loaded.isEmpty() && !loaded.contains(id)) {
                throw new QuiverException(ErrorCode.PARTITION_NOT_LOADED, "partition=" + n);
            }
            out.add(id);
        }
        if (out.isEmpty()) {
            if (!loaded.isEmpty()) {
                out.addAll(loaded);
            } else {
                for (PartitionInfo p : c.getPartitionsList()) {
                    out.add(p.getPartitionId());
                }
            }
        }
        return out;
    }

    private static long partitionId(CollectionInfo c, String name) {
        for (PartitionInfo p : c.getPartitionsList()) {
            if (p.getName().equals(name)) {
                return p.getPartitionId();
            }
        }
        throw new QuiverException(ErrorCode.PARTITION_NOT_FOUND, "partition=" + name);
    }

    /** Output fields by name: "*" = every field; unknown names become dynamic keys (served from $meta). */
    static List<FieldSchema> outputFields(CollectionSchema schema, List<String> names, Set<String> outNames) {
        LinkedHashSet<FieldSchema> out = new LinkedHashSet<>();
        for (String n : names) {
            String name = n.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (name.equals("*")) {
                for (FieldSchema f : schema.getFieldsList()) {
                    if (f.getIsFunctionOutput()) {
                        continue; // a BM25 function's term counts are not data users wrote: Milvus' '*' leaves them out
                    }
                    out.add(f);
                    if (!f.getIsDynamic()) {
                        outNames.add(f.getName());
                    }
                }
                continue;
            }
            var f = Schemas.byName(schema, name);
            if (f.isPresent() && f.get().getIsFunctionOutput()) {
                throw QuiverException.invalid("not allowed to retrieve raw data of field %s", name);
            }
            if (f.isPresent()) {
                out.add(f.get());
                outNames.add(name);
            } else if (schema.getEnableDynamicField()) {
                Schemas.dynamicField(schema).ifPresent(out::add);
                outNames.add(name);
            } else {
                throw new QuiverException(ErrorCode.FIELD_NOT_FOUND, "field " + name + " not exist");
            }
        }
        return new ArrayList<>(out);
    }

    /** Query results always carry the primary key: first, unless already asked for. */
    private static List<FieldSchema> withPrimaryKey(CollectionSchema schema, List<FieldSchema> out, Set<String> outNames) {
        FieldSchema pk = Schemas.primaryKey(schema);
        if (out.stream().noneMatch(f -> f.getFieldID() == pk.getFieldID())) {
            out.add(0, pk);
            outNames.add(pk.getName());
        }
        return out;
    }

    private static List<Long> fieldIds(List<FieldSchema> fields) {
        List<Long> ids = new ArrayList<>(fields.size());
        for (FieldSchema f : fields) {
            ids.add(f.getFieldID());
        }
        return ids;
    }

    /** With a partition key, a filter that pins the key narrows the read to the partitions its values hash to. */
    static List<Long> pruneByPartitionKey(CollectionInfo c, PlanExpr filter, List<Long> partitionIds, boolean explicit) {
        FieldSchema key = c.getSchema().getFieldsList().stream().filter(FieldSchema::getIsPartitionKey).findFirst().orElse(null);
        if (key == null || explicit) {
            return partitionIds;
        }
        var pruned = PartitionKeys.prune(filter, key, c.getPartitionsCount());
        if (pruned.isEmpty()) {
            return partitionIds;
        }
        List<Long> out = new ArrayList<>();
        for (int i : pruned.get()) {
            long id = c.getPartitions(i).getPartitionId();
            if (partitionIds.isEmpty() || partitionIds.contains(id)) {
                out.add(id);
            }
        }
        return out.isEmpty() ? List.of(-1L) : out; // -1: no partition can match; searches nothing
    }
}
