package io.quiver.common.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds an {@link Analyzer} from Milvus' {@code analyzer_params} JSON, with Milvus' rules and error messages:
 * absent, empty or {@code {}} is {@code standard}; {@code {"type": "standard"|"english"|"chinese", "stop_words": [...]}}
 * is a built-in analyzer (other keys ignored, as Milvus does); otherwise {@code {"tokenizer": ..., "filter": [...]}}
 * is a custom one and any other key is refused. Built-ins: standard = SimpleTokenizer + lowercase (+ stop words);
 * english = SimpleTokenizer + lowercase + Snowball English stemmer + the English stop words (after stemming, as Milvus)
 * (+ stop words); chinese = jieba (search mode) + cnalphanumonly (+ stop words).
 */
public final class AnalyzerParams {
    private static final Analyzer STANDARD = new Analyzer(SimpleTokenizer.INSTANCE, List.of(TokenFilters.named("lowercase")));

    private AnalyzerParams() {}

    /** The analyzer for a field's {@code analyzer_params} (null or blank: standard). */
    public static Analyzer parse(String json) {
        if (json == null || json.isBlank()) {
            return STANDARD;
        }
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new AnalyzerException("analyzer params are not valid json: " + e.getMessage(), e);
        }
        if (!root.isJsonObject()) {
            throw new AnalyzerException("params should be a json map");
        }
        return build(root.getAsJsonObject());
    }

    static Analyzer build(JsonObject p) {
        if (p.isEmpty()) {
            return STANDARD;
        }
        if (p.has("type")) {
            if (!isString(p.get("type"))) {
                throw new AnalyzerException("analyzer type shoud be string");
            }
            return builtIn(p.get("type").getAsString(), stopWordsOption(p));
        }
        Tokenizer tokenizer = tokenizer(p.get("tokenizer"));
        List<TokenFilter> filters = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : p.entrySet()) {
            switch (e.getKey()) {
                case "tokenizer" -> { }
                case "filter" -> filters.addAll(filters(e.getValue()));
                default -> throw new AnalyzerException("unknown analyzer option key: " + e.getKey());
            }
        }
        return new Analyzer(tokenizer, filters);
    }

    private static Analyzer builtIn(String type, List<String> stopWords) {
        List<TokenFilter> filters = new ArrayList<>();
        Tokenizer tokenizer;
        switch (type) {
            case "standard" -> {
                tokenizer = SimpleTokenizer.INSTANCE;
                filters.add(TokenFilters.named("lowercase"));
            }
            case "english" -> {
                tokenizer = SimpleTokenizer.INSTANCE;
                filters.add(TokenFilters.named("lowercase"));
                filters.add(TokenFilters.stemmer("english"));
                filters.add(TokenFilters.stop(StopWords.ENGLISH));
            }
            case "chinese" -> {
                tokenizer = new JiebaTokenizer(JiebaTokenizer.Mode.SEARCH);
                filters.add(TokenFilters.named("cnalphanumonly"));
            }
            default -> throw new AnalyzerException("unknown build-in analyzer type: " + type);
        }
        if (!stopWords.isEmpty()) {
            filters.add(TokenFilters.stop(StopWords.expand(stopWords)));
        }
        return new Analyzer(tokenizer, filters);
    }

    private static List<String> stopWordsOption(JsonObject p) {
        return p.has("stop_words") ? stringList(p.get("stop_words"), "filter stop_words") : List.of();
    }

    private static Tokenizer tokenizer(JsonElement t) {
        if (t == null || t.isJsonNull()) {
            throw new AnalyzerException("tokenizer name or type must be set");
        }
        String name;
        JsonObject params = null;
        if (isString(t)) {
            name = t.getAsString();
        } else if (t.isJsonObject()) {
            params = t.getAsJsonObject();
            JsonElement type = params.get("type");
            if (type == null) {
                throw new AnalyzerException("costum tokenizer must set type");
            }
            if (!isString(type)) {
                throw new AnalyzerException("tokenizer type should be string");
            }
            name = type.getAsString();
        } else {
            throw new AnalyzerException("tokenizer name should be string or dict");
        }
        return switch (name) {
            case "standard" -> SimpleTokenizer.INSTANCE;
            case "whitespace" -> WhitespaceTokenizer.INSTANCE;
            case "jieba" -> jieba(params);
            default -> throw new AnalyzerException("unsupported tokenizer: " + name);
        };
    }

    private static Tokenizer jieba(JsonObject p) {
        if (p == null) {
            return new JiebaTokenizer(JiebaTokenizer.Mode.SEARCH);
        }
        if (p.has("dict")) {
            JsonElement d = p.get("dict");
            if (!d.isJsonArray()) {
                throw new AnalyzerException("jieba tokenizer dict must be array");
            }
            for (JsonElement w : d.getAsJsonArray()) {
                if (!isString(w)) {
                    throw new AnalyzerException("jieba tokenizer dict item must be string");
                }
                if (!w.getAsString().equals("_default_")) {
                    throw new AnalyzerException("jieba tokenizer dict: only [\"_default_\"] is supported, custom words such as \""
                            + w.getAsString() + "\" are not");
                }
            }
            if (d.getAsJsonArray().isEmpty()) {
                throw new AnalyzerException("jieba tokenizer dict: an empty dictionary is not supported, use [\"_default_\"]");
            }
        }
        JiebaTokenizer.Mode mode = JiebaTokenizer.Mode.SEARCH;
        if (p.has("mode")) {
            if (!isString(p.get("mode"))) {
                throw new AnalyzerException("jieba tokenizer mode must be string");
            }
            mode = switch (p.get("mode").getAsString()) {
                case "exact" -> JiebaTokenizer.Mode.EXACT;
                case "search" -> JiebaTokenizer.Mode.SEARCH;
                default -> throw new AnalyzerException("jieba tokenizer mode must be \"exact\" or \"search\"");
            };
        }
        if (p.has("hmm")) {
            JsonElement h = p.get("hmm");
            if (!h.isJsonPrimitive() || !h.getAsJsonPrimitive().isBoolean()) {
                throw new AnalyzerException("jieba tokenizer hmm must be boolean");
            }
            if (!h.getAsBoolean()) {
                throw new AnalyzerException("jieba tokenizer hmm=false is not supported (unknown words are segmented with the HMM)");
            }
        }
        return new JiebaTokenizer(mode);
    }

    private static List<TokenFilter> filters(JsonElement f) {
        if (!f.isJsonArray()) {
            throw new AnalyzerException("filter params should be array");
        }
        List<TokenFilter> out = new ArrayList<>();
        for (JsonElement item : f.getAsJsonArray()) {
            if (isString(item)) {
                TokenFilter named = TokenFilters.named(item.getAsString());
                if (named == null) {
                    throw new AnalyzerException("build analyzer failed, filter not found :" + item.getAsString());
                }
                out.add(named);
            } else if (item.isJsonObject()) {
                out.add(customFilter(item.getAsJsonObject()));
            } else {
                throw new AnalyzerException("filter should be a name or a dict, got " + item);
            }
        }
        return out;
    }

    private static TokenFilter customFilter(JsonObject p) {
        JsonElement type = p.get("type");
        if (type == null) {
            throw new AnalyzerException("no type field in filter params");
        }
        if (!isString(type)) {
            throw new AnalyzerException("filter type should be string");
        }
        return switch (type.getAsString()) {
            case "length" -> {
                JsonElement max = p.get("max");
                if (max == null || !max.isJsonPrimitive() || !max.getAsJsonPrimitive().isNumber() || !isUnsigned(max.getAsJsonPrimitive())) {
                    throw new AnalyzerException("lenth max param was none or not uint");
                }
                yield TokenFilters.length(max.getAsLong());
            }
            case "stop" -> TokenFilters.stop(p.has("stop_words") ? StopWords.expand(stringList(p.get("stop_words"), "stop_words")) : List.of());
            case "decompounder" -> {
                JsonElement words = p.get("word_list");
                if (words == null || !words.isJsonArray()) {
                    throw new AnalyzerException("decompounder word list should be array");
                }
                yield TokenFilters.decompounder(stringList(words, "decompounder word list"));
            }
            case "stemmer" -> {
                JsonElement lang = p.get("language");
                if (lang == null || !isString(lang)) {
                    throw new AnalyzerException("stemmer language field should be string");
                }
                TokenFilter s = TokenFilters.stemmer(lang.getAsString());
                if (s == null) {
                    throw new AnalyzerException("create stemmer failed : unsupport language: " + lang.getAsString());
                }
                yield s;
            }
            case "regex" -> {
                JsonElement expr = p.get("expr");
                if (expr == null || !isString(expr)) {
                    throw new AnalyzerException("regex expr should be string");
                }
                try {
                    yield TokenFilters.regex(Pattern.compile(expr.getAsString()));
                } catch (PatternSyntaxException e) {
                    throw new AnalyzerException("regex expr is invalid: " + e.getDescription(), e);
                }
            }
            default -> throw new AnalyzerException("unsupport filter type: " + type.getAsString());
        };
    }

    private static List<String> stringList(JsonElement v, String label) {
        if (!v.isJsonArray()) {
            throw new AnalyzerException(label + " should be array");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement e : v.getAsJsonArray()) {
            if (!isString(e)) {
                throw new AnalyzerException(label + " list item should be string");
            }
            out.add(e.getAsString());
        }
        return out;
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    private static boolean isUnsigned(JsonPrimitive n) {
        String s = n.getAsString();
        return s.chars().allMatch(Character::isDigit);
    }
}
