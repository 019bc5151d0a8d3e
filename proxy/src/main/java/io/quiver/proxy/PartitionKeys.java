package io.quiver.proxy;

import io.quiver.common.schema.Sharding;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.proto.plan.BinaryExpr;
import io.quiver.proto.plan.GenericValue;
import io.quiver.proto.plan.OpType;
import io.quiver.proto.plan.PlanExpr;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Partition-key pruning: when a filter pins the partition key ({@code key == x}, {@code key in [...]}, possibly
 * AND-ed with anything), only the hidden partitions those values hash to can hold matching rows. Hashing is the
 * one inserts use ({@link Sharding}), so routing and pruning always agree.
 */
final class PartitionKeys {
    private PartitionKeys() {}

    /** Indexes (into the collection's partition list) of the partitions to search, or empty for all. */
    static Optional<Set<Integer>> prune(PlanExpr plan, FieldSchema key, int partitions) {
        Set<Object> values = values(plan, key.getFieldID());
        if (values == null) {
            return Optional.empty();
        }
        Set<Integer> out = new HashSet<>();
        for (Object v : values) {
            out.add(key.getDataType() == DataType.VarChar ? Sharding.shardOf((String) v, partitions) : Sharding.shardOf((Long) v, partitions));
        }
        return Optional.of(out);
    }

    /** The key values the expression restricts the field to, or null if it does not restrict it. */
    private static Set<Object> values(PlanExpr e, long fieldId) {
        switch (e.getExprCase()) {
            case TERM_EXPR -> {
                var t = e.getTermExpr();
                if (t.getColumnInfo().getFieldId() != fieldId || t.getColumnInfo().getNestedPathCount() > 0 || t.getIsInField()) {
                    return null;
                }
                return literals(t.getValuesList());
            }
            case UNARY_RANGE_EXPR -> {
                var u = e.getUnaryRangeExpr();
                if (u.getColumnInfo().getFieldId() != fieldId || u.getOp() != OpType.EQUAL || u.getColumnInfo().getNestedPathCount() > 0) {
                    return null;
                }
                return literals(List.of(u.getValue()));
            }
            case BINARY_EXPR -> {
                BinaryExpr b = e.getBinaryExpr();
                Set<Object> l = values(b.getLeft(), fieldId);
                Set<Object> r = values(b.getRight(), fieldId);
                if (b.getOp() == BinaryExpr.BinaryOp.LOGICAL_AND) {
                    if (l == null) return r;
                    if (r == null) return l;
                    Set<Object> both = new HashSet<>(l);
                    both.retainAll(r);
                    return both;
                }
                if (b.getOp() == BinaryExpr.BinaryOp.LOGICAL_OR && l != null && r != null) {
                    Set<Object> any = new HashSet<>(l);
                    any.addAll(r);
                    return any;
                }
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private static Set<Object> literals(List<GenericValue> vs) {
        Set<Object> out = new HashSet<>();
        for (GenericValue v : vs) {
            switch (v.getValCase()) {
                case INT64_VAL -> out.add(v.getInt64Val());
                case STRING_VAL -> out.add(v.getStringVal());
                default -> {
                    return null;
                }
            }
        }
        return out;
    }
}
