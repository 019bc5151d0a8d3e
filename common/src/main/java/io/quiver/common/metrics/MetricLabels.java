package io.quiver.common.metrics;

import java.util.Locale;

/**
 * The closed sets of label values Milvus 2.5 uses ({@code pkg/metrics/metrics.go}); open values (ids, names) are
 * strings. Each constant's label value is derived from its name: lower case, or capitalized for Milvus' protobuf
 * enum names ({@code segment_state}).
 */
public final class MetricLabels {
    private MetricLabels() {
    }

    /** {@code status}: a request is counted once as {@code total} and once as its outcome. */
    public enum Status {
        TOTAL, SUCCESS, FAIL, ABANDON, CANCEL;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code query_type}. */
    public enum QueryType {
        SEARCH, QUERY;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code msg_type} of mutations. */
    public enum MsgType {
        INSERT, DELETE, UPSERT;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code segment_state}, Milvus' commonpb.SegmentState names ({@code Growing}, {@code Flushed}, ...). */
    public enum SegmentState {
        GROWING, SEALED, FLUSHING, FLUSHED, DROPPED;

        public String value() {
            return name().charAt(0) + name().substring(1).toLowerCase(Locale.ROOT);
        }
    }

    /** {@code segment_level}, Milvus' datapb.SegmentLevel names. */
    public enum SegmentLevel {
        L0, L1, L2;

        public String value() {
            return name();
        }
    }

    /** {@code meta_op_type}, {@code persistent_data_op_type} and {@code message_op_type} of the dependency families. */
    public enum OpType {
        GET, PUT, REMOVE, TXN, LIST, STAT, PRODUCE, CONSUME;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
