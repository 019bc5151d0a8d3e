package io.quiver.common.text;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** A tokenizer followed by filters, applied in order (Milvus' analyzer model). Thread-safe. */
public record Analyzer(Tokenizer tokenizer, List<TokenFilter> filters) {
    public Analyzer {
        requireNonNull(tokenizer, "tokenizer is null");
        filters = List.copyOf(filters);
    }

    public List<AnalyzerToken> analyze(String text) {
        List<AnalyzerToken> tokens = tokenizer.tokenize(text);
        for (TokenFilter f : filters) {
            tokens = f.apply(tokens);
        }
        return tokens;
    }
}
