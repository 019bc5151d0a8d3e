package io.quiver.querynode;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.column.ByteVectorColumn;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.SparseVectorColumn;
import io.quiver.common.error.QuiverException;
import io.quiver.common.expr.ExprEvaluator;
import io.quiver.common.expr.IndexedColumnSource;
import io.quiver.common.expr.ScalarIndex;
import io.quiver.common.expr.TextIndexSource;
import io.quiver.common.text.TextIndex;
import io.quiver.index.Bits;
import io.quiver.index.FixedBits;
import io.quiver.index.HalfFloats;
import io.quiver.index.IndexParamException;
import io.quiver.index.MetricType;
import io.quiver.index.RangeResult;
import io.quiver.index.SearchResult;
import io.quiver.index.SparseVectors;
import io.quiver.index.TermStats;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import io.quiver.index.simd.VectorUtil;
import io.quiver.proto.plan.PlanExpr;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;

/**
 * Searches one segment: the rows allowed by MVCC, deletes and the filter, through the segment's vector index
 * when it has one and by index-core's exact kernels over the raw rows otherwise. Candidates go into per-query {@link TopK}s tagged with
 * {@code (segmentOrdinal << 32) | row}.
 */
final class SegmentSearch {
    private SegmentSearch() {}

    /** A sealed segment seen through the scalar indexes of the fields the collection has them on. */
    record IndexedView(Segment seg, Set<Long> fields) implements IndexedColumnSource, TextIndexSource {
        @Override
        public int rowCount() { return seg.rowCount(); }

        @Override
        public FieldColumn column(long fieldId) { return seg.column(fieldId); }

        @Override
        public FieldColumn primaryKeys() { return seg.primaryKeys(); }

        @Override
        public CollectionSchema schema() { return seg.schema(); }

        @Override
        public ScalarIndex scalarIndex(long fieldId) {
            return fields.contains(fieldId) ? seg.scalarIndex(fieldId) : null;
        }

        @Override
        public TextIndex textIndex(long fieldId, int rows) { return seg.textIndex(fieldId, rows); }
    }

    /** What to search, decoded once per request. */
    record Request(FieldSchema field, MetricType metric, int nq, float[] queries, byte[] binaryQueries, SparseVectors sparseQueries, int dim, int topk,
                   Map<String, String> params, PlanExpr filter, long readTs, long expireTs, boolean hasRange, float radius, float rangeFilter,
                   Set<Long> indexedFields) {
        boolean ascending() {
            return metric == MetricType.L2 || metric == MetricType.HAMMING || metric == MetricType.JACCARD;
        }
    }

    /** Allowed rows: MVCC at {@code readTs}, TTL {@code expireTs}, deletes and the filter. */
    static AllowedRows allowedRows(Segment seg, int rows, long readTs, long expireTs, PlanExpr filter, Set<Long> indexedFields) {
        AllowedRows visible = seg.visibleRows(readTs, expireTs, rows);
        boolean hasFilter = filter != null && filter.getExprCase() != PlanExpr.ExprCase.EXPR_NOT_SET
                && filter.getExprCase() != PlanExpr.ExprCase.ALWAYS_TRUE_EXPR;
        if (visible.isEmpty() || !hasFilter) {
            return visible; // nothing visible (e.g. every row expired): no filter work
        }
        BitSet f = new BitSet(rows);
        ExprEvaluator.evaluate(filter, indexedFields.isEmpty() || seg.growing() ? seg : new IndexedView(seg, indexedFields), rows, f);
        return visible.and(f);
    }

    /** The segment's best candidates for every query, tagged {@code (ordinal << 32) | row}, into {@code heaps}. */
    static void search(Segment seg, int ordinal, Request r, TopK[] heaps) {
        int rows = seg.rowCount();
        if (rows == 0) {
            return;
        }
        AllowedRows allowed = allowedRows(seg, rows, r.readTs(), r.expireTs(), r.filter(), r.indexedFields());
        if (allowed.isEmpty()) {
            return;
        }
        VectorIndex index = seg.growing() ? null : seg.index(r.field().getFieldID());
        if (index != null && index.size() == rows) {
            searchIndex(index, ordinal, r, heaps, allowed.bits());
            return;
        }
        FieldColumn col = seg.column(r.field().getFieldID());
        if (col instanceof SparseVectorColumn sv) {
            // sparse rows without an index: index-core's exact view over the column's rows, no copy
            searchIndex(VectorIndexes.sparseExactView(r.metric(), sv.rows(), rows), ordinal, r, heaps, allowed.bits());
        } else if (col instanceof FloatVectorColumn fv) {
            // rows without an index (growing, or not built yet): index-core's exact kernels over the column, no copy
            VectorIndex exact = VectorIndexes.exactView(r.metric(), fv.dim(), fv.array(), rows, seg.rowNorms(r.field().getFieldID()));
            searchIndex(exact, ordinal, r, heaps, allowed.bits());
        } else if (col instanceof ByteVectorColumn bv && bv.type() != DataType.BinaryVector) {
            // FLOAT16 / BFLOAT16: exact scans over the column's 16-bit rows, widened in the kernels (no float copy)
            HalfFloats.Kind kind = bv.type() == DataType.Float16Vector ? HalfFloats.Kind.FLOAT16 : HalfFloats.Kind.BFLOAT16;
            VectorIndex exact = VectorIndexes.halfExactView(r.metric(), bv.dim(), bv.array(), kind, rows, seg.rowNorms(r.field().getFieldID()));
            searchIndex(exact, ordinal, r, heaps, allowed.bits());
        } else if (col instanceof ByteVectorColumn bv && bv.type() == DataType.BinaryVector) {
            bruteForceBinary(bv, rows, ordinal, r, heaps, allowed);
        } else {
            throw QuiverException.invalid("search on field %s of type %s is not supported", r.field().getName(), r.field().getDataType());
        }
    }

