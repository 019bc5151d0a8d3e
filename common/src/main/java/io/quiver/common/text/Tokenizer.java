package io.quiver.common.text;

import java.util.List;

/** Splits a text into tokens (before any filter). Implementations are immutable and thread-safe. */
public interface Tokenizer {
    List<AnalyzerToken> tokenize(String text);
}
