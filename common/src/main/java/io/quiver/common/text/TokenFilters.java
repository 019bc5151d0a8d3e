package io.quiver.common.text;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.tartarus.snowball.SnowballStemmer;
import org.tartarus.snowball.ext.ArabicStemmer;
import org.tartarus.snowball.ext.DanishStemmer;
import org.tartarus.snowball.ext.DutchStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.FinnishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;
import org.tartarus.snowball.ext.GermanStemmer;
import org.tartarus.snowball.ext.GreekStemmer;
import org.tartarus.snowball.ext.HungarianStemmer;
import org.tartarus.snowball.ext.ItalianStemmer;
import org.tartarus.snowball.ext.NorwegianStemmer;
import org.tartarus.snowball.ext.PortugueseStemmer;
import org.tartarus.snowball.ext.RomanianStemmer;
import org.tartarus.snowball.ext.RussianStemmer;
import org.tartarus.snowball.ext.SpanishStemmer;
import org.tartarus.snowball.ext.SwedishStemmer;
import org.tartarus.snowball.ext.TamilStemmer;
import org.tartarus.snowball.ext.TurkishStemmer;

/**
 * Milvus' token filters (tantivy's and Milvus' own), by the names {@code analyzer_params} use. Each keeps Milvus'
 * semantics: {@code length} keeps tokens of at most {@code max} UTF-8 bytes, {@code alphanumonly} keeps tokens made
 * only of ASCII letters and digits, {@code cnalphanumonly} keeps tokens containing a Han character or an ASCII letter
 * or digit, {@code cncharonly} tokens containing a Han character, {@code removepunct} drops tokens containing
 * punctuation or white space, {@code stop} drops exact matches, {@code stemmer} runs a Snowball stemmer,
 * {@code decompounder} splits a token only when it is entirely a sequence of dictionary words (longest match first),
 * {@code regex} keeps tokens the expression matches anywhere in.
 */
public final class TokenFilters {
    private static final Pattern HAN = Pattern.compile("\\p{IsHan}");
    private static final Pattern HAN_OR_ALNUM = Pattern.compile("[\\p{IsHan}a-zA-Z0-9]");
    private static final Pattern PUNCT_OR_SPACE = Pattern.compile("[\\p{IsPunctuation}\\p{IsWhite_Space}]");
    private static final Map<String, Supplier<SnowballStemmer>> STEMMERS = Map.ofEntries(
            Map.entry("arabic", ArabicStemmer::new), Map.entry("arabig", ArabicStemmer::new), Map.entry("danish", DanishStemmer::new),
            Map.entry("dutch", DutchStemmer::new), Map.entry("english", EnglishStemmer::new), Map.entry("finnish", FinnishStemmer::new),
            Map.entry("french", FrenchStemmer::new), Map.entry("german", GermanStemmer::new), Map.entry("greek", GreekStemmer::new),
            Map.entry("hungarian", HungarianStemmer::new), Map.entry("italian", ItalianStemmer::new),
            Map.entry("norwegian", NorwegianStemmer::new), Map.entry("portuguese", PortugueseStemmer::new),
            Map.entry("romanian", RomanianStemmer::new), Map.entry("russian", RussianStemmer::new),
            Map.entry("spanish", SpanishStemmer::new), Map.entry("swedish", SwedishStemmer::new), Map.entry("tamil", TamilStemmer::new),
            Map.entry("turkish", TurkishStemmer::new));

    private TokenFilters() {}

    /** A built-in filter named by a plain string in {@code filter}, if there is one by that name. */
    public static TokenFilter named(String name) {
        return switch (name) {
            case "lowercase" -> map(TokenFilters::lowercase);
            case "asciifolding" -> map(TokenFilters::asciiFold);
            case "alphanumonly" -> keep(t -> t.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c)));
            case "cncharonly" -> keep(t -> HAN.matcher(t).find());
            case "cnalphanumonly" -> keep(t -> HAN_OR_ALNUM.matcher(t).find());
            case "removepunct" -> keep(t -> !PUNCT_OR_SPACE.matcher(t).find());
            default -> null;
        };
    }

    public static TokenFilter length(long max) {
        return keep(t -> Utf8Offsets.length(t) <= max);
    }

    public static TokenFilter stop(Collection<String> words) {
        Set<String> set = Set.copyOf(words);
        return keep(t -> !set.contains(t));
    }

    /** A Snowball stemmer by Milvus' language name (case-insensitive), or null when there is none. */
    public static TokenFilter stemmer(String language) {
        Supplier<SnowballStemmer> s = STEMMERS.get(language.toLowerCase(Locale.ROOT));
        if (s == null) {
            return null;
        }
        return tokens -> {
            SnowballStemmer stemmer = s.get(); // not thread-safe: one per call
            return mapWith(tokens, t -> {
                stemmer.setCurrent(t);
                stemmer.stem();
                return stemmer.getCurrent();
            });
        };
    }

    public static TokenFilter decompounder(Collection<String> words) {
        Set<String> dict = Set.copyOf(words);
        int longest = dict.stream().mapToInt(String::length).max().orElse(0);
        return tokens -> {
            List<AnalyzerToken> out = new ArrayList<>(tokens.size());
            for (AnalyzerToken t : tokens) {
                List<String> parts = split(t.text(), dict, longest);
                if (parts == null) {
                    out.add(t);
                } else {
                    parts.forEach(p -> out.add(t.withText(p)));
                }
            }
            return out;
        };
    }

    public static TokenFilter regex(Pattern p) {
        return keep(t -> p.matcher(t).find());
    }

    /** The token as consecutive dictionary words, longest first at each step; null when that does not cover it. */
    static List<String> split(String text, Set<String> dict, int longest) {
        List<String> parts = new ArrayList<>();
        int pos = 0;
        while (pos < text.length()) {
            int end = -1;
            for (int e = Math.min(text.length(), pos + longest); e > pos; e--) {
                if (dict.contains(text.substring(pos, e))) {
                    end = e;
                    break;
                }
            }
            if (end < 0) {
                return null;
            }
            parts.add(text.substring(pos, end));
            pos = end;
        }
        return parts.isEmpty() ? null : parts;
    }

    /** Rust's {@code str::to_lowercase} (final sigma included), as tantivy's LowerCaser. */
    static String lowercase(String t) {
        return t.toLowerCase(Locale.ROOT);
    }

    static String asciiFold(String t) {
        char[] in = t.toCharArray();
        char[] out = new char[in.length * 4];
        int n = ASCIIFoldingFilter.foldToASCII(in, 0, out, 0, in.length);
        return new String(out, 0, n);
    }

    private static TokenFilter keep(Predicate<String> p) {
        return tokens -> {
            List<AnalyzerToken> out = new ArrayList<>(tokens.size());
            for (AnalyzerToken t : tokens) {
                if (p.test(t.text())) {
                    out.add(t);
                }
            }
            return out;
        };
    }

    private static TokenFilter map(Function<String, String> f) {
        return tokens -> mapWith(tokens, f);
    }

    private static List<AnalyzerToken> mapWith(List<AnalyzerToken> tokens, Function<String, String> f) {
        List<AnalyzerToken> out = new ArrayList<>(tokens.size());
        for (AnalyzerToken t : tokens) {
            out.add(t.withText(f.apply(t.text())));
        }
        return out;
    }
}
