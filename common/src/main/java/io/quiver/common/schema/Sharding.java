package io.quiver.common.schema;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Row-to-shard hashing exactly as Milvus does it, so data placement matches: INT64 keys by 32-bit murmur3
 * (seed 0) of the 8 little-endian bytes, VARCHAR keys by CRC-32 (IEEE) of the UTF-8 bytes; then
 * {@code hash % n} on the unsigned value masked to 31 bits.
 */
public final class Sharding {
    private Sharding() {}

    public static int shardOf(long pk, int n) {
        return (murmur3(pk) & 0x7fffffff) % n;
    }

    public static int shardOf(String pk, int n) {
        CRC32 c = new CRC32();
        c.update(pk.getBytes(StandardCharsets.UTF_8));
        return (int) ((c.getValue() & 0x7fffffffL) % n);
    }

    /** MurmurHash3 x86_32 of the 8 little-endian bytes of {@code v}, seed 0. */
    public static int murmur3(long v) {
        int h = 0;
        h = mix(h, (int) v);
        h = mix(h, (int) (v >>> 32));
        h ^= 8;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mix(int h, int k) {
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        h ^= k;
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }
}
