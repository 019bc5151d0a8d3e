package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.RunAnalyzerRequest;
import io.milvus.grpc.RunAnalyzerResponse;
import io.milvus.v2.common.DataType;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.vector.request.RunAnalyzerReq;
import io.milvus.v2.service.vector.response.RunAnalyzerResp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Analyzers through the official SDK: RunAnalyzer with params or a field's analyzer, Milvus' tokens (the standard
 * tokenizer splits on every non-alphanumeric character, english stems and drops stop words), offsets in UTF-8 bytes,
 * BM25 hashes, and analyzer_params validated at create time with Milvus' status (code 2000).
 */
class AnalyzerSdkTest extends ConformanceBase {
    private static List<String> tokens(RunAnalyzerResp r, int text) {
        return r.getResults().get(text).getTokens().stream().map(RunAnalyzerResp.AnalyzerToken::getToken).toList();
    }

    @Test
    void runAnalyzerWithParamsReturnsMilvusTokens() {
        RunAnalyzerResp std = client.runAnalyzer(RunAnalyzerReq.builder().texts(List.of("The Dog's 32.3 ÉTÉ", "")).build());
        assertThat(tokens(std, 0)).containsExactly("the", "dog", "s", "32", "3", "été");
        assertThat(std.getResults().get(1).getTokens()).isEmpty();

        RunAnalyzerResp en = client.runAnalyzer(RunAnalyzerReq.builder().texts(List.of("The running dogs are happily jumping"))
                .analyzerParams(Map.of("type", "english")).withDetail(true).withHash(true).build());
        assertThat(tokens(en, 0)).containsExactly("run", "dog", "happili", "jump");
        RunAnalyzerResp.AnalyzerToken run = en.getResults().get(0).getTokens().get(0);
        assertThat(List.of(run.getStartOffset(), run.getEndOffset(), run.getPosition())).containsExactly(4L, 11L, 1L);
        CRC32 crc = new CRC32();
        crc.update("run".getBytes(StandardCharsets.UTF_8));
        assertThat(run.getHash() & 0xFFFFFFFFL).isEqualTo(crc.getValue()); // Milvus' BM25 key: CRC-32 of the token

        RunAnalyzerResp zh = client.runAnalyzer(RunAnalyzerReq.builder().texts(List.of("Milvus 是一个向量数据库！"))
                .analyzerParams(Map.of("type", "chinese")).build());
        assertThat(tokens(zh, 0)).containsExactly("Milvus", "是", "一个", "向量", "数据", "据库", "数据库");
    }

    @Test
    void invalidAnalyzerParamsAreRefusedWithMilvusStatus() {
        assertThatThrownBy(() -> client.runAnalyzer(RunAnalyzerReq.builder().texts(List.of("x"))
                .analyzerParams(Map.of("tokenizer", "standard", "filter", List.of("uppercase"))).build()))
                .isInstanceOf(MilvusClientException.class)
                .hasMessageContaining("failed to create tokenizer").hasMessageContaining("filter not found :uppercase")
                .satisfies(e -> assertThat(((MilvusClientException) e).getServerErrCode()).isEqualTo(2000));
    }

    @Test
    void fieldAnalyzersAreValidatedAtCreateAndRunByName() {
        String name = "analyzer_" + System.nanoTime();
        Map<String, Object> params = Map.of("tokenizer", "whitespace", "filter", List.of("lowercase", Map.of("type", "length", "max", 5)));
        client.createCollection(CreateCollectionReq.builder().collectionName(name).collectionSchema(schema(params, true)).build());
        DescribeCollectionResp d = client.describeCollection(DescribeCollectionReq.builder().collectionName(name).build());
        assertThat(d.getCollectionSchema().getField("text").getEnableAnalyzer()).isTrue();
        // the field's analyzer, not the standard one: whitespace split, lower case, tokens of at most 5 bytes (the 2.5
        // SDK cannot name a collection in RunAnalyzer, so this call is the SDK's request sent from a plain stub)
        RunAnalyzerResponse r = runOnField(name, "text", "Quiver IS a Milvus-protocol db");
        assertThat(r.getStatus().getCode()).isZero();
        assertThat(r.getResults(0).getTokensList().stream().map(t -> t.getToken()).toList()).containsExactly("is", "a", "db");

        String bad = name + "_bad";
        assertThatThrownBy(() -> client.createCollection(CreateCollectionReq.builder().collectionName(bad)
                .collectionSchema(schema(Map.of("type", "klingon"), true)).build()))
                .isInstanceOf(MilvusClientException.class).hasMessageContaining("unknown build-in analyzer type: klingon");
        assertThatThrownBy(() -> client.createCollection(CreateCollectionReq.builder().collectionName(bad)
                .collectionSchema(schema(null, false)).build()))
                .isInstanceOf(MilvusClientException.class).hasMessageContaining("enable match").hasMessageContaining("not enable analyzer");
        assertThat(client.hasCollection(HasCollectionReq.builder().collectionName(bad).build())).isFalse();
        assertThat(runOnField(name, "id", "x").getStatus().getReason()).contains("does not enable the analyzer");
        assertThat(runOnField(name, "nosuch", "x").getStatus().getCode()).isEqualTo(1700);
    }

    private static RunAnalyzerResponse runOnField(String collection, String field, String text) {
        ManagedChannel ch = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            return MilvusServiceGrpc.newBlockingStub(ch).withDeadlineAfter(RPC_DEADLINE_MS, TimeUnit.MILLISECONDS)
                    .runAnalyzer(RunAnalyzerRequest.newBuilder().setCollectionName(collection).setFieldName(field)
                            .addPlaceholder(ByteString.copyFromUtf8(text)).build());
        } finally {
            ch.shutdownNow();
        }
    }

    private static CreateCollectionReq.CollectionSchema schema(Map<String, Object> analyzerParams, boolean analyzer) {
        CreateCollectionReq.CollectionSchema s = client.createSchema();
        s.addField(AddFieldReq.builder().fieldName("id").dataType(DataType.Int64).isPrimaryKey(true).build());
        s.addField(AddFieldReq.builder().fieldName("vector").dataType(DataType.FloatVector).dimension(4).build());
        AddFieldReq.AddFieldReqBuilder<?, ?> text = AddFieldReq.builder().fieldName("text").dataType(DataType.VarChar).maxLength(200)
                .enableAnalyzer(analyzer).enableMatch(true);
        if (analyzerParams != null) {
            text.analyzerParams(analyzerParams);
        }
        s.addField(text.build());
        return s;
    }
}
