package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TermCountsTest {
    private static final Analyzer STANDARD = AnalyzerParams.parse(null);

    @Test
    void countsDistinctTermsAscendingUnsigned() {
        TermCounts c = TermCounts.of(STANDARD, "The dog and THE cat, the dog's bowl");
        assertThat(c.length()).isEqualTo(9); // the dog and the cat the dog s bowl
        long the = TermHash.of("the");
        int at = -1;
        for (int i = 0; i < c.size(); i++) {
            if (Integer.toUnsignedLong(c.terms()[i]) == the) {
                at = i;
            }
            if (i > 0) {
                assertThat(Integer.compareUnsigned(c.terms()[i - 1], c.terms()[i])).isNegative();
            }
        }
        assertThat(c.counts()[at]).isEqualTo(3);
        assertThat(c.size()).isEqualTo(6);
    }

    @Test
    void sparseRowIsMilvusEncoding() {
        TermCounts c = TermCounts.of(STANDARD, "b a b");
        ByteBuffer b = ByteBuffer.wrap(c.sparseRow()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining()).isEqualTo(16);
        for (int i = 0; i < 2; i++) {
            assertThat(b.getInt()).isEqualTo(c.terms()[i]);
            assertThat(b.getFloat()).isEqualTo((float) c.counts()[i]);
        }
    }

    @Test
    void emptyOrNullTextHasNoTerms() {
        assertThat(TermCounts.of(STANDARD, "").size()).isZero();
        assertThat(TermCounts.of(STANDARD, null).sparseRow()).isEmpty();
        assertThat(TermCounts.of(STANDARD, "... !!").size()).isZero();
    }
}
