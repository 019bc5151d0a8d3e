package io.quiver.querynode;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.column.ByteVectorColumn;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.error.QuiverException;
import io.quiver.common.expr.ExprEvaluator;
import io.quiver.index.Bits;
import io.quiver.index.MetricType;
import io.quiver.index.RangeResult;
import io.quiver.index.SearchResult;
import io.quiver.index.VectorIndex;
import io.quiver.index.simd.VectorUtil;
import io.quiver.proto.plan.PlanExpr;
import java.util.BitSet;
import java.util.Map;

/**
 * Searches one segment: the rows allowed by MVCC, deletes and the filter, through the segment's vector index
 * when it has one and exactly otherwise. Candidates go into per-query {@link TopK}s tagged with
 * {@code (segmentOrdinal << 32) | row}.
 */
final class SegmentSearch {
    private SegmentSearch() {}

    /** A sealed segment seen through the scalar indexes of the fields the collection has them on. */
    record IndexedView(Segment seg, java.util.Set<Long> fields) implements io.quiver.common.expr.IndexedColumnSource {
        @Override
        public int rowCount() { return seg.rowCount(); }

        @Override
        public io.quiver.common.column.FieldColumn column(long fieldId) { return seg.column(fieldId); }

        @Override
        public io.quiver.common.column.FieldColumn primaryKeys() { return seg.primaryKeys(); }

        @Override
        public io.milvus.grpc.CollectionSchema schema() { return seg.schema(); }

        @Override
        public io.quiver.common.expr.ScalarIndex scalarIndex(long fieldId) {
            return fields.contains(fieldId) ? seg.scalarIndex(fieldId) : null;
        }
    }

    /** What to search, decoded once per request. */
    record Request(FieldSchema field, MetricType metric, int nq, float[] queries, byte[] binaryQueries, int dim, int topk,
                   Map<String, String> params, PlanExpr filter, long readTs, long expireTs, boolean hasRange, float radius, float rangeFilter,
                   java.util.Set<Long> indexedFields) {
        boolean ascending() {
            return metric == MetricType.L2 || metric == MetricType.HAMMING || metric == MetricType.JACCARD;
        }
    }

    /** Allowed rows (MVCC at {@code readTs}, TTL {@code expireTs}, deletes, filter), or null when every row is allowed. */
    static BitSet allowedRows(Segment seg, int rows, long readTs, long expireTs, PlanExpr filter, java.util.Set<Long> indexedFields) {
        BitSet bits = new BitSet(rows);
        int visible = seg.visibleRows(readTs, expireTs, rows, bits);
        if (visible == 0) {
            return bits; // nothing visible (e.g. every row expired): no filter work
        }
        boolean hasFilter = filter != null && filter.getExprCase() != PlanExpr.ExprCase.EXPR_NOT_SET
                && filter.getExprCase() != PlanExpr.ExprCase.ALWAYS_TRUE_EXPR;
        if (hasFilter) {
            BitSet f = new BitSet(rows);
            ExprEvaluator.evaluate(filter, indexedFields.isEmpty() || seg.growing() ? seg : new IndexedView(seg, indexedFields), rows, f);
            bits.and(f);
        } else if (visible == rows) {
            return null;
        }
        return bits;
    }

    static void search(Segment seg, int ordinal, Request r, TopK[] heaps) {
        int rows = seg.rowCount();
        if (rows == 0) {
            return;
        }
        BitSet allowed = allowedRows(seg, rows, r.readTs(), r.expireTs(), r.filter(), r.indexedFields());
        if (allowed != null && allowed.isEmpty()) {
            return;
        }
        VectorIndex index = seg.growing() ? null : seg.index(r.field().getFieldID());
        if (index != null && index.size() == rows) {
            searchIndex(index, ordinal, r, heaps, allowed, rows);
            return;
        }
        FieldColumn col = seg.column(r.field().getFieldID());
        if (col instanceof FloatVectorColumn fv) {
            bruteForce(fv, rows, ordinal, r, heaps, allowed);
        } else if (col instanceof ByteVectorColumn bv && bv.type() == DataType.BinaryVector) {
            bruteForceBinary(bv, rows, ordinal, r, heaps, allowed);
        } else {
            throw QuiverException.invalid("search on field %s of type %s is not supported", r.field().getName(), r.field().getDataType());
        }
    }

