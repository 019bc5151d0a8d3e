package io.quiver.proxy.quota;

import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.UpsertRequest;
import io.quiver.common.error.QuiverException;
import io.quiver.proxy.ReadPlanner;

/**
 * What a rate-limited request spends, measured as Milvus' proxy measures it (GetRequestInfo): inserts, upserts and
 * deletes their size in bytes on the wire, searches their number of query vectors (a hybrid search the sum over its
 * sub-searches), queries one.
 */
public record LimitedRequest(RateType type, String db, String collection, Object request) {

    /** The request's classification, or null for a request no rate limits (everything but DML and DQL). */
    public static LimitedRequest of(Object request, String headerDb) {
        return switch (request) {
            case InsertRequest r -> new LimitedRequest(RateType.DML_INSERT, db(r.getDbName(), headerDb), r.getCollectionName(), r);
            case UpsertRequest r -> new LimitedRequest(RateType.DML_UPSERT, db(r.getDbName(), headerDb), r.getCollectionName(), r);
            case DeleteRequest r -> new LimitedRequest(RateType.DML_DELETE, db(r.getDbName(), headerDb), r.getCollectionName(), r);
            case SearchRequest r -> new LimitedRequest(RateType.DQL_SEARCH, db(r.getDbName(), headerDb), r.getCollectionName(), r);
            case HybridSearchRequest r -> new LimitedRequest(RateType.DQL_SEARCH, db(r.getDbName(), headerDb), r.getCollectionName(), r);
            case QueryRequest r -> new LimitedRequest(RateType.DQL_QUERY, db(r.getDbName(), headerDb), r.getCollectionName(), r);
            default -> null;
        };
    }

    /** What the request spends; computed only when a rate applies (an insert's size walks the whole message once). */
    public double cost() {
        return switch (request) {
            case InsertRequest r -> r.getSerializedSize();
            case UpsertRequest r -> r.getSerializedSize();
            case DeleteRequest r -> r.getSerializedSize();
            case SearchRequest r -> nq(r);
            case HybridSearchRequest r -> r.getRequestsList().stream().mapToInt(LimitedRequest::nq).sum();
            default -> 1;
        };
    }

    private static String db(String inBody, String headerDb) {
        if (inBody != null && !inBody.isEmpty()) {
            return inBody;
        }
        return headerDb == null || headerDb.isEmpty() ? "default" : headerDb;
    }

    /** The query vectors of a search; a malformed placeholder costs 1 here and is refused by the handler. */
    private static int nq(SearchRequest r) {
        try {
            return Math.max(1, ReadPlanner.queryCount(r));
        } catch (QuiverException e) {
            return 1;
        }
    }
}
