package io.quiver.common.binlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.hash.Hashing;
import io.milvus.grpc.DataType;
import io.quiver.common.column.DoubleColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PkStatsTest {

    @Test
    void murmur3MatchesGuava() {
        long seed = BinlogTestData.seed("murmur3MatchesGuava");
        Random rnd = new Random(seed);
        for (int len = 0; len < 70; len++) {
            byte[] b = new byte[len];
            rnd.nextBytes(b);
            byte[] g = Hashing.murmur3_128(0).hashBytes(b).asBytes();
            ByteBuffer bb = ByteBuffer.wrap(g).order(ByteOrder.LITTLE_ENDIAN);
            long[] h = Murmur3.hash128(b, 0, len, 0);
            assertThat(h).as("seed %d len %d", seed, len).containsExactly(bb.getLong(), bb.getLong());
        }
        for (int i = 0; i < 1000; i++) {
            long v = rnd.nextLong();
            byte[] le = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
            assertThat(Murmur3.hash128(v, 0)).containsExactly(Murmur3.hash128(le, 0, 8, 0));
        }
    }

    @Test
    void int64NoFalseNegativesAndLowFalsePositives() {
        long seed = BinlogTestData.seed("int64Bloom");
        Random rnd = new Random(seed);
        int n = 100_000;
        LongColumn pks = new LongColumn(100, DataType.Int64, false);
        Set<Long> keys = new HashSet<>();
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        while (keys.size() < n) {
            long v = rnd.nextLong();
            if (keys.add(v)) {
                pks.add(v);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        PkStats stats = PkStats.deserialize(PkStats.build(pks, n).serialize());
        assertThat(stats.rowCount()).isEqualTo(n);
        assertThat(stats.minLong()).isEqualTo(min);
        assertThat(stats.maxLong()).isEqualTo(max);
        assertThat(stats.numHashes()).isEqualTo(7);
        for (long k : keys) {
            assertThat(stats.mightContain(k)).as("seed %d key %d", seed, k).isTrue();
        }
        int probes = 200_000, fp = 0;
        for (int i = 0; i < probes; i++) {
            long v = rnd.nextLong();
            if (!keys.contains(v) && stats.mightContain(v)) fp++;
        }
        double rate = (double) fp / probes;
        System.out.println("int64 bloom false-positive rate " + rate);
        assertThat(rate).as("seed %d", seed).isLessThan(0.03);
        assertThat(stats.mightContain(max == Long.MAX_VALUE ? min - 1 : max + 1)).isFalse();
    }

    @Test
    void varcharNoFalseNegativesAndLowFalsePositives() {
        long seed = BinlogTestData.seed("varcharBloom");
        Random rnd = new Random(seed);
        int n = 100_000;
        StringColumn pks = new StringColumn(100, DataType.VarChar, false);
        Set<String> keys = new HashSet<>();
        while (keys.size() < n) {
            String v = "pk-" + Long.toHexString(rnd.nextLong()) + (rnd.nextInt(10) == 0 ? "😀日本" : "");
            if (keys.add(v)) pks.add(v);
        }
        PkStats stats = PkStats.deserialize(PkStats.build(pks, n).serialize());
        for (String k : keys) {
            assertThat(stats.mightContain(k)).as("seed %d key %s", seed, k).isTrue();
        }
        String min = keys.stream().min(PkStats::compareUtf8).orElseThrow();
        String max = keys.stream().max(PkStats::compareUtf8).orElseThrow();
        assertThat(stats.minString()).isEqualTo(min);
        assertThat(stats.maxString()).isEqualTo(max);
        int probes = 100_000, fp = 0;
        for (int i = 0; i < probes; i++) {
            String v = "pk-" + Long.toHexString(rnd.nextLong());
            if (!keys.contains(v) && stats.mightContain(v)) fp++;
        }
        double rate = (double) fp / probes;
        System.out.println("varchar bloom false-positive rate " + rate);
        assertThat(rate).as("seed %d", seed).isLessThan(0.03);
        assertThat(stats.mightContain("a")).isFalse();   // below "pk-..."
    }

    @Test
    void codePointOrderMatchesUtf8ByteOrder() {
        long seed = BinlogTestData.seed("codePointOrder");
        Random rnd = new Random(seed);
        for (int i = 0; i < 5000; i++) {
            String a = BinlogTestData.randomString(rnd), b = BinlogTestData.randomString(rnd);
            int expected = Integer.signum(java.util.Arrays.compareUnsigned(BinlogTestData.utf8(a), BinlogTestData.utf8(b)));
            assertThat(Integer.signum(PkStats.compareUtf8(a, b))).as("seed %d: %s vs %s", seed, a, b).isEqualTo(expected);
        }
        assertThat(PkStats.compareUtf8("\uFFFF", "😀")).isNegative();   // String.compareTo says positive
    }

    @Test
    void emptyAndSingle() {
        LongColumn empty = new LongColumn(100, DataType.Int64, false);
        PkStats e = PkStats.deserialize(PkStats.build(empty, 0).serialize());
        assertThat(e.rowCount()).isZero();
        assertThat(e.mightContain(0)).isFalse();
        assertThat(e.minLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(e.maxLong()).isEqualTo(Long.MIN_VALUE);

        StringColumn s = new StringColumn(100, DataType.VarChar, false);
        PkStats es = PkStats.deserialize(PkStats.build(s, 0).serialize());
        assertThat(es.minString()).isNull();
        assertThat(es.mightContain("")).isFalse();
        s.add("");
        PkStats one = PkStats.deserialize(PkStats.build(s, 1).serialize());
        assertThat(one.mightContain("")).isTrue();
        assertThat(one.minString()).isEmpty();
        assertThat(one.maxString()).isEmpty();
        assertThat(one.mightContain("x")).isFalse();
    }

    @Test
    void buildUsesOnlyTheFirstRowsAndRejectsOtherTypes() {
        LongColumn c = new LongColumn(100, DataType.Int64, false);
        for (long i = 0; i < 10; i++) c.add(i * 10);
        PkStats s = PkStats.build(c, 5);
        assertThat(s.maxLong()).isEqualTo(40);
        assertThat(s.mightContain(90)).isFalse();
        assertThatThrownBy(() -> s.mightContain("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PkStats.build(new DoubleColumn(100, false), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PkStats.build(new LongColumn(100, DataType.Int32, false), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PkStats.build(c, 11)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corruptAndTruncatedStatsRejected() {
        LongColumn c = new LongColumn(100, DataType.Int64, false);
        for (long i = 0; i < 100; i++) c.add(i);
        byte[] file = PkStats.build(c, 100).serialize();
        byte[] bad = file.clone();
        bad[70] ^= 1;
        assertThatThrownBy(() -> PkStats.deserialize(bad)).isInstanceOf(BinlogFormatException.class)
                .hasMessageContaining("CRC32C");
        for (int len = 0; len < file.length; len += 7) {
            byte[] t = java.util.Arrays.copyOf(file, len);
            assertThatThrownBy(() -> PkStats.deserialize(t)).isInstanceOf(BinlogFormatException.class);
        }
        assertThatThrownBy(() -> PkStats.deserialize(BinlogCodecTest.write(DataType.Int64, 3)))
                .isInstanceOf(BinlogFormatException.class).hasMessageContaining("statslog");
    }
}
