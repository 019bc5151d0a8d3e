package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeleteBufferTest {
    @Test
    void forgetsUpToTheFloorAndRefusesOlderDeletes() {
        DeleteBuffer b = new DeleteBuffer();
        for (long i = 1; i <= 200; i++) {
            b.add(i, i * 10);
        }
        b.add("k", 5);
        assertThat(b.size()).isEqualTo(201);
        assertThat(b.forgetUpTo(1000)).isEqualTo(101); // ts 10..1000 and the one at 5
        assertThat(b.size()).isEqualTo(100);
        assertThat(b.keys()).first().isEqualTo(101L);
        assertThat(b.timestamps()).first().isEqualTo(1010L);
        assertThat(b.forgetUpTo(900)).isZero(); // a floor never goes down
        b.add(7L, 1000); // at or below the floor: already in the segments' deltalogs
        assertThat(b.size()).isEqualTo(100);
        b.add(7L, 1001);
        assertThat(b.size()).isEqualTo(101);
        assertThat(b.forgetUpTo(Long.MAX_VALUE)).isEqualTo(101);
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.ramBytesUsed()).isLessThan(16L * 200);
    }
}