    private static void searchIndex(VectorIndex index, int ordinal, Request r, TopK[] heaps, BitSet allowed, int rows) {
        // word-at-a-time bits: the index counts and lists allowed rows with popcounts, not one call per row
        Bits bits = allowed == null ? null
                : io.quiver.index.FixedBits.wrap(java.util.Arrays.copyOf(allowed.toLongArray(), (rows + 63) >>> 6), rows);
        long base = ((long) ordinal) << 32;
        if (r.hasRange()) {
            RangeResult rr = r.binaryQueries() != null
                    ? index.rangeSearchBinary(r.binaryQueries(), r.nq(), r.radius(), r.rangeFilter(), r.params(), bits)
                    : index.rangeSearch(r.queries(), r.nq(), r.radius(), r.rangeFilter(), r.params(), bits);
            for (int q = 0; q < r.nq(); q++) {
                for (int i = rr.offsets()[q]; i < rr.offsets()[q + 1]; i++) {
                    heaps[q].offer(rr.scores()[i], base | rr.rows()[i]);
                }
            }
            return;
        }
        SearchResult res = r.binaryQueries() != null
                ? index.searchBinary(r.binaryQueries(), r.nq(), r.topk(), r.params(), bits)
                : index.search(r.queries(), r.nq(), r.topk(), r.params(), bits);
        for (int q = 0; q < r.nq(); q++) {
            for (int i = 0; i < res.k(); i++) {
                int row = res.rows()[q * res.k() + i];
                if (row >= 0) {
                    heaps[q].offer(res.scores()[q * res.k() + i], base | row);
                }
            }
        }
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

    private static void bruteForce(FloatVectorColumn col, int rows, int ordinal, Request r, TopK[] heaps, BitSet allowed) {
        float[] data = col.array();
        int dim = col.dim();
        long base = ((long) ordinal) << 32;
        float[] norms = null;
        if (r.metric() == MetricType.COSINE) {
            norms = new float[rows];
            for (int i = 0; i < rows; i++) {
                if (allowed == null || allowed.get(i)) {
                    norms[i] = (float) Math.sqrt(VectorUtil.dotProduct(data, i * dim, data, i * dim, dim));
                }
            }
        }
        for (int q = 0; q < r.nq(); q++) {
            int qo = q * dim;
            TopK h = heaps[q];
            for (int i = allowed == null ? 0 : allowed.nextSetBit(0); i >= 0 && i < rows;
                 i = allowed == null ? i + 1 : allowed.nextSetBit(i + 1)) {
                float s = switch (r.metric()) {
                    case L2 -> VectorUtil.squareDistance(r.queries(), qo, data, i * dim, dim);
                    case IP -> VectorUtil.dotProduct(r.queries(), qo, data, i * dim, dim);
                    case COSINE -> norms[i] == 0 ? 0f : VectorUtil.dotProduct(r.queries(), qo, data, i * dim, dim) / norms[i];
                    default -> throw QuiverException.invalid("metric %s does not apply to float vectors", r.metric());
                };
                if (inRange(r, s)) {
                    h.offer(s, base | i);
                }
            }
        }
    }

    private static void bruteForceBinary(ByteVectorColumn col, int rows, int ordinal, Request r, TopK[] heaps, BitSet allowed) {
        byte[] data = col.array();
        int w = col.bytesPerRow();
        long base = ((long) ordinal) << 32;
        byte[] row = new byte[w];
        byte[] q1 = new byte[w];
        for (int q = 0; q < r.nq(); q++) {
            System.arraycopy(r.binaryQueries(), q * w, q1, 0, w);
            for (int i = allowed == null ? 0 : allowed.nextSetBit(0); i >= 0 && i < rows;
                 i = allowed == null ? i + 1 : allowed.nextSetBit(i + 1)) {
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
