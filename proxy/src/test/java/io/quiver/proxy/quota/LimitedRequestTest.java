package io.quiver.proxy.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.FlushRequest;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.SearchRequest;
import io.milvus.grpc.UpsertRequest;
import org.junit.jupiter.api.Test;

class LimitedRequestTest {
    @Test
    void writesCostTheirBytesOnTheWire() {
        InsertRequest ins = InsertRequest.newBuilder().setCollectionName("c").setNumRows(3).build();
        assertThat(LimitedRequest.of(ins, "")).isEqualTo(new LimitedRequest(RateType.DML_INSERT, "default", "c", ins));
        assertThat(LimitedRequest.of(ins, "").cost()).isEqualTo(ins.getSerializedSize());
        UpsertRequest up = UpsertRequest.newBuilder().setDbName("d").setCollectionName("c").build();
        assertThat(LimitedRequest.of(up, "h")).isEqualTo(new LimitedRequest(RateType.DML_UPSERT, "d", "c", up));
        assertThat(LimitedRequest.of(up, "h").cost()).isEqualTo(up.getSerializedSize());
        DeleteRequest del = DeleteRequest.newBuilder().setCollectionName("c").setExpr("id in [1,2,3]").build();
        assertThat(LimitedRequest.of(del, "h")).isEqualTo(new LimitedRequest(RateType.DML_DELETE, "h", "c", del));
        assertThat(LimitedRequest.of(del, "h").cost()).isEqualTo(del.getSerializedSize());
    }

    @Test
    void searchesCostTheirQueryVectorsQueriesOne() {
        assertThat(LimitedRequest.of(RateLimitInterceptorTest.search("c", 5), "").cost()).isEqualTo(5);
        HybridSearchRequest h = HybridSearchRequest.newBuilder().setCollectionName("c")
                .addRequests(RateLimitInterceptorTest.search("c", 2)).addRequests(RateLimitInterceptorTest.search("c", 3)).build();
        assertThat(LimitedRequest.of(h, "").type()).isEqualTo(RateType.DQL_SEARCH);
        assertThat(LimitedRequest.of(h, "").cost()).isEqualTo(5);
        QueryRequest q = QueryRequest.newBuilder().setCollectionName("c").build();
        assertThat(LimitedRequest.of(q, "")).isEqualTo(new LimitedRequest(RateType.DQL_QUERY, "default", "c", q));
        assertThat(LimitedRequest.of(q, "").cost()).isEqualTo(1);
        SearchRequest malformed = SearchRequest.newBuilder().setPlaceholderGroup(ByteString.copyFrom(new byte[] {10, 50, 1})).build();
        assertThat(LimitedRequest.of(malformed, "").cost()).as("left to the handler to refuse").isEqualTo(1);
    }

    @Test
    void otherRequestsAreNotRateLimited() {
        assertThat(LimitedRequest.of(FlushRequest.getDefaultInstance(), "")).isNull();
    }
}
