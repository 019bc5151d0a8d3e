package io.quiver.common.text;

/** Invalid {@code analyzer_params}: the message is Milvus' wording for the same mistake. */
public final class AnalyzerException extends RuntimeException {
    public AnalyzerException(String message) {
        super(message);
    }

    public AnalyzerException(String message, Throwable cause) {
        super(message, cause);
    }
}
