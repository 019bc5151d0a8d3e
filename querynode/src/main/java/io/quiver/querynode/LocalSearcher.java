package io.quiver.querynode;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.IDs;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.PlaceholderGroup;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.StringArray;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Params;
import io.quiver.common.schema.Schemas;
import io.quiver.index.MetricType;
import io.quiver.index.simd.VectorUtil;
import io.quiver.proto.QueryPlan;
import io.quiver.proto.SearchPlan;
import io.quiver.proto.ShardQueryResponse;
import io.quiver.proto.ShardSearchResponse;
import io.quiver.common.error.Statuses;
import io.grpc.Context;
import io.quiver.common.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Executes search and query plans over segments held by this querynode. */
public final class LocalSearcher {
    private LocalSearcher() {}

    static boolean ascending(String metric) {
        MetricType m = MetricType.parse(metric);
        return m == MetricType.L2 || m == MetricType.HAMMING || m == MetricType.JACCARD;
    }

    static SegmentSearch.Request decode(SearchPlan plan, CollectionSchema schema) {
        FieldSchema field = Schemas.byId(schema, plan.getAnnsFieldId())
                .orElseThrow(() -> QuiverException.invalid("anns field %d not in schema", plan.getAnnsFieldId()));
        MetricType metric = MetricType.parse(plan.getMetricType());
        int dim = Schemas.dim(field);
        PlaceholderGroup pg;
        try {
            pg = PlaceholderGroup.parseFrom(plan.getPlaceholderGroup());
        } catch (InvalidProtocolBufferException e) {
            throw QuiverException.invalid("placeholder group is not a valid PlaceholderGroup");
        }
        if (pg.getPlaceholdersCount() != 1) {
            throw QuiverException.invalid("expected one placeholder, got %d", pg.getPlaceholdersCount());
        }
        PlaceholderValue pv = pg.getPlaceholders(0);
        int nq = pv.getValuesCount();
        float[] queries = null;
        byte[] binary = null;
        if (pv.getType() == PlaceholderType.FloatVector) {
            queries = new float[nq * dim];
            for (int q = 0; q < nq; q++) {
                ByteString v = pv.getValues(q);
                if (v.size() != dim * 4) {
                    throw QuiverException.invalid("the dimension of query vector %d is %d, but the field %s has dim %d", q, v.size() / 4, field.getName(), dim);
                }
                ByteBuffer bb = v.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < dim; j++) {
                    float x = bb.getFloat();
                    if (!Float.isFinite(x)) {
                        throw QuiverException.invalid("query vector %d contains NaN or infinity", q);
                    }
                    queries[q * dim + j] = x;
                }
                if (metric == MetricType.COSINE) {
                    VectorUtil.normalize(queries, q * dim, dim);
                }
            }
        } else if (pv.getType() == PlaceholderType.BinaryVector) {
            int w = dim / 8;
            binary = new byte[nq * w];
            for (int q = 0; q < nq; q++) {
                ByteString v = pv.getValues(q);
                if (v.size() != w) {
                    throw QuiverException.invalid("the dimension of binary query vector %d is %d bits, but the field %s has dim %d", q, v.size() * 8, field.getName(), dim);
                }
                v.copyTo(binary, q * w);
            }
        } else {
            throw QuiverException.invalid("placeholder type %s is not supported", pv.getType());
        }
        Map<String, String> params = new HashMap<>(Params.flatten(plan.getSearchParamsList()));
        return new SegmentSearch.Request(field, metric, nq, queries, binary, dim, (int) plan.getTopk(), params,
                plan.hasFilter() ? plan.getFilter() : null, plan.getMvccTs(), plan.getHasRange(), plan.getRadius(),
                plan.getHasRangeFilter() ? plan.getRangeFilter() : Float.NaN, java.util.Set.copyOf(plan.getScalarIndexFieldIdsList()));
    }

    public static ShardSearchResponse search(List<Segment> segments, SearchPlan plan, CollectionSchema schema) {
        SegmentSearch.Request r = decode(plan, schema);
        TopK[] heaps = new TopK[r.nq()];
        for (int q = 0; q < r.nq(); q++) {
            heaps[q] = new TopK(r.topk(), r.ascending());
        }
        long searched = 0;
        for (int s = 0; s < segments.size(); s++) {
            if (Context.current().isCancelled()) {
                throw new QuiverException(ErrorCode.CANCELED, "search cancelled or deadline exceeded");
            }
            SegmentSearch.search(segments.get(s), s, r, heaps);
            searched += segments.get(s).rowCount();
        }
        ShardSearchResponse.Builder b = ShardSearchResponse.newBuilder().setStatus(Statuses.success()).setNq(r.nq()).setTopk(r.topk());
        float[] scores = new float[Math.max(1, r.topk())];
        long[] tags = new long[Math.max(1, r.topk())];
        List<long[]> hits = new ArrayList<>();
        List<Float> hitScores = new ArrayList<>();
        for (int q = 0; q < r.nq(); q++) {
            int n = heaps[q].drain(scores, tags);
            b.addTopks(n);
            for (int i = 0; i < n; i++) {
                hits.add(new long[] {tags[i] >>> 32, tags[i] & 0xffffffffL});
                hitScores.add(scores[i]);
            }
        }
        hitScores.forEach(b::addScores);
        fillRows(b, segments, hits, plan.getOutputFieldIdsList(), schema);
        b.setSearchedRows(searched);
        return b.build();
    }

    /** Adds ids and output fields (row-aligned) for hits given as (segment ordinal, row). */
    private static void fillRows(ShardSearchResponse.Builder b, List<Segment> segments, List<long[]> hits, List<Long> outputFieldIds,
                                 CollectionSchema schema) {
        int n = hits.size();
        Map<Integer, List<Integer>> bySegment = new HashMap<>();
        int[] partOf = new int[n];
        int[] rowOf = new int[n];
        for (int i = 0; i < n; i++) {
            int seg = (int) hits.get(i)[0];
            List<Integer> l = bySegment.computeIfAbsent(seg, k -> new ArrayList<>());
            partOf[i] = seg;
            rowOf[i] = l.size();
            l.add((int) hits.get(i)[1]);
        }
        // segments with no hit still need an (empty) part so that every part has every field
        List<Integer> segOrder = new ArrayList<>(bySegment.keySet());
        Map<Integer, Integer> partIndex = new HashMap<>();
        for (int i = 0; i < segOrder.size(); i++) {
            partIndex.put(segOrder.get(i), i);
        }
        int[] po = new int[n];
        for (int i = 0; i < n; i++) {
            po[i] = partIndex.get(partOf[i]);
        }
        List<IDs> idParts = new ArrayList<>();
        for (int seg : segOrder) {
            idParts.add(ids(segments.get(seg), bySegment.get(seg)));
        }
        b.setIds(n == 0 ? emptyIds(schema) : io.quiver.common.column.FieldDatas.gatherIds(idParts, po, rowOf, n));
        for (long fid : outputFieldIds) {
            FieldSchema f = Schemas.byId(schema, fid).orElseThrow();
            List<FieldData> parts = new ArrayList<>();
            for (int seg : segOrder) {
                List<Integer> rows = bySegment.get(seg);
                parts.add(segments.get(seg).column(fid).toFieldData(f.getName(), rows.stream().mapToInt(Integer::intValue).toArray(), rows.size()));
            }
            if (parts.isEmpty()) {
                parts.add(FieldColumn.create(f).toFieldData(f.getName(), new int[0], 0));
            }
            FieldData fd = io.quiver.common.column.FieldDatas.gather(parts, po, rowOf, n);
            b.addFieldsData(f.getIsDynamic() ? fd.toBuilder().setIsDynamic(true).build() : fd);
        }
    }

    static IDs emptyIds(CollectionSchema schema) {
        return Schemas.primaryKey(schema).getDataType() == io.milvus.grpc.DataType.VarChar
                ? IDs.newBuilder().setStrId(StringArray.getDefaultInstance()).build()
                : IDs.newBuilder().setIntId(LongArray.getDefaultInstance()).build();
    }

    private static IDs ids(Segment seg, List<Integer> rows) {
        FieldColumn pk = seg.primaryKeys();
        if (pk instanceof LongColumn l) {
            LongArray.Builder a = LongArray.newBuilder();
            rows.forEach(r -> a.addData(l.get(r)));
            return IDs.newBuilder().setIntId(a).build();
        }
        StringArray.Builder a = StringArray.newBuilder();
        rows.forEach(r -> a.addData(((StringColumn) pk).get(r)));
        return IDs.newBuilder().setStrId(a).build();
    }

    /** Rows matching a query plan, ordered by primary key, at most {@code limit} (count only: just the count). */
    public static ShardQueryResponse query(List<Segment> segments, QueryPlan plan, CollectionSchema schema) {
        long count = 0;
        List<long[]> hits = new ArrayList<>();
        List<Object> keys = new ArrayList<>();
        for (int s = 0; s < segments.size(); s++) {
            if (Context.current().isCancelled()) {
                throw new QuiverException(ErrorCode.CANCELED, "query cancelled or deadline exceeded");
            }
            Segment seg = segments.get(s);
            int rows = seg.rowCount();
            if (rows == 0) {
                continue;
            }
            BitSet allowed = SegmentSearch.allowedRows(seg, rows, plan.getMvccTs(), plan.hasFilter() ? plan.getFilter() : null,
                    java.util.Set.copyOf(plan.getScalarIndexFieldIdsList()));
            if (plan.getCountOnly()) {
                count += allowed == null ? rows : allowed.cardinality();
                continue;
            }
            for (int i = allowed == null ? 0 : allowed.nextSetBit(0); i >= 0 && i < rows;
                 i = allowed == null ? i + 1 : allowed.nextSetBit(i + 1)) {
                hits.add(new long[] {s, i});
                keys.add(seg.pkAt(i));
            }
        }
        ShardQueryResponse.Builder b = ShardQueryResponse.newBuilder().setStatus(Statuses.success());
        if (plan.getCountOnly()) {
            return b.setCount(count).build();
        }
        // the `limit` smallest keys: a bounded max-heap, O(m log limit) in the m matching rows
        int want = plan.getLimit() < 0 ? hits.size() : (int) Math.min(hits.size(), plan.getLimit());
        java.util.PriorityQueue<Integer> heap = new java.util.PriorityQueue<>(Math.max(1, want + 1), (x, y) -> comparePk(keys.get(y), keys.get(x)));
        for (int i = 0; i < hits.size(); i++) {
            if (heap.size() < want) {
                heap.add(i);
            } else if (want > 0 && comparePk(keys.get(i), keys.get(heap.peek())) < 0) {
                heap.poll();
                heap.add(i);
            }
        }
        Integer[] order = heap.toArray(new Integer[0]);
        java.util.Arrays.sort(order, (x, y) -> comparePk(keys.get(x), keys.get(y)));
        int limit = order.length;
        List<long[]> selected = new ArrayList<>(limit);
        for (int i = 0; i < limit; i++) {
            selected.add(hits.get(order[i]));
        }
        ShardSearchResponse.Builder tmp = ShardSearchResponse.newBuilder();
        fillRows(tmp, segments, selected, plan.getOutputFieldIdsList(), schema);
        return b.setIds(tmp.getIds()).addAllFieldsData(tmp.getFieldsDataList()).setCount(limit).build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static int comparePk(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }
}