    /**
     * BM25 statistics of the segment's rows a search at {@code readTs} reads (visible, not deleted, not expired; the
     * filter does not apply: IDF and average length are the collection's) for {@code terms} of sparse field
     * {@code fieldId}: from its index when it has one over every row, else from the rows.
     */
    static TermStats termStats(Segment seg, long fieldId, int[] terms, long readTs, long expireTs) {
        int rows = seg.rowCount();
        if (rows == 0) {
            return TermStats.empty(terms.length);
        }
        AllowedRows allowed = seg.visibleRows(readTs, expireTs, rows);
        if (allowed.isEmpty()) {
            return TermStats.empty(terms.length);
        }
        VectorIndex index = seg.growing() ? null : seg.index(fieldId);
        if (index == null || index.size() != rows) {
            if (!(seg.column(fieldId) instanceof SparseVectorColumn sv)) {
                throw QuiverException.invalid("field %d is not a sparse vector field: no BM25 statistics", fieldId);
            }
            index = VectorIndexes.sparseExactView(MetricType.BM25, sv.rows(), rows);
        }
        return index.termStats(terms, allowed.bits());
    }

    private static void searchIndex(VectorIndex index, int ordinal, Request r, TopK[] heaps, Bits bits) {
        long base = ((long) ordinal) << 32;
        try {
            if (r.hasRange()) {
                RangeResult rr = range(index, r, bits);
                for (int q = 0; q < r.nq(); q++) {
                    for (int i = rr.offsets()[q]; i < rr.offsets()[q + 1]; i++) {
                        heaps[q].offer(rr.scores()[i], base | rr.rows()[i]);
                    }
                }
                return;
            }
            SearchResult res = topK(index, r, bits);
            for (int q = 0; q < r.nq(); q++) {
                for (int i = 0; i < res.k(); i++) {
                    int row = res.rows()[q * res.k() + i];
                    if (row >= 0) {
                        heaps[q].offer(res.scores()[q * res.k() + i], base | row);
                    }
                }
            }
        } catch (IndexParamException e) {
            throw QuiverException.invalid("%s", e.getMessage()); // a search parameter the index refuses
        }
    }

    private static RangeResult range(VectorIndex index, Request r, Bits bits) {
        if (r.sparseQueries() != null) {
            return index.rangeSearchSparse(r.sparseQueries(), r.radius(), r.rangeFilter(), r.params(), bits);
        }
        return r.binaryQueries() != null
                ? index.rangeSearchBinary(r.binaryQueries(), r.nq(), r.radius(), r.rangeFilter(), r.params(), bits)
                : index.rangeSearch(r.queries(), r.nq(), r.radius(), r.rangeFilter(), r.params(), bits);
    }

    private static SearchResult topK(VectorIndex index, Request r, Bits bits) {
        if (r.sparseQueries() != null) {
            return index.searchSparse(r.sparseQueries(), r.topk(), r.params(), bits);
        }
        return r.binaryQueries() != null
                ? index.searchBinary(r.binaryQueries(), r.nq(), r.topk(), r.params(), bits)
                : index.search(r.queries(), r.nq(), r.topk(), r.params(), bits);
    }

    private static boolean inRange(Request r, float s) {
        if (!r.hasRange()) {
            return true;
        }
        if (r.ascending()) {
            return s < r.radius() && (Float.isNaN(r.rangeFilter()) || s >= r.rangeFilter());
        }
        return s > r.radius() && (Float.isNaN(r.rangeFilter()) || s <= r.rangeFilter());
    }

    private static void bruteForceBinary(ByteVectorColumn col, int rows, int ordinal, Request r, TopK[] heaps, AllowedRows allowed) {
        byte[] data = col.array();
        int w = col.bytesPerRow();
        long base = ((long) ordinal) << 32;
        byte[] row = new byte[w];
        byte[] q1 = new byte[w];
        for (int q = 0; q < r.nq(); q++) {
            System.arraycopy(r.binaryQueries(), q * w, q1, 0, w);
            FixedBits bits = allowed.bits();
            for (int i = bits == null ? 0 : bits.nextSetBit(0); i >= 0 && i < rows; i = bits == null ? i + 1 : bits.nextSetBit(i + 1)) {
                System.arraycopy(data, i * w, row, 0, w);
                float s = switch (r.metric()) {
                    case HAMMING -> VectorUtil.hamming(q1, row);
                    case JACCARD -> VectorUtil.jaccard(q1, row);
                    default -> throw QuiverException.invalid("metric %s does not apply to binary vectors", r.metric());
                };
                if (inRange(r, s)) {
                    heaps[q].offer(s, base | i);
                }
            }
        }
    }
}
