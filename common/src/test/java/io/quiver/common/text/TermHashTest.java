package io.quiver.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TermHashTest {
    @Test
    void crc32OfTheFirstHundredUtf8BytesModuloMaxUint32() {
        assertThat(TermHash.of("hello")).isEqualTo(0x3610a686L); // CRC-32/IEEE("hello")
        assertThat(TermHash.of("")).isZero();
        String longA = "a".repeat(100);
        assertThat(TermHash.of(longA + "xyz")).isEqualTo(TermHash.of(longA)); // only the first 100 bytes count
        assertThat(TermHash.of("数据库")).isBetween(0L, 0xFFFFFFFEL);
    }
}
