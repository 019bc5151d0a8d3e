package io.quiver.common.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardingTest {
    @Test
    void murmur3MatchesReferenceVectors() {
        // MurmurHash3_x86_32, seed 0, over the 8 little-endian bytes (Milvus' typeutil.Hash32Int64); values from an
        // independent implementation
        assertThat(Integer.toUnsignedLong(Sharding.murmur3(0L))).isEqualTo(1669671676L);
        assertThat(Integer.toUnsignedLong(Sharding.murmur3(1L))).isEqualTo(1392991556L);
        assertThat(Integer.toUnsignedLong(Sharding.murmur3(42L))).isEqualTo(1871679806L);
        assertThat(Integer.toUnsignedLong(Sharding.murmur3(-1L))).isEqualTo(1651860712L);
        assertThat(Integer.toUnsignedLong(Sharding.murmur3(1234567890123L))).isEqualTo(1740798302L);
    }

    @Test
    void shardsAreStableAndInRange() {
        for (long pk = -1000; pk < 1000; pk++) {
            int s = Sharding.shardOf(pk, 3);
            assertThat(s).isBetween(0, 2);
            assertThat(Sharding.shardOf(pk, 3)).isEqualTo(s);
        }
        assertThat(Sharding.shardOf("abc", 1)).isZero();
        assertThat(Sharding.shardOf("abc", 7)).isEqualTo(Sharding.shardOf("abc", 7)).isBetween(0, 6);
    }

    @Test
    void spreadsKeysOverShards() {
        int[] counts = new int[4];
        for (long pk = 0; pk < 10_000; pk++) {
            counts[Sharding.shardOf(pk, 4)]++;
        }
        for (int c : counts) {
            assertThat(c).isBetween(2_000, 3_000);
        }
    }
}
