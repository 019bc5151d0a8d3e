package io.quiver.common.error;


/**
 * The one error registry: every error Quiver returns, with Milvus' numeric code (pkg/util/merr/errors.go),
 * the legacy {@code common.ErrorCode} the SDKs still read (Node looks only at it), and whether a client may
 * retry. Codes are stable: never renumber an entry.
 */
public enum ErrorCode {
    SERVICE_NOT_READY(1, io.milvus.grpc.ErrorCode.NotReadyServe, true, "service not ready"),
    SERVICE_UNAVAILABLE(2, io.milvus.grpc.ErrorCode.UnexpectedError, true, "service unavailable"),
    MEMORY_LIMIT(3, io.milvus.grpc.ErrorCode.InsufficientMemoryToLoad, false, "memory limit exceeded"),
    INTERNAL(5, io.milvus.grpc.ErrorCode.UnexpectedError, false, "internal error"),
    RATE_LIMIT(8, io.milvus.grpc.ErrorCode.RateLimit, true, "rate limit exceeded"),
    SERVICE_QUOTA_EXCEEDED(9, io.milvus.grpc.ErrorCode.ForceDeny, false, "quota exceeded"),
    UNIMPLEMENTED(10, io.milvus.grpc.ErrorCode.UnexpectedError, false, "not implemented"),
    RESOURCE_INSUFFICIENT(12, io.milvus.grpc.ErrorCode.UnexpectedError, true, "resource insufficient"),

    COLLECTION_NOT_FOUND(100, io.milvus.grpc.ErrorCode.CollectionNotExists, false, "collection not found"),
    COLLECTION_NOT_LOADED(101, io.milvus.grpc.ErrorCode.UnexpectedError, false, "collection not loaded"),
    COLLECTION_NUM_LIMIT(102, io.milvus.grpc.ErrorCode.UnexpectedError, false, "exceeded the limit number of collections"),
    COLLECTION_NOT_FULLY_LOADED(103, io.milvus.grpc.ErrorCode.UnexpectedError, true, "collection not fully loaded"),
    ILLEGAL_SCHEMA(105, io.milvus.grpc.ErrorCode.IllegalArgument, false, "illegal collection schema"),

    PARTITION_NOT_FOUND(200, io.milvus.grpc.ErrorCode.UnexpectedError, false, "partition not found"),
    PARTITION_NOT_LOADED(201, io.milvus.grpc.ErrorCode.UnexpectedError, false, "partition not loaded"),

    RESOURCE_GROUP_NOT_FOUND(300, io.milvus.grpc.ErrorCode.UnexpectedError, false, "resource group not found"),

    CHANNEL_NOT_AVAILABLE(503, io.milvus.grpc.ErrorCode.UnexpectedError, true, "channel not available"),
    SEGMENT_NOT_FOUND(600, io.milvus.grpc.ErrorCode.SegmentNotFound, false, "segment not found"),
    // a segment's files cannot be read as data (checksum mismatch, bad format): retrying cannot help
    SEGMENT_LOAD_FAILED(604, io.milvus.grpc.ErrorCode.UnexpectedError, false, "segment load failed"),

    ANALYZER_INVALID(2000, io.milvus.grpc.ErrorCode.UnexpectedError, false, "failed to create tokenizer"),
    // segcore's TextIndexNotFound: TEXT_MATCH / PHRASE_MATCH on a field without enable_match
    TEXT_INDEX_NOT_FOUND(2042, io.milvus.grpc.ErrorCode.UnexpectedError, false, "failed to get text index, text index not found"),

    COMPACTION_PLAN_ILLEGAL(2301, io.milvus.grpc.ErrorCode.IllegalArgument, false, "illegal compaction plan"),
    COMPACTION_PLAN_CONFLICT(2302, io.milvus.grpc.ErrorCode.UnexpectedError, true, "compaction plan conflicts with the current segments"),
    CLUSTERING_COMPACTION_NOT_SUPPORTED(2303, io.milvus.grpc.ErrorCode.IllegalArgument, false, "clustering compaction is not supported"),
    COMPACTION_DISABLED(2304, io.milvus.grpc.ErrorCode.UnexpectedError, false, "compaction is disabled"),

    INDEX_NOT_FOUND(700, io.milvus.grpc.ErrorCode.IndexNotExist, false, "index not found"),
    INDEX_NOT_SUPPORTED(701, io.milvus.grpc.ErrorCode.IllegalArgument, false, "index type not supported"),
    INDEX_DUPLICATE(702, io.milvus.grpc.ErrorCode.IllegalArgument, false, "index duplicates"),

