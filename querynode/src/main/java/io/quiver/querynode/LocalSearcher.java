package io.quiver.querynode;

import com.google.protobuf.ByteString;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.IDs;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.PlaceholderType;
import io.milvus.grpc.PlaceholderValue;
import io.milvus.grpc.StringArray;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Params;
import io.quiver.common.schema.Placeholders;
import io.quiver.common.schema.Schemas;
import io.quiver.index.FixedBits;
import io.quiver.index.HalfFloats;
import io.quiver.index.IndexParamException;
import io.quiver.index.SparseVectors;
import io.quiver.index.MetricType;
import io.quiver.index.TermStats;
import io.quiver.proto.Bm25Stats;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Executes search and query plans over segments held by this querynode. A search's segments are searched in
 * parallel through the {@link SegmentFanOut} (each into its own heaps, merged at the end).
 */
public final class LocalSearcher {
    private final SegmentFanOut fanOut;
    private final int parallelMinRows;

    LocalSearcher(SegmentFanOut fanOut) {
        this(fanOut, PARALLEL_MIN_ROWS);
    }

    LocalSearcher(SegmentFanOut fanOut, int parallelMinRows) {
        this.fanOut = fanOut;
        this.parallelMinRows = parallelMinRows;
    }

    static boolean ascending(String metric) {
        MetricType m = MetricType.parse(metric);
        return m == MetricType.L2 || m == MetricType.HAMMING || m == MetricType.JACCARD;
    }

    static SegmentSearch.Request decode(SearchPlan plan, CollectionSchema schema) {
        FieldSchema field = Schemas.byId(schema, plan.getAnnsFieldId())
                .orElseThrow(() -> QuiverException.invalid("anns field %d not in schema", plan.getAnnsFieldId()));
        MetricType metric = MetricType.parse(plan.getMetricType());
        int dim = Schemas.dim(field);
        PlaceholderValue pv = Placeholders.single(plan.getPlaceholderGroup());
        int nq = pv.getValuesCount();
        float[] queries = null;
        byte[] binary = null;
        SparseVectors sparse = null;
        if (field.getDataType() == DataType.SparseFloatVector) {
            sparse = sparseQueries(pv, field);
        } else if (isFloatLike(pv.getType())) {
            queries = floatQueries(pv, field, dim);
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
        return new SegmentSearch.Request(field, metric, nq, queries, binary, sparse, dim, (int) plan.getTopk(), params,
                plan.hasFilter() ? plan.getFilter() : null, plan.getMvccTs(), plan.getExpireTs(), plan.getHasRange(), plan.getRadius(),
                plan.getHasRangeFilter() ? plan.getRangeFilter() : Float.NaN, Set.copyOf(plan.getScalarIndexFieldIdsList()));
    }

    private static boolean isFloatLike(PlaceholderType t) {
        return t == PlaceholderType.FloatVector || t == PlaceholderType.Float16Vector || t == PlaceholderType.BFloat16Vector;
    }

    /**
     * Float32, FLOAT16 or BFLOAT16 query vectors as float32 (half values widen exactly), for float fields and half-float
     * fields alike; a half-float query on a float32 field is refused (it would silently lose the field's precision).
     */
    private static float[] floatQueries(PlaceholderValue pv, FieldSchema field, int dim) {
        PlaceholderType t = pv.getType();
        if (t != PlaceholderType.FloatVector && field.getDataType() == DataType.FloatVector) {
            throw QuiverException.invalid("the search on float vector field %s takes float vectors, got placeholder type %s", field.getName(), t);
        }
        int width = t == PlaceholderType.FloatVector ? 4 : 2;
        HalfFloats.Kind kind = t == PlaceholderType.Float16Vector ? HalfFloats.Kind.FLOAT16 : HalfFloats.Kind.BFLOAT16;
        int nq = pv.getValuesCount();
        float[] queries = new float[nq * dim];
        for (int q = 0; q < nq; q++) {
            ByteString v = pv.getValues(q);
            if (v.size() != dim * width) {
                throw QuiverException.invalid("the dimension of query vector %d is %d, but the field %s has dim %d", q, v.size() / width, field.getName(), dim);
            }
            if (width == 2) {
                HalfFloats.decode(v.toByteArray(), 0, dim, kind, queries, q * dim);
            } else {
                ByteBuffer bb = v.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < dim; j++) {
                    queries[q * dim + j] = bb.getFloat();
                }
            }
            for (int j = 0; j < dim; j++) {
                if (!Float.isFinite(queries[q * dim + j])) {
                    throw QuiverException.invalid("query vector %d contains NaN or infinity", q);
                }
            }
        }
        return queries;
    }

