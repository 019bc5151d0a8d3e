package io.quiver.common.text;

import java.util.List;

/** Transforms a token stream: drops, rewrites or splits tokens. Implementations are immutable and thread-safe. */
public interface TokenFilter {
    List<AnalyzerToken> apply(List<AnalyzerToken> tokens);
}