    DATABASE_NOT_FOUND(800, io.milvus.grpc.ErrorCode.UnexpectedError, false, "database not found"),
    DATABASE_ALREADY_EXISTS(801, io.milvus.grpc.ErrorCode.UnexpectedError, false, "database already exists"),
    DATABASE_INVALID_NAME(802, io.milvus.grpc.ErrorCode.IllegalArgument, false, "invalid database name"),

    NODE_NOT_FOUND(901, io.milvus.grpc.ErrorCode.UnexpectedError, true, "node not found"),
    NODE_NOT_AVAILABLE(903, io.milvus.grpc.ErrorCode.UnexpectedError, true, "node not available"),

    IO_FAILED(1000, io.milvus.grpc.ErrorCode.UnexpectedError, true, "IO failed"),

    PARAMETER_INVALID(1100, io.milvus.grpc.ErrorCode.IllegalArgument, false, "invalid parameter"),
    PARAMETER_MISSING(1101, io.milvus.grpc.ErrorCode.IllegalArgument, false, "missing parameter"),
    PARAMETER_TOO_LARGE(1102, io.milvus.grpc.ErrorCode.IllegalArgument, false, "parameter too large"),

    METRIC_TYPE_MISMATCH(1200, io.milvus.grpc.ErrorCode.IllegalArgument, false, "metric type not match"),

    WAL_FAILED(1300, io.milvus.grpc.ErrorCode.UnexpectedError, true, "message queue failed"),

    NOT_AUTHENTICATED(1400, io.milvus.grpc.ErrorCode.PermissionDenied, false, "not authenticated"),
    PRIVILEGE_NOT_PERMITTED(1401, io.milvus.grpc.ErrorCode.PermissionDenied, false, "privilege not permitted"),
    PRIVILEGE_GROUP_INVALID_NAME(1402, io.milvus.grpc.ErrorCode.IllegalArgument, false, "invalid privilege group name"),

    ALIAS_NOT_FOUND(1600, io.milvus.grpc.ErrorCode.UnexpectedError, false, "alias not found"),
    ALIAS_COLLECTION_NAME_CONFLICT(1601, io.milvus.grpc.ErrorCode.UnexpectedError, false, "alias and collection name conflict"),
    ALIAS_ALREADY_EXISTS(1602, io.milvus.grpc.ErrorCode.UnexpectedError, false, "alias already exists"),

    FIELD_NOT_FOUND(1700, io.milvus.grpc.ErrorCode.IllegalArgument, false, "field not found"),
    FIELD_INVALID_NAME(1701, io.milvus.grpc.ErrorCode.IllegalArgument, false, "field name invalid"),

    // the RESTful API's own refusals (Milvus merr 1800..1807): the body is not one the API accepts
    HTTP_NOT_AUTHENTICATED(1800, io.milvus.grpc.ErrorCode.PermissionDenied, false, "user hasn't authenticated"),
    HTTP_BAD_FORMAT(1801, io.milvus.grpc.ErrorCode.IllegalArgument, false, "can only accept json format request"),
    HTTP_MISSING_PARAMETER(1802, io.milvus.grpc.ErrorCode.IllegalArgument, false, "missing required parameters"),
    HTTP_INVALID_INSERT_DATA(1804, io.milvus.grpc.ErrorCode.IllegalArgument, false, "fail to deal the insert data"),

    IMPORT_FAILED(2100, io.milvus.grpc.ErrorCode.UnexpectedError, false, "importing data failed"),

    CANCELED(10000, io.milvus.grpc.ErrorCode.UnexpectedError, true, "request canceled"),
    TIMEOUT(10001, io.milvus.grpc.ErrorCode.UnexpectedError, true, "request timeout"),
    UNEXPECTED(65535, io.milvus.grpc.ErrorCode.UnexpectedError, false, "unexpected error");

    private final int code;
    private final io.milvus.grpc.ErrorCode legacy;
    private final boolean retriable;
    private final String message;

    ErrorCode(int code, io.milvus.grpc.ErrorCode legacy, boolean retriable, String message) {
        this.code = code;
        this.legacy = legacy;
        this.retriable = retriable;
        this.message = message;
    }

    public int code() { return code; }

    public io.milvus.grpc.ErrorCode legacy() { return legacy; }

    public boolean retriable() { return retriable; }

    public String message() { return message; }

    /** The entry for a Milvus numeric code (first declared wins), or UNEXPECTED. */
    public static ErrorCode fromCode(int code) {
        for (ErrorCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return UNEXPECTED;
    }
}
