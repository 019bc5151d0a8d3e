package io.quiver.index;

import java.util.Arrays;

/**
 * FLOAT16 (IEEE 754 binary16) and BFLOAT16 vectors as Milvus stores them (little-endian, two bytes per component),
 * widened to float32 exactly (every half value is a float), so the float kernels and indexes score them: a search
 * over half vectors gives the float32 answer for the rounded values. {@link Rows} caches the widened rows of an
 * append-only column (a growing segment), decoding each row once.
 */
public final class HalfFloats {
    /** The two 16-bit formats. */
    public enum Kind { FLOAT16, BFLOAT16 }

    private HalfFloats() {}

    public static float toFloat(int bits16, Kind kind) {
        return kind == Kind.FLOAT16 ? Float.float16ToFloat((short) bits16) : Float.intBitsToFloat((bits16 & 0xffff) << 16);
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

    /**
     * The widened rows of an append-only half-float column, decoded as readers ask for them. Thread-safe: a reader gets
     * an array covering at least the rows it asked for; rows already covered never change.
     */
    public static final class Rows {
        private final Kind kind;
        private final int dim;
        private volatile float[] data = new float[0];
        /** Rows covered by {@link #data}; written after it (volatile), so a reader that sees a count sees its values. */
        private volatile int decoded;

        public Rows(Kind kind, int dim) {
            this.kind = kind;
            this.dim = dim;
        }

        /** Float rows covering at least rows {@code 0..rows-1} of {@code src}. */
        public float[] upTo(byte[] src, int rows) {
            if (decoded >= rows) {
                return data;
            }
            synchronized (this) {
                int from = decoded;
                if (from >= rows) {
                    return data;
                }
                float[] cur = data;
                float[] next = cur.length >= rows * dim ? cur : Arrays.copyOf(cur, Math.max(rows * dim, cur.length + (cur.length >> 1)));
                decode(src, from * dim, (rows - from) * dim, kind, next, from * dim);
                data = next;
                decoded = rows;
                return next;
            }
        }

        public long ramBytesUsed() {
            return 32L + 4L * data.length;
        }
    }
}
