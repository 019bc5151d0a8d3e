package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The phrase rules on shifted positions, with the cases of tantivy's own phrase tests. */
class PhraseMatcherTest {
    private final PhraseMatcher matcher = new PhraseMatcher();

    /** Positions of each term in a document, shifted as the index shifts them (terms at offsets 0, 1, 2, ...). */
    private boolean matches(long slop, int[]... docPositions) {
        int terms = docPositions.length;
        int[][] shifted = new int[terms][];
        int[] lengths = new int[terms];
        for (int t = 0; t < terms; t++) {
            shifted[t] = new int[docPositions[t].length];
            for (int k = 0; k < docPositions[t].length; k++) {
                shifted[t][k] = docPositions[t][k] + (terms - 1 - t);
            }
            lengths[t] = shifted[t].length;
        }
        return matcher.matches(shifted, lengths, slop);
    }

    private static int[] at(int... p) {
        return p;
    }

    @Test
    void slopZeroNeedsTheExactSequence() {
        assertThat(matches(0, at(0), at(1))).isTrue();          // "a b"
        assertThat(matches(0, at(0), at(2))).isFalse();         // "a x b"
        assertThat(matches(0, at(1), at(0))).isFalse();         // "b a"
        assertThat(matches(0, at(0, 5), at(3, 6), at(7))).isTrue(); // "... a b c" at 5, 6, 7
        assertThat(matches(0, at(0, 5), at(3, 6), at(8))).isFalse();
    }

    @Test
    void twoTermsSlopIsADistanceEitherWay() {
        assertThat(matches(1, at(0), at(2))).isTrue();          // one word between
        assertThat(matches(1, at(0), at(3))).isFalse();
        assertThat(matches(2, at(0), at(3))).isTrue();
        assertThat(matches(1, at(1), at(0))).isFalse();         // "b a": a transposition costs 2
        assertThat(matches(2, at(1), at(0))).isTrue();
        assertThat(matches(3, at(0), at(4))).isTrue();          // tantivy: "a b e c" / "a e e e c" with slop 3 ...
        assertThat(matches(3, at(0), at(5))).isFalse();         // ... but not "a e e e e c"
    }

    @Test
    void longerPhrasesSpendOneBudget() {
        // tantivy's contract: "A B C" with slop 1 allows "A X B C" and "A B X C", not "A X B X C"
        assertThat(matches(1, at(0), at(2), at(3))).isTrue();
        assertThat(matches(1, at(0), at(1), at(3))).isTrue();
        assertThat(matches(1, at(0), at(2), at(4))).isFalse();
        assertThat(matches(2, at(0), at(2), at(4))).isTrue();
        // tantivy's test_phrase_score_with_slop_bug_2: "a x b x c" holds "a b c" with slop 2, "a a c" and "b c c" do not
        assertThat(matches(2, at(0, 1), at(), at(2))).isFalse();
        assertThat(matches(2, at(), at(0), at(1, 2))).isFalse();
    }

    @Test
    void repeatedTermsAndLargeBudgets() {
        assertThat(matches(0, at(3, 4), at(3, 4))).isTrue();    // "a a" in "x x x a a"
        assertThat(matches(0, at(3), at(3))).isFalse();
        assertThat(matches(1_000, at(0), at(900), at(1_800))).isFalse(); // 899 + 899 spent
        assertThat(matches(2_000, at(0), at(900), at(1_800))).isTrue();
        assertThat(matches(0xFFFF_FFFFL, at(0), at(1 << 30))).isTrue();
    }

    @Test
    void aPhraseHasTwoTerms() {
        assertThatThrownBy(() -> matcher.matches(new int[][] {at(1)}, new int[] {1}, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
