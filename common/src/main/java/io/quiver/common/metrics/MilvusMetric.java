package io.quiver.common.metrics;

import static io.quiver.common.metrics.MetricBuckets.COUNTS;
import static io.quiver.common.metrics.MetricBuckets.MILLIS;
import static io.quiver.common.metrics.MetricBuckets.NONE;
import static io.quiver.common.metrics.MetricBuckets.SECONDS;
import static io.quiver.common.metrics.MilvusMetric.Kind.COUNTER;
import static io.quiver.common.metrics.MilvusMetric.Kind.GAUGE;
import static io.quiver.common.metrics.MilvusMetric.Kind.HISTOGRAM;

import java.util.List;

/**
 * The Milvus 2.5 metric families Quiver exports: exact name, type, label names (in Milvus' order) and buckets,
 * as Milvus' Go client exports them (counters without {@code _total}, latencies in milliseconds except the
 * indexnode's seconds). Milvus' Grafana dashboard reads these names; the role where the measured thing happens
 * feeds each one (see docs/architecture.md, "Metrics").
 */
public enum MilvusMetric {
    // proxy
    PROXY_REQ_COUNT("milvus_proxy_req_count", COUNTER, NONE, "node_id", "function_name", "status", "db_name", "collection_name"),
    PROXY_REQ_LATENCY("milvus_proxy_req_latency", HISTOGRAM, MILLIS, "node_id", "function_name"),
    PROXY_SQ_LATENCY("milvus_proxy_sq_latency", HISTOGRAM, MILLIS, "node_id", "query_type", "db_name", "collection_name"),
    PROXY_COLLECTION_SQ_LATENCY("milvus_proxy_collection_sq_latency", HISTOGRAM, MILLIS, "node_id", "query_type", "collection_name"),
    PROXY_MUTATION_LATENCY("milvus_proxy_mutation_latency", HISTOGRAM, MILLIS, "node_id", "msg_type", "db_name", "collection_name"),
    PROXY_COLLECTION_MUTATION_LATENCY("milvus_proxy_collection_mutation_latency", HISTOGRAM, MILLIS, "node_id", "msg_type",
            "collection_name"),
    PROXY_SEARCH_VECTORS_COUNT("milvus_proxy_search_vectors_count", COUNTER, NONE, "node_id", "db_name", "collection_name"),
    PROXY_INSERT_VECTORS_COUNT("milvus_proxy_insert_vectors_count", COUNTER, NONE, "node_id", "db_name", "collection_name"),
    PROXY_RECEIVE_BYTES_COUNT("milvus_proxy_receive_bytes_count", COUNTER, NONE, "node_id", "msg_type", "collection_name"),
    PROXY_SEND_BYTES_COUNT("milvus_proxy_send_bytes_count", COUNTER, NONE, "node_id"),
    PROXY_RATE_LIMIT_REQ_COUNT("milvus_proxy_rate_limit_req_count", COUNTER, NONE, "node_id", "msg_type", "status"),
    // rootcoord
    ROOTCOORD_DDL_REQ_COUNT("milvus_rootcoord_ddl_req_count", COUNTER, NONE, "function_name", "status"),
    ROOTCOORD_DDL_REQ_LATENCY("milvus_rootcoord_ddl_req_latency", HISTOGRAM, MILLIS, "function_name"),
    ROOTCOORD_COLLECTION_NUM("milvus_rootcoord_collection_num", GAUGE, NONE, "db_name"),
    ROOTCOORD_PARTITION_NUM("milvus_rootcoord_partition_num", GAUGE, NONE),
    ROOTCOORD_CREDENTIAL_NUM("milvus_rootcoord_credential_num", GAUGE, NONE),
    ROOTCOORD_PROXY_NUM("milvus_rootcoord_proxy_num", GAUGE, NONE),
    ROOTCOORD_DML_CHANNEL_NUM("milvus_rootcoord_dml_channel_num", GAUGE, NONE),
    ROOTCOORD_TIMESTAMP("milvus_rootcoord_timestamp", GAUGE, NONE),
    ROOTCOORD_TIMESTAMP_SAVED("milvus_rootcoord_timestamp_saved", GAUGE, NONE),
    ROOTCOORD_ID_ALLOC_COUNT("milvus_rootcoord_id_alloc_count", COUNTER, NONE),
    // querycoord
    QUERYCOORD_COLLECTION_NUM("milvus_querycoord_collection_num", GAUGE, NONE),
    QUERYCOORD_QUERYNODE_NUM("milvus_querycoord_querynode_num", GAUGE, NONE),
    QUERYCOORD_LOAD_REQ_COUNT("milvus_querycoord_load_req_count", COUNTER, NONE, "status"),
    // querynode
    QUERYNODE_SQ_REQ_COUNT("milvus_querynode_sq_req_count", COUNTER, NONE, "node_id", "query_type", "status", "request_scope",
            "collection_id"),
    QUERYNODE_SQ_REQ_LATENCY("milvus_querynode_sq_req_latency", HISTOGRAM, MILLIS, "node_id", "query_type", "request_scope"),
    QUERYNODE_SEARCH_NQ("milvus_querynode_search_nq", HISTOGRAM, COUNTS, "node_id"),
    QUERYNODE_SEARCH_TOPK("milvus_querynode_search_topk", HISTOGRAM, COUNTS, "node_id"),
    QUERYNODE_ENTITY_NUM("milvus_querynode_entity_num", GAUGE, NONE, "node_id", "collection_id", "segment_state"),
    QUERYNODE_SEGMENT_NUM("milvus_querynode_segment_num", GAUGE, NONE, "node_id", "collection_id", "segment_state", "segment_level"),
    QUERYNODE_COLLECTION_NUM("milvus_querynode_collection_num", GAUGE, NONE, "node_id"),
    QUERYNODE_DML_VCHANNEL_NUM("milvus_querynode_dml_vchannel_num", GAUGE, NONE, "node_id"),
    // datacoord
    DATACOORD_SEGMENT_NUM("milvus_datacoord_segment_num", GAUGE, NONE, "segment_state", "segment_level", "segment_is_sorted"),
    DATACOORD_STORED_ROWS_NUM("milvus_datacoord_stored_rows_num", GAUGE, NONE, "db_name", "collection_id", "collection_name",
            "segment_state"),
    DATACOORD_STORED_BINLOG_SIZE("milvus_datacoord_stored_binlog_size", GAUGE, NONE, "db_name", "collection_id", "segment_state"),
    DATACOORD_DATANODE_NUM("milvus_datacoord_datanode_num", GAUGE, NONE),
    // datanode
    DATANODE_CONSUME_MSG_COUNT("milvus_datanode_consume_msg_count", COUNTER, NONE, "node_id", "msg_type", "collection_id"),
    DATANODE_MSG_ROWS_COUNT("milvus_datanode_msg_rows_count", COUNTER, NONE, "node_id", "msg_type"),
    DATANODE_FLUSH_REQ_COUNT("milvus_datanode_flush_req_count", COUNTER, NONE, "node_id", "status"),
    // indexnode (seconds)
    INDEXNODE_INDEX_TASK_COUNT("milvus_indexnode_index_task_count", COUNTER, NONE, "node_id", "status"),
    INDEXNODE_BUILD_INDEX_LATENCY("milvus_indexnode_build_index_latency", HISTOGRAM, SECONDS, "node_id"),
    INDEXNODE_SAVE_INDEX_LATENCY("milvus_indexnode_save_index_latency", HISTOGRAM, SECONDS, "node_id"),
    // dependencies (Quiver's WAL is Milvus' msgstream)
    META_OP_COUNT("milvus_meta_op_count", COUNTER, NONE, "meta_op_type", "status"),
    META_REQUEST_LATENCY("milvus_meta_request_latency", HISTOGRAM, MILLIS, "meta_op_type"),
    STORAGE_OP_COUNT("milvus_storage_op_count", COUNTER, NONE, "persistent_data_op_type", "status"),
    STORAGE_REQUEST_LATENCY("milvus_storage_request_latency", HISTOGRAM, MILLIS, "persistent_data_op_type"),
    MSGSTREAM_OP_COUNT("milvus_msgstream_op_count", COUNTER, NONE, "message_op_type", "status"),
    MSGSTREAM_REQUEST_LATENCY("milvus_msgstream_request_latency", HISTOGRAM, MILLIS, "message_op_type");

    /** The Prometheus type of a family. */
    public enum Kind { COUNTER, GAUGE, HISTOGRAM }

    private final String metricName;
    private final Kind kind;
    private final MetricBuckets buckets;
    private final List<String> labels;

    MilvusMetric(String metricName, Kind kind, MetricBuckets buckets, String... labels) {
        this.metricName = metricName;
        this.kind = kind;
        this.buckets = buckets;
        this.labels = List.of(labels);
    }

    public String metricName() {
        return metricName;
    }

    public Kind kind() {
        return kind;
    }

    public MetricBuckets buckets() {
        return buckets;
    }

    public List<String> labels() {
        return labels;
    }
}
