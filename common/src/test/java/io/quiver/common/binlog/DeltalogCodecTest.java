package io.quiver.common.binlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.DataType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeltalogCodecTest {

    @Test
    void int64RoundTrip() {
        long seed = BinlogTestData.seed("deltalogInt64");
        Random rnd = new Random(seed);
        for (int n : new int[] {0, 1, 7, 10_000}) {
            long[] pks = new long[n], ts = new long[n];
            for (int i = 0; i < n; i++) {
                pks[i] = rnd.nextLong();
                ts[i] = rnd.nextLong() >>> 1;
            }
            byte[] file = DeltalogCodec.write(DeleteBatch.ofLongs(pks, ts));
            DeleteBatch back = DeltalogCodec.read(file);
            assertThat(back.pkType()).isEqualTo(DataType.Int64);
            assertThat(back.stringPks()).isNull();
            assertThat(back.size()).isEqualTo(n);
            assertThat(back.longPks()).as("seed %d", seed).containsExactly(pks);
            assertThat(back.timestamps()).as("seed %d", seed).containsExactly(ts);
        }
    }

    @Test
    void varcharRoundTrip() {
        long seed = BinlogTestData.seed("deltalogVarchar");
        Random rnd = new Random(seed);
        for (int n : new int[] {0, 1, 9, 5_000}) {
            String[] pks = new String[n];
            long[] ts = new long[n];
            for (int i = 0; i < n; i++) {
                pks[i] = BinlogTestData.randomString(rnd);
                ts[i] = rnd.nextLong() >>> 1;
            }
            DeleteBatch back = DeltalogCodec.read(DeltalogCodec.write(DeleteBatch.ofStrings(pks, ts)));
            assertThat(back.pkType()).isEqualTo(DataType.VarChar);
            assertThat(back.longPks()).isNull();
            assertThat(back.stringPks()).as("seed %d", seed).containsExactly(pks);
            assertThat(back.timestamps()).containsExactly(ts);
        }
    }

    @Test
    void corruptionAndTruncationRejected() {
        byte[] file = DeltalogCodec.write(DeleteBatch.ofStrings(new String[] {"a", "bb", "ccc"}, new long[] {1, 2, 3}));
        for (int i = 0; i < file.length; i++) {
            byte[] bad = file.clone();
            bad[i] ^= 0x40;
            assertThatThrownBy(() -> DeltalogCodec.read(bad)).as("byte %d", i).isInstanceOf(BinlogFormatException.class);
        }
        for (int len = 0; len < file.length; len++) {
            byte[] t = Arrays.copyOf(file, len);
            assertThatThrownBy(() -> DeltalogCodec.read(t)).as("length %d", len).isInstanceOf(BinlogFormatException.class);
        }
        byte[] bad = file.clone();
        bad[64] ^= 1;
        assertThatThrownBy(() -> DeltalogCodec.read(bad)).hasMessageContaining("CRC32C mismatch");
        assertThatThrownBy(() -> DeltalogCodec.read(BinlogCodecTest.write(DataType.Int64, 3)))
                .isInstanceOf(BinlogFormatException.class).hasMessageContaining("deltalog");
    }

    @Test
    void batchValidation() {
        assertThatThrownBy(() -> DeleteBatch.ofLongs(new long[2], new long[3])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeleteBatch(DataType.Int64, null, new String[0], new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeleteBatch(DataType.Float, null, null, new long[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(DeleteBatch.ofStrings(new String[] {"x"}, new long[] {5}).size()).isEqualTo(1);
    }
}
