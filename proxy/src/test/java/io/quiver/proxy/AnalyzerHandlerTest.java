package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.RunAnalyzerRequest;
import io.milvus.grpc.RunAnalyzerResponse;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.text.TermHash;
import io.quiver.proto.CollectionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyzerHandlerTest {
    private static final CollectionInfo DOCS = CollectionInfo.newBuilder().setName("docs").setSchema(CollectionSchema.newBuilder()
            .addFields(FieldSchema.newBuilder().setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
            .addFields(FieldSchema.newBuilder().setName("text").setDataType(DataType.VarChar)
                    .addTypeParams(KeyValuePair.newBuilder().setKey("enable_analyzer").setValue("true"))
                    .addTypeParams(KeyValuePair.newBuilder().setKey("analyzer_params").setValue("{\"tokenizer\": \"whitespace\"}")))).build();

    private final AnalyzerHandler handler = new AnalyzerHandler((db, name) -> {
        if (!name.equals("docs")) {
            throw QuiverException.of(ErrorCode.COLLECTION_NOT_FOUND, "collection=%s", name);
        }
        return DOCS;
    });

    private static List<String> tokens(RunAnalyzerResponse r, int i) {
        return r.getResults(i).getTokensList().stream().map(t -> t.getToken()).toList();
    }

    @Test
    void paramsOrAFieldsAnalyzerWithDetailAndHashOnRequest() {
        RunAnalyzerRequest.Builder req = RunAnalyzerRequest.newBuilder().addPlaceholder(ByteString.copyFromUtf8("Hello, wörld"))
                .addPlaceholder(ByteString.copyFromUtf8(""));
        RunAnalyzerResponse plain = handler.run("default", req.build());
        assertThat(tokens(plain, 0)).containsExactly("hello", "wörld");
        assertThat(plain.getResults(1).getTokensCount()).isZero();
        assertThat(plain.getResults(0).getTokens(1).getStartOffset()).isZero(); // no detail asked: offsets unset

        RunAnalyzerResponse detailed = handler.run("default", req.setWithDetail(true).setWithHash(true).build());
        var w = detailed.getResults(0).getTokens(1);
        assertThat(List.of(w.getStartOffset(), w.getEndOffset(), w.getPosition(), w.getPositionLength())).containsExactly(7L, 13L, 1L, 1L);
        assertThat(Integer.toUnsignedLong(w.getHash())).isEqualTo(TermHash.of("wörld"));

        RunAnalyzerResponse field = handler.run("default", RunAnalyzerRequest.newBuilder().setCollectionName("docs").setFieldName("text")
                .addPlaceholder(ByteString.copyFromUtf8("Hello, wörld")).build());
        assertThat(tokens(field, 0)).containsExactly("Hello,", "wörld");
    }

    @Test
    void badRequestsGetClearStatuses() {
        assertThatThrownBy(() -> handler.run("default", RunAnalyzerRequest.newBuilder().setAnalyzerParams("{\"type\": 3}").build()))
                .isInstanceOf(QuiverException.class).hasMessageContaining("failed to create tokenizer")
                .satisfies(e -> assertThat(((QuiverException) e).errorCode().code()).isEqualTo(2000));
        assertThatThrownBy(() -> handler.run("default", RunAnalyzerRequest.newBuilder().setCollectionName("docs").setFieldName("id").build()))
                .hasMessageContaining("does not enable the analyzer");
        assertThatThrownBy(() -> handler.run("default", RunAnalyzerRequest.newBuilder().setCollectionName("docs").setFieldName("nope").build()))
                .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(ErrorCode.FIELD_NOT_FOUND));
        assertThatThrownBy(() -> handler.run("default", RunAnalyzerRequest.newBuilder().setFieldName("text").build()))
                .hasMessageContaining("without collection_name");
        assertThatThrownBy(() -> handler.run("default", RunAnalyzerRequest.newBuilder()
                .addPlaceholder(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xfe})).build())).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> handler.run("default", RunAnalyzerRequest.newBuilder().addAnalyzerNames("en").build()))
                .hasMessageContaining("multi_analyzer_params");
        RunAnalyzerRequest.Builder many = RunAnalyzerRequest.newBuilder();
        for (int i = 0; i <= AnalyzerHandler.MAX_TEXTS; i++) {
            many.addPlaceholder(ByteString.copyFromUtf8("x"));
        }
        assertThatThrownBy(() -> handler.run("default", many.build())).hasMessageContaining("at most " + AnalyzerHandler.MAX_TEXTS);
    }
}
