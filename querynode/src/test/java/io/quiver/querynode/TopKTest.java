package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKTest {
    @Test
    void keepsTheBestInOrder() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (boolean ascending : new boolean[] {true, false}) {
            float[] all = new float[1000];
            TopK t = new TopK(10, ascending);
            for (int i = 0; i < all.length; i++) {
                all[i] = r.nextFloat();
                t.offer(all[i], i);
            }
            float[] scores = new float[10];
            long[] tags = new long[10];
            assertThat(t.drain(scores, tags)).isEqualTo(10);
            float[] sorted = all.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < 10; i++) {
                float expected = ascending ? sorted[i] : sorted[sorted.length - 1 - i];
                assertThat(scores[i]).as("seed %d", seed).isEqualTo(expected);
                assertThat(all[(int) tags[i]]).isEqualTo(expected);
            }
        }
    }

    @Test
    void fewerThanK() {
        TopK t = new TopK(5, true);
        t.offer(3, 3);
        t.offer(1, 1);
        float[] s = new float[5];
        long[] tags = new long[5];
        assertThat(t.drain(s, tags)).isEqualTo(2);
        assertThat(tags[0]).isEqualTo(1);
        assertThat(tags[1]).isEqualTo(3);
    }
}
