package io.quiver.common.binlog;

/**
 * MurmurHash3 x64 128-bit (Austin Appleby, smhasher {@code MurmurHash3_x64_128}), the variant Guava calls
 * {@code murmur3_128}: input bytes read as little-endian 64-bit blocks, result {@code (h1, h2)}. Guava's
 * {@code HashCode.asLong()} is {@code h1}. Kept here, small and dependency-free, because the PK bloom filter
 * persisted in statslogs depends on its exact output.
 */
final class Murmur3 {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private Murmur3() {}

    /** Hash of {@code data[off, off + len)}; returns {h1, h2}. */
    static long[] hash128(byte[] data, int off, int len, long seed) {
        long h1 = seed, h2 = seed;
        int blocks = len >>> 4;
        for (int b = 0; b < blocks; b++) {
            int i = off + (b << 4);
            long k1 = le64(data, i), k2 = le64(data, i + 8);
            h1 ^= mixK1(k1);
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= mixK2(k2);
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        int t = off + (blocks << 4);
        int rem = len & 15;
        long k1 = 0, k2 = 0;
        for (int j = rem - 1; j >= 8; j--) k2 ^= (long) (data[t + j] & 0xff) << ((j - 8) * 8);
        for (int j = Math.min(rem, 8) - 1; j >= 0; j--) k1 ^= (long) (data[t + j] & 0xff) << (j * 8);
        if (rem > 8) h2 ^= mixK2(k2);
        if (rem > 0) h1 ^= mixK1(k1);
        return finish(h1, h2, len);
    }

    /** Hash of the 8 little-endian bytes of {@code v} (same as {@code hash128} of those bytes). */
    static long[] hash128(long v, long seed) {
        long h1 = seed ^ mixK1(v), h2 = seed;
        return finish(h1, h2, 8);
    }

    private static long[] finish(long h1, long h2, int len) {
        h1 ^= len;
        h2 ^= len;
        h1 += h2;
        h2 += h1;
        h1 = fmix64(h1);
        h2 = fmix64(h2);
        h1 += h2;
        h2 += h1;
        return new long[] {h1, h2};
    }

    private static long mixK1(long k1) {
        k1 *= C1;
        k1 = Long.rotateLeft(k1, 31);
        return k1 * C2;
    }

    private static long mixK2(long k2) {
        k2 *= C2;
        k2 = Long.rotateLeft(k2, 33);
        return k2 * C1;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }

    private static long le64(byte[] b, int i) {
        return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24
                | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40 | (b[i + 6] & 0xffL) << 48 | (b[i + 7] & 0xffL) << 56;
    }
}
