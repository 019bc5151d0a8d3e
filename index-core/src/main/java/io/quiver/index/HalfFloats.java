package io.quiver.index;

/**
 * FLOAT16 (IEEE 754 binary16) and BFLOAT16 values as Milvus stores them (little-endian, two bytes per component):
 * widening to float32 (exact: every 16-bit value is a float32) and rounding from it. Indexes keep such rows as their
 * 16 bits and widen in the kernels ({@code VectorUtil}); this class serves queries, training copies and tests.
 */
public final class HalfFloats {
    /** The two 16-bit formats. */
    public enum Kind { FLOAT16, BFLOAT16 }

    private HalfFloats() {}

    public static float toFloat(int bits16, Kind kind) {
        return kind == Kind.FLOAT16 ? Float.float16ToFloat((short) bits16) : Float.intBitsToFloat((bits16 & 0xffff) << 16);
    }

    /** The nearest 16-bit value (ties to even), as the SDKs convert float32 to FLOAT16 / BFLOAT16. */
    public static short fromFloat(float f, Kind kind) {
        if (kind == Kind.FLOAT16) {
            return Float.floatToFloat16(f);
        }
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40); // stays a (quiet) NaN whatever low bits are dropped
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The first {@code count} values of {@code src} rounded to 16 bits, little-endian, two bytes each. */
    public static byte[] encode(float[] src, int count, Kind kind) {
        byte[] out = new byte[2 * count];
        for (int i = 0; i < count; i++) {
            short h = fromFloat(src[i], kind);
            out[2 * i] = (byte) h;
            out[2 * i + 1] = (byte) (h >> 8);
        }
        return out;
    }

    /** Components {@code [from, from + count)} of {@code src} (2 bytes each) widened into {@code dst} at {@code dstOffset}. */
    public static void decode(byte[] src, int from, int count, Kind kind, float[] dst, int dstOffset) {
        if ((long) (from + count) * 2 > src.length) {
            throw new IndexParamException("half-float data too short: need " + (long) (from + count) * 2 + " bytes, got " + src.length);
        }
        for (int i = 0; i < count; i++) {
            int p = (from + i) * 2;
            int bits = (src[p] & 0xff) | (src[p + 1] & 0xff) << 8;
            dst[dstOffset + i] = toFloat(bits, kind);
        }
    }

    /** {@code rows} vectors of {@code dim} components widened to a row-major float array. */
    public static float[] decode(byte[] src, int rows, int dim, Kind kind) {
        float[] out = new float[rows * dim];
        decode(src, 0, rows * dim, kind, out, 0);
        return out;
    }
}
