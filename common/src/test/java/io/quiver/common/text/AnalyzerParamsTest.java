package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** analyzer_params as Milvus reads them: built-ins, custom pipelines, and Milvus' messages for every mistake. */
class AnalyzerParamsTest {
    private static List<String> tokens(String params, String text) {
        return AnalyzerParams.parse(params).analyze(text).stream().map(AnalyzerToken::text).toList();
    }

    @Test
    void absentOrEmptyParamsAreTheStandardAnalyzer() {
        for (String p : new String[] {null, "", "{}", "{\"type\": \"standard\"}"}) {
            assertThat(tokens(p, "The Dog's 32.3 ÉTÉ")).containsExactly("the", "dog", "s", "32", "3", "été");
        }
        assertThat(tokens("{\"type\": \"standard\", \"stop_words\": [\"the\", \"_english_\"]}", "The dog is here"))
                .containsExactly("dog", "here");
    }

    @Test
    void englishStemsThenDropsTheEnglishStopWords() {
        assertThat(tokens("{\"type\": \"english\"}", "The running dogs are happily jumping over THE fences"))
                .containsExactly("run", "dog", "happili", "jump", "over", "fenc");
        assertThat(tokens("{\"type\": \"english\", \"stop_words\": [\"dog\"], \"ignored\": 1}", "dogs and cats")).containsExactly("cat");
    }

    @Test
    void chineseIsJiebaThenCnAlphaNumOnly() {
        assertThat(tokens("{\"type\": \"chinese\"}", "Milvus 是一个向量数据库！")).containsExactly("Milvus", "是", "一个", "向量", "数据", "据库", "数据库");
    }

    @Test
    void customPipelines() {
        assertThat(tokens("{\"tokenizer\": \"whitespace\", \"filter\": [\"lowercase\", {\"type\": \"length\", \"max\": 4}]}", "Ab-C dogs xylophone"))
                .containsExactly("ab-c", "dogs");
        assertThat(tokens("{\"tokenizer\": {\"type\": \"jieba\", \"mode\": \"exact\"}, \"filter\": [\"removepunct\"]}", "结巴分词器，测试"))
                .containsExactly("结巴", "分词器", "测试");
        assertThat(tokens("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"stop\", \"stop_words\": [\"_french_\"]}]}", "le chat et la souris"))
                .containsExactly("chat", "souris");
        assertThat(tokens("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"stemmer\", \"language\": \"english\"}]}", "Running runs"))
                .containsExactly("Run", "run");
    }

    @Test
    void mistakesGetMilvusMessages() {
        assertRefused("[1]", "params should be a json map");
        assertRefused("{not json", "not valid json");
        assertRefused("{\"type\": 1}", "analyzer type shoud be string");
        assertRefused("{\"type\": \"klingon\"}", "unknown build-in analyzer type: klingon");
        assertRefused("{\"type\": \"standard\", \"stop_words\": \"the\"}", "filter stop_words should be array");
        assertRefused("{\"filter\": []}", "tokenizer name or type must be set");
        assertRefused("{\"tokenizer\": 1}", "tokenizer name should be string or dict");
        assertRefused("{\"tokenizer\": {\"mode\": \"exact\"}}", "costum tokenizer must set type");
        assertRefused("{\"tokenizer\": \"icu2\"}", "unsupported tokenizer: icu2");
        assertRefused("{\"tokenizer\": \"standard\", \"color\": \"red\"}", "unknown analyzer option key: color");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": \"lowercase\"}", "filter params should be array");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [\"uppercase\"]}", "build analyzer failed, filter not found :uppercase");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [{\"max\": 3}]}", "no type field in filter params");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"shingle\"}]}", "unsupport filter type: shingle");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"length\", \"max\": -1}]}", "lenth max param was none or not uint");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"stemmer\", \"language\": \"elvish\"}]}", "unsupport language: elvish");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"stop\", \"stop_words\": [1]}]}", "stop_words list item should be string");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"decompounder\"}]}", "decompounder word list should be array");
        assertRefused("{\"tokenizer\": \"standard\", \"filter\": [{\"type\": \"regex\", \"expr\": \"(\"}]}", "regex expr is invalid");
        assertRefused("{\"tokenizer\": {\"type\": \"jieba\", \"mode\": \"fast\"}}", "jieba tokenizer mode must be \"exact\" or \"search\"");
        assertRefused("{\"tokenizer\": {\"type\": \"jieba\", \"dict\": [\"结巴分词器\"]}}", "only [\"_default_\"] is supported");
        assertRefused("{\"tokenizer\": {\"type\": \"jieba\", \"hmm\": false}}", "hmm=false is not supported");
    }

    private static void assertRefused(String params, String message) {
        assertThatThrownBy(() -> AnalyzerParams.parse(params)).isInstanceOf(AnalyzerException.class).hasMessageContaining(message);
    }
}
