package io.quiver.common.text;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;

/**
 * The text-analysis settings of a VARCHAR field, read from its type params as the SDKs send them:
 * {@code enable_analyzer} ("true"), {@code enable_match} ("true") and {@code analyzer_params} (a JSON string).
 */
public final class TextFields {
    public static final String ENABLE_ANALYZER = "enable_analyzer";
    public static final String ENABLE_MATCH = "enable_match";
    public static final String ANALYZER_PARAMS = "analyzer_params";
    public static final String MULTI_ANALYZER_PARAMS = "multi_analyzer_params";

    private TextFields() {}

    public static boolean analyzerEnabled(FieldSchema f) {
        return "true".equalsIgnoreCase(trimmed(Schemas.typeParam(f, ENABLE_ANALYZER)));
    }

    public static boolean matchEnabled(FieldSchema f) {
        return "true".equalsIgnoreCase(trimmed(Schemas.typeParam(f, ENABLE_MATCH)));
    }

    /** The field's analyzer; invalid {@code analyzer_params} give Milvus' status (code 2000, the parser's message). */
    public static Analyzer analyzer(FieldSchema f) {
        return parse(Schemas.typeParam(f, ANALYZER_PARAMS));
    }

    /** An analyzer from {@code analyzer_params} JSON, failing with Milvus' status for invalid params. */
    public static Analyzer parse(String analyzerParams) {
        try {
            return AnalyzerParams.parse(analyzerParams);
        } catch (AnalyzerException e) {
            throw new QuiverException(ErrorCode.ANALYZER_INVALID, "C Runtime Exception: " + e.getMessage(), e);
        }
    }

    /** Create-time checks of a field's text settings: match needs the analyzer, and the analyzer's params must build. */
    public static void validate(FieldSchema f) {
        if (Schemas.typeParam(f, MULTI_ANALYZER_PARAMS) != null) {
            throw QuiverException.invalid("field %s: multi_analyzer_params (one analyzer per language) is not supported, "
                    + "use analyzer_params", f.getName());
        }
        boolean analyzer = analyzerEnabled(f);
        if (matchEnabled(f) && !analyzer) {
            throw QuiverException.invalid("field %s is set to enable match or bm25 function but not enable analyzer", f.getName());
        }
        if ((analyzer || matchEnabled(f)) && f.getDataType() != DataType.VarChar) {
            throw QuiverException.invalid("enable_analyzer and enable_match apply to VARCHAR fields only, field %s is %s", f.getName(),
                    f.getDataType());
        }
        if (analyzer) {
            analyzer(f);
        }
    }

    private static String trimmed(String v) {
        return v == null ? "" : v.trim();
    }
}
