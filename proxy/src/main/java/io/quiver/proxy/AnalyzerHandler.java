package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.milvus.grpc.AnalyzerResult;
import io.milvus.grpc.AnalyzerToken;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.RunAnalyzerRequest;
import io.milvus.grpc.RunAnalyzerResponse;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.schema.Schemas;
import io.quiver.common.text.Analyzer;
import io.quiver.common.text.TermHash;
import io.quiver.common.text.TextFields;
import io.quiver.proto.CollectionInfo;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * RunAnalyzer: the tokens an analyzer makes of each text, so users see what their {@code analyzer_params} do. The
 * analyzer is the request's {@code analyzer_params}, or a collection field's when the request names the collection and
 * field (the analyzer is deterministic, so the proxy runs it: the same tokens a querynode or datanode would make).
 * With {@code with_detail} each token carries its UTF-8 byte offsets, position and position length; with
 * {@code with_hash} its BM25 key.
 */
final class AnalyzerHandler {
    /** Texts per request and bytes per text: a bounded call whatever the client sends. */
    static final int MAX_TEXTS = 1024;
    static final int MAX_TEXT_BYTES = 1 << 20;

    /** A collection by database and name (the proxy's meta cache). */
    interface Collections {
        CollectionInfo collection(String db, String name);
    }

    private final Collections collections;

    AnalyzerHandler(Collections collections) {
        this.collections = requireNonNull(collections, "collections is null");
    }

    RunAnalyzerResponse run(String db, RunAnalyzerRequest req) {
        if (req.getAnalyzerNamesCount() > 0) {
            throw QuiverException.invalid("analyzer_names selects analyzers of multi_analyzer_params, which Quiver does not support");
        }
        if (req.getPlaceholderCount() > MAX_TEXTS) {
            throw QuiverException.of(ErrorCode.PARAMETER_TOO_LARGE, "%d texts in one RunAnalyzer call, at most %d", req.getPlaceholderCount(), MAX_TEXTS);
        }
        Analyzer analyzer = analyzer(db, req);
        RunAnalyzerResponse.Builder out = RunAnalyzerResponse.newBuilder().setStatus(Statuses.success());
        for (ByteString text : req.getPlaceholderList()) {
            AnalyzerResult.Builder r = AnalyzerResult.newBuilder();
            for (io.quiver.common.text.AnalyzerToken t : analyzer.analyze(utf8(text))) {
                AnalyzerToken.Builder b = AnalyzerToken.newBuilder().setToken(t.text());
                if (req.getWithDetail()) {
                    b.setStartOffset(t.startOffset()).setEndOffset(t.endOffset()).setPosition(t.position()).setPositionLength(t.positionLength());
                }
                if (req.getWithHash()) {
                    b.setHash((int) TermHash.of(t.text()));
                }
                r.addTokens(b);
            }
            out.addResults(r);
        }
        return out.build();
    }

    private Analyzer analyzer(String db, RunAnalyzerRequest req) {
        if (req.getCollectionName().isEmpty()) {
            if (!req.getFieldName().isEmpty()) {
                throw QuiverException.invalid("field_name %s given without collection_name", req.getFieldName());
            }
            return TextFields.parse(req.getAnalyzerParams());
        }
        CollectionInfo c = collections.collection(db, req.getCollectionName());
        FieldSchema f = Schemas.byName(c.getSchema(), req.getFieldName())
                .orElseThrow(() -> QuiverException.of(ErrorCode.FIELD_NOT_FOUND, "field %s in collection %s", req.getFieldName(), req.getCollectionName()));
        if (!TextFields.analyzerEnabled(f)) {
            throw QuiverException.invalid("field %s of collection %s does not enable the analyzer (enable_analyzer)", f.getName(), req.getCollectionName());
        }
        return TextFields.analyzer(f);
    }

    private static String utf8(ByteString text) {
        if (text.size() > MAX_TEXT_BYTES) {
            throw QuiverException.of(ErrorCode.PARAMETER_TOO_LARGE, "a text of %d bytes, at most %d", text.size(), MAX_TEXT_BYTES);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(text.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw QuiverException.invalid("text to analyze is not valid UTF-8");
        }
    }
}
