package io.quiver.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
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
    void rowsCacheDecodesAnAppendOnlyColumnIncrementally() {
        Random r = new Random(3);
        int dim = 4;
        short[] half = new short[10 * dim];
        for (int i = 0; i < half.length; i++) {
            half[i] = Float.floatToFloat16(r.nextFloat() * 4 - 2);
        }
        byte[] bytes = le(half);
        HalfFloats.Rows rows = new HalfFloats.Rows(HalfFloats.Kind.FLOAT16, dim);
        float[] first = rows.upTo(bytes, 3);
        assertThat(first.length).isGreaterThanOrEqualTo(3 * dim);
        float[] all = rows.upTo(bytes, 10);
        for (int i = 0; i < 10 * dim; i++) {
            assertThat(all[i]).isEqualTo(Float.float16ToFloat(half[i]));
        }
        assertThat(rows.upTo(bytes, 5)).isSameAs(all);
    }
}
