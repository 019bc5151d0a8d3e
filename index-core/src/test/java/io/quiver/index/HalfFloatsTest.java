package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {
    private static byte[] le(short... v) {
        byte[] b = new byte[v.length * 2];
        for (int i = 0; i < v.length; i++) {
            b[2 * i] = (byte) v[i];
            b[2 * i + 1] = (byte) (v[i] >> 8);
        }
        return b;
    }

    @Test
    void widensEveryHalfValueExactly() {
        for (int bits = 0; bits < 65536; bits++) {
            float f16 = HalfFloats.toFloat(bits, HalfFloats.Kind.FLOAT16);
            float bf16 = HalfFloats.toFloat(bits, HalfFloats.Kind.BFLOAT16);
            if (!Float.isNaN(f16)) {
                assertThat(Float.floatToFloat16(f16)).isEqualTo((short) bits); // the round trip is exact
            }
            assertThat(Float.floatToRawIntBits(bf16) >>> 16).isEqualTo(bits);
        }
        assertThat(HalfFloats.decode(le((short) 0x3c00, (short) 0xc000), 1, 2, HalfFloats.Kind.FLOAT16)).containsExactly(1.0f, -2.0f);
        assertThat(HalfFloats.decode(le((short) 0x3f80, (short) 0x4040), 2, 1, HalfFloats.Kind.BFLOAT16)).containsExactly(1.0f, 3.0f);
        assertThatThrownBy(() -> HalfFloats.decode(new byte[3], 1, 2, HalfFloats.Kind.FLOAT16)).isInstanceOf(IndexParamException.class);
    }

    @Test
    void roundingIsToNearestEvenAndRoundTripsEveryValue() {
        for (HalfFloats.Kind kind : HalfFloats.Kind.values()) {
            for (int bits = 0; bits < 65536; bits++) {
                float x = HalfFloats.toFloat(bits, kind);
                if (!Float.isNaN(x)) {
                    assertThat(HalfFloats.fromFloat(x, kind)).isEqualTo((short) bits);
                } else {
                    assertThat(HalfFloats.toFloat(HalfFloats.fromFloat(x, kind), kind)).isNaN();
                }
            }
        }
        // BFLOAT16 keeps the top 16 bits of a float32, rounded to nearest, ties to even
        assertThat(HalfFloats.fromFloat(Float.intBitsToFloat(0x3f808000), HalfFloats.Kind.BFLOAT16)).isEqualTo((short) 0x3f80);
        assertThat(HalfFloats.fromFloat(Float.intBitsToFloat(0x3f818000), HalfFloats.Kind.BFLOAT16)).isEqualTo((short) 0x3f82);
        assertThat(HalfFloats.fromFloat(Float.intBitsToFloat(0x3f808001), HalfFloats.Kind.BFLOAT16)).isEqualTo((short) 0x3f81);
        assertThat(HalfFloats.encode(new float[] {1f, -2f, 9f}, 2, HalfFloats.Kind.FLOAT16)).containsExactly(le((short) 0x3c00, (short) 0xc000));
    }
}
