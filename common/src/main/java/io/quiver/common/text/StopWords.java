package io.quiver.common.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Milvus' stop word lists: {@code _english_} is the 33-word list Milvus' English analyzer uses (Lucene's English stop
 * set); {@code _danish_}, {@code _dutch_}, ... {@code _swedish_} are the Snowball project's lists, read from the
 * copies Lucene ships. In a {@code stop_words} array a name that starts with {@code _} and names a list expands to
 * it; anything else is a word.
 */
public final class StopWords {
    public static final List<String> ENGLISH = List.of("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in",
            "into", "is", "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this",
            "to", "was", "will", "with");
    private static final List<String> SNOWBALL = List.of("danish", "dutch", "finnish", "french", "german", "hungarian", "italian",
            "norwegian", "portuguese", "russian", "spanish", "swedish");
    private static final Map<String, List<String>> LOADED = new ConcurrentHashMap<>();

    private StopWords() {}

    /** The list a name such as {@code _french_} stands for, if it names one. */
    public static Optional<List<String>> language(String name) {
        if (name.equals("_english_")) {
            return Optional.of(ENGLISH);
        }
        if (name.length() > 2 && name.startsWith("_") && name.endsWith("_")) {
            String lang = name.substring(1, name.length() - 1);
            if (SNOWBALL.contains(lang)) {
                return Optional.of(LOADED.computeIfAbsent(lang, StopWords::load));
            }
        }
        return Optional.empty();
    }

    /** The words of a {@code stop_words} array, language lists expanded. */
    public static Set<String> expand(List<String> entries) {
        Set<String> out = new LinkedHashSet<>();
        for (String e : entries) {
            language(e).ifPresentOrElse(out::addAll, () -> out.add(e));
        }
        return out;
    }

    /** A Snowball stop file: one word per line, {@code |} starts a comment. */
    private static List<String> load(String lang) {
        String path = "/org/apache/lucene/analysis/snowball/" + lang + "_stop.txt";
        try (InputStream in = StopWords.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing stop word list " + path);
            }
            List<String> words = new ArrayList<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                int bar = line.indexOf('|');
                String w = (bar >= 0 ? line.substring(0, bar) : line).trim();
                for (String part : w.split("\\s+")) {
                    if (!part.isEmpty()) {
                        words.add(part);
                    }
                }
            }
            return List.copyOf(words);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