    /** The query rows of a search on a sparse field, validated as inserted rows are. */
    private static SparseVectors sparseQueries(PlaceholderValue pv, FieldSchema field) {
        if (pv.getType() != PlaceholderType.SparseFloatVector) {
            throw QuiverException.invalid("the search on sparse float vector field %s takes sparse float vectors, got placeholder type %s",
                    field.getName(), pv.getType());
        }
        byte[][] rows = new byte[pv.getValuesCount()][];
        for (int q = 0; q < rows.length; q++) {
            rows[q] = pv.getValues(q).toByteArray();
        }
        try {
            return SparseVectors.fromMilvusRows(rows, rows.length);
        } catch (IndexParamException e) {
            throw QuiverException.invalid("invalid sparse query vector: %s", e.getMessage());
        }
    }

    public ShardSearchResponse search(List<Segment> segments, SearchPlan plan, CollectionSchema schema) {
        if (plan.hasBm25Stats()) {
            return bm25Stats(segments, plan);
        }
        SegmentSearch.Request r = decode(plan, schema); // COSINE queries are normalised once, by index-core
        TopK[][] perSegment = fanOut.map(segments.size(), TopK[][]::new, s -> {
            TopK[] h = heaps(r);
            SegmentSearch.search(segments.get(s), s, r, h);
            return h;
        }, worthParallel(segments));
        TopK[] heaps = perSegment.length == 1 ? perSegment[0] : merge(perSegment, r);
        long searched = 0;
        for (Segment seg : segments) {
            searched += seg.rowCount();
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

    /** The first step of a BM25 search: the statistics of the plan's terms over these segments, summed. */
    private ShardSearchResponse bm25Stats(List<Segment> segments, SearchPlan plan) {
        int[] terms = plan.getBm25Stats().getTermsList().stream().mapToInt(Integer::intValue).toArray();
        TermStats[] perSegment = fanOut.map(segments.size(), TermStats[]::new,
                s -> SegmentSearch.termStats(segments.get(s), plan.getAnnsFieldId(), terms, plan.getMvccTs(), plan.getExpireTs()),
                worthParallel(segments));
        TermStats sum = TermStats.empty(terms.length);
        for (TermStats t : perSegment) {
            sum = sum.plus(t);
        }
        Bm25Stats.Builder stats = Bm25Stats.newBuilder().setRows(sum.rows()).setTotalLength(sum.totalLength());
        for (long df : sum.docFreq()) {
            stats.addDocFreq(df);
        }
        return ShardSearchResponse.newBuilder().setStatus(Statuses.success()).setBm25Stats(stats).build();
    }

    /**
     * Segments below this many rows are not worth a hand-off to a helper thread (a wake-up and a wait cost more than
     * searching them): a request runs in parallel only when at least two of its segments are this large, so a sealed
     * segment plus the small growing one that fresh inserts make stays on the request thread.
     */
    static final int PARALLEL_MIN_ROWS = 20_000;

    private boolean worthParallel(List<Segment> segments) {
        int large = 0;
        for (Segment s : segments) {
            if (s.rowCount() >= parallelMinRows && ++large >= 2) {
                return true;
            }
        }
        return false;
    }

    private static TopK[] heaps(SegmentSearch.Request r) {
        TopK[] heaps = new TopK[r.nq()];
        for (int q = 0; q < r.nq(); q++) {
            heaps[q] = new TopK(r.topk(), r.ascending());
        }
        return heaps;
    }

    /** One heap per query over every segment's candidates (tags carry the segment ordinal). */
    private static TopK[] merge(TopK[][] perSegment, SegmentSearch.Request r) {
        TopK[] out = heaps(r);
        float[] scores = new float[Math.max(1, r.topk())];
        long[] tags = new long[Math.max(1, r.topk())];
        for (TopK[] seg : perSegment) {
            for (int q = 0; q < r.nq(); q++) {
                int n = seg[q].drain(scores, tags);
                for (int i = 0; i < n; i++) {
                    out[q].offer(scores[i], tags[i]);
                }
            }
        }
        return out;
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
        b.setIds(n == 0 ? emptyIds(schema) : FieldDatas.gatherIds(idParts, po, rowOf, n));
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
            FieldData fd = FieldDatas.gather(parts, po, rowOf, n);
            b.addFieldsData(f.getIsDynamic() ? fd.toBuilder().setIsDynamic(true).build() : fd);
        }
    }

    static IDs emptyIds(CollectionSchema schema) {
        return Schemas.primaryKey(schema).getDataType() == DataType.VarChar
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
    public ShardQueryResponse query(List<Segment> segments, QueryPlan plan, CollectionSchema schema) {
        long count = 0;
        // the `limit` smallest keys (all of them without a limit) are kept in a max-heap fed during the bitmap scan:
        // O(m) bit iteration + O(m log limit) compares and no allocation per matching row for INT64 keys
        int cap = plan.getCountOnly() ? 0 : (int) Math.min(Integer.MAX_VALUE - 8, plan.getLimit() < 0 ? Long.MAX_VALUE : plan.getLimit());
        PkHeap heap = new PkHeap(cap);
        Set<Long> indexed = Set.copyOf(plan.getScalarIndexFieldIdsList());
        for (int s = 0; s < segments.size(); s++) {
            if (Context.current().isCancelled()) {
                throw new QuiverException(ErrorCode.CANCELED, "query cancelled or deadline exceeded");
            }
            Segment seg = segments.get(s);
            int rows = seg.rowCount();
            if (rows == 0) {
                continue;
            }
            AllowedRows allowed = SegmentSearch.allowedRows(seg, rows, plan.getMvccTs(), plan.getExpireTs(), plan.hasFilter() ? plan.getFilter() : null,
                    indexed);
            if (plan.getCountOnly()) {
                count += allowed.count();
                continue;
            }
            LongColumn longPks = seg.primaryKeys() instanceof LongColumn l ? l : null;
            FixedBits bits = allowed.bits();
            for (int i = bits == null ? 0 : bits.nextSetBit(0); i >= 0 && i < rows; i = bits == null ? i + 1 : bits.nextSetBit(i + 1)) {
                if (longPks != null) {
                    heap.offer(longPks.get(i), s, i);
                } else {
                    heap.offer(seg.pkAt(i), s, i);
                }
            }
        }
        ShardQueryResponse.Builder b = ShardQueryResponse.newBuilder().setStatus(Statuses.success());
        if (plan.getCountOnly()) {
            return b.setCount(count).build();
        }
        List<long[]> selected = heap.sortedRows();
        ShardSearchResponse.Builder tmp = ShardSearchResponse.newBuilder();
        fillRows(tmp, segments, selected, plan.getOutputFieldIdsList(), schema);
        return b.setIds(tmp.getIds()).addAllFieldsData(tmp.getFieldsDataList()).setCount(selected.size()).build();
    }

    /**
     * A bounded max-heap of (primary key, segment, row) keeping the {@code cap} smallest keys; INT64 keys stay primitive.
     * A key equal to the current maximum is not admitted, so among equal keys the first offered wins.
     */
    static final class PkHeap {
        private final int cap;
        private long[] longKeys = new long[16];
        private Object[] keys;
        private int[] segs = new int[16];
        private int[] rows = new int[16];
        private int size;

        PkHeap(int cap) {
            this.cap = cap;
        }

        void offer(long pk, int seg, int row) {
            if (cap == 0 || (size == cap && pk >= longKeys[0])) {
                return;
            }
            add(pk, null, seg, row);
        }

        void offer(Object pk, int seg, int row) {
            if (cap == 0 || (size == cap && comparePk(pk, keys[0]) >= 0)) {
                return;
            }
            if (keys == null) {
                keys = new Object[longKeys.length];
            }
            add(0, pk, seg, row);
        }

        private int cmp(int a, int b) {
            return keys != null ? comparePk(keys[a], keys[b]) : Long.compare(longKeys[a], longKeys[b]);
        }

        private void add(long lk, Object ok, int seg, int row) {
            int at;
            if (size < cap) {
                if (size == segs.length) {
                    int n = (int) Math.min((long) cap, 2L * size);
                    longKeys = Arrays.copyOf(longKeys, n);
                    segs = Arrays.copyOf(segs, n);
                    rows = Arrays.copyOf(rows, n);
                    if (keys != null) {
                        keys = Arrays.copyOf(keys, n);
                    }
                }
                at = size++;
                set(at, lk, ok, seg, row);
                while (at > 0 && cmp((at - 1) / 2, at) < 0) { // sift up
                    swap(at, (at - 1) / 2);
                    at = (at - 1) / 2;
                }
            } else {
                set(0, lk, ok, seg, row); // replace the maximum, sift down
                at = 0;
                while (true) {
                    int l = 2 * at + 1, r = l + 1, big = at;
                    if (l < size && cmp(l, big) > 0) big = l;
                    if (r < size && cmp(r, big) > 0) big = r;
                    if (big == at) break;
                    swap(at, big);
                    at = big;
                }
            }
        }

        private void set(int i, long lk, Object ok, int seg, int row) {
            if (keys != null) keys[i] = ok; else longKeys[i] = lk;
            segs[i] = seg;
            rows[i] = row;
        }

        private void swap(int a, int b) {
            long lk = longKeys[a]; longKeys[a] = longKeys[b]; longKeys[b] = lk;
            if (keys != null) { Object o = keys[a]; keys[a] = keys[b]; keys[b] = o; }
            int t = segs[a]; segs[a] = segs[b]; segs[b] = t;
            t = rows[a]; rows[a] = rows[b]; rows[b] = t;
        }

        /** The kept rows as {segment, row}, in ascending key order. */
        List<long[]> sortedRows() {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) order[i] = i;
            Arrays.sort(order, this::cmp);
            List<long[]> out = new ArrayList<>(size);
            for (Integer i : order) out.add(new long[] {segs[i], rows[i]});
            return out;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    public static int comparePk(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }
}
