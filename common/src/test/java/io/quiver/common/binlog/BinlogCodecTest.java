package io.quiver.common.binlog;

import static io.quiver.common.binlog.BinlogTestData.assertSameRows;
import static io.quiver.common.binlog.BinlogTestData.field;
import static io.quiver.common.binlog.BinlogTestData.randomColumn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BinlogCodecTest {
    static final DataType[] SCALARS = {DataType.Bool, DataType.Int8, DataType.Int16, DataType.Int32, DataType.Int64,
            DataType.Float, DataType.Double, DataType.VarChar, DataType.JSON, DataType.Array};
    static final DataType[] VECTORS = {DataType.FloatVector, DataType.BinaryVector, DataType.Float16Vector,
            DataType.BFloat16Vector, DataType.SparseFloatVector};

    static Stream<Arguments> everyType() {
        List<Arguments> out = new ArrayList<>();
        for (int rows : new int[] {0, 1, 67}) {
            for (DataType t : SCALARS) {
                out.add(Arguments.of(t, false, rows));
                out.add(Arguments.of(t, true, rows));
            }
            for (DataType t : VECTORS) {
                out.add(Arguments.of(t, false, rows));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} nullable={1} rows={2}")
    @MethodSource("everyType")
    void roundTripEveryType(DataType type, boolean nullable, int rows) {
        long seed = BinlogTestData.seed("roundTrip " + type + " nullable=" + nullable + " rows=" + rows);
        FieldSchema f = field(type, nullable);
        FieldColumn src = randomColumn(f, rows, new Random(seed));
        byte[] file = BinlogCodec.write(src, 0, rows, 1000, 2000);

        BinlogHeader h = BinlogCodec.header(file);
        assertThat(h.version()).isEqualTo(1);
        assertThat(h.dataType()).isEqualTo(type);
        assertThat(h.rows()).isEqualTo(rows);
        assertThat(h.tsFrom()).isEqualTo(1000);
        assertThat(h.tsTo()).isEqualTo(2000);
        assertThat(h.nullable()).isEqualTo(src.nullable());
        assertThat(h.fieldId()).isEqualTo(100);
        assertThat((file.length - 8) % 64).isZero();

        FieldColumn dst = FieldColumn.create(f);
        BinlogCodec.readInto(file, dst);
        assertThat(dst.size()).isEqualTo(rows);
        assertSameRows(src, 0, dst, 0, rows, "seed " + seed);
    }

    @Test
    void headerDimensions() {
        assertThat(BinlogCodec.header(write(DataType.FloatVector, 3)).dim()).isEqualTo(8);
        assertThat(BinlogCodec.header(write(DataType.FloatVector, 3)).bytesPerRow()).isEqualTo(32);
        assertThat(BinlogCodec.header(write(DataType.BinaryVector, 3)).dim()).isEqualTo(24);
        assertThat(BinlogCodec.header(write(DataType.BinaryVector, 3)).bytesPerRow()).isEqualTo(3);
        assertThat(BinlogCodec.header(write(DataType.Float16Vector, 3)).bytesPerRow()).isEqualTo(12);
        assertThat(BinlogCodec.header(write(DataType.Int16, 3)).bytesPerRow()).isEqualTo(2);
        assertThat(BinlogCodec.header(write(DataType.VarChar, 3)).bytesPerRow()).isZero();
        assertThat(BinlogCodec.header(write(DataType.Array, 3)).elementType()).isEqualTo(DataType.Int32);
        assertThat(BinlogCodec.header(write(DataType.SparseFloatVector, 3)).dim()).isEqualTo(0xFFFF_FFF1L);
    }

    @Test
    void emptyStringsAndUnicode() {
        StringColumn c = new StringColumn(101, DataType.VarChar, false);
        String[] values = {"", "a", "", "日本語", "😀\u0000x", "é".repeat(1000), ""};
        for (String s : values) c.add(s);
        StringColumn d = new StringColumn(101, DataType.VarChar, false);
        BinlogCodec.readInto(BinlogCodec.write(c, 0, c.size(), 0, 0), d);
        for (int i = 0; i < values.length; i++) assertThat(d.get(i)).isEqualTo(values[i]);
    }

    @Test
    void largeColumns() {
        long seed = BinlogTestData.seed("largeColumns");
        Random rnd = new Random(seed);
        for (DataType t : new DataType[] {DataType.FloatVector, DataType.Int64, DataType.VarChar}) {
            FieldSchema f = t == DataType.FloatVector ? field(100, t, false, 128, null) : field(t, true);
            int rows = t == DataType.FloatVector ? 20_000 : 100_000;
            FieldColumn src = randomColumn(f, rows, rnd);
            FieldColumn dst = FieldColumn.create(f);
            BinlogCodec.readInto(BinlogCodec.write(src, 0, rows, 1, 2), dst);
            assertSameRows(src, 0, dst, 0, rows, t + " seed " + seed);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rangeTypes")
    void rowRangesAppendInOrder(DataType type) {
        long seed = BinlogTestData.seed("rowRanges " + type);
        Random rnd = new Random(seed);
        FieldSchema f = field(type, type != DataType.FloatVector && type != DataType.SparseFloatVector);
        int rows = 500;
        FieldColumn src = randomColumn(f, rows, rnd);
        FieldColumn dst = FieldColumn.create(f);
        int from = 0;
        while (from < rows) {
            int to = Math.min(rows, from + rnd.nextInt(90));  // includes empty ranges
            byte[] file = BinlogCodec.write(src, from, to, from, to);
            assertThat(BinlogCodec.header(file).rows()).isEqualTo(to - from);
            BinlogCodec.readInto(file, dst);
            from = to;
        }
        assertThat(dst.size()).isEqualTo(rows);
        assertSameRows(src, 0, dst, 0, rows, "seed " + seed);
    }

    static Stream<DataType> rangeTypes() {
        return Stream.of(DataType.Int64, DataType.Int8, DataType.VarChar, DataType.JSON, DataType.Bool, DataType.Array,
                DataType.FloatVector, DataType.SparseFloatVector);
    }

    @Test
    void badRangeRejected() {
        FieldColumn c = randomColumn(field(DataType.Int64, false), 10, new Random(1));
        assertThatThrownBy(() -> BinlogCodec.write(c, 5, 11, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BinlogCodec.write(c, 6, 5, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BinlogCodec.write(c, -1, 5, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corruptedByteFailsCrc() {
        long seed = BinlogTestData.seed("corruptedByte");
        Random rnd = new Random(seed);
        byte[] file = write(DataType.VarChar, 50);
        BinlogHeader before = BinlogCodec.header(file);
        for (int trial = 0; trial < 200; trial++) {
            byte[] bad = file.clone();
            int pos = rnd.nextInt(bad.length);
            bad[pos] ^= (byte) (1 << rnd.nextInt(8));
            FieldColumn into = FieldColumn.create(field(DataType.VarChar, true));
            assertThatThrownBy(() -> BinlogCodec.readInto(bad, into)).as("seed %d pos %d", seed, pos)
                    .isInstanceOf(BinlogFormatException.class);
            assertThat(into.size()).isZero();
        }
        byte[] bad = file.clone();
        bad[200] ^= 0x10;   // in the body
        assertThatThrownBy(() -> BinlogCodec.header(bad)).isInstanceOf(BinlogFormatException.class)
                .hasMessageContaining("CRC32C mismatch").hasMessageContaining("corrupted");
        assertThat(before.rows()).isEqualTo(50);
    }

    @Test
    void truncatedFileRejected() {
        byte[] file = write(DataType.Int64, 30);
        for (int len = 0; len < file.length; len++) {
            byte[] t = java.util.Arrays.copyOf(file, len);
            assertThatThrownBy(() -> BinlogCodec.header(t)).as("length %d", len).isInstanceOf(BinlogFormatException.class);
        }
        assertThatThrownBy(() -> BinlogCodec.header(java.util.Arrays.copyOf(file, file.length - 64)))
                .hasMessageContaining("truncated");
    }

    @Test
    void unknownVersionRejected() {
        byte[] file = write(DataType.Int64, 3);
        file[4] = 2;
        FileLayout.seal(file, BinlogCodec.END_MAGIC);
        assertThatThrownBy(() -> BinlogCodec.header(file)).isInstanceOf(BinlogFormatException.class)
                .hasMessageContaining("version 2");
    }

    @Test
    void notABinlog() {
        assertThatThrownBy(() -> BinlogCodec.header(new byte[500])).isInstanceOf(BinlogFormatException.class)
                .hasMessageContaining("magic");
        assertThatThrownBy(() -> BinlogCodec.header(DeltalogCodecTestSupport.someDeltalog()))
                .isInstanceOf(BinlogFormatException.class);
    }

    @Test
    void wrongTypeOnReadInto() {
        byte[] longs = write(DataType.Int64, 5);
        assertThatThrownBy(() -> BinlogCodec.readInto(longs, FieldColumn.create(field(DataType.VarChar, false))))
                .isInstanceOf(BinlogFormatException.class).hasMessageContaining("Int64").hasMessageContaining("VarChar");
        assertThatThrownBy(() -> BinlogCodec.readInto(longs, FieldColumn.create(field(DataType.Int32, false))))
                .isInstanceOf(BinlogFormatException.class);
        byte[] vectors = write(DataType.FloatVector, 5);
        assertThatThrownBy(() -> BinlogCodec.readInto(vectors, new FloatVectorColumn(100, 16)))
                .isInstanceOf(BinlogFormatException.class).hasMessageContaining("dim");
        byte[] bins = write(DataType.BinaryVector, 5);
        assertThatThrownBy(() -> BinlogCodec.readInto(bins, FieldColumn.create(field(100, DataType.BinaryVector, false, 32, null))))
                .isInstanceOf(BinlogFormatException.class).hasMessageContaining("dim");
        byte[] arrays = write(DataType.Array, 5);
        assertThatThrownBy(() -> BinlogCodec.readInto(arrays, FieldColumn.create(field(100, DataType.Array, false, 0, DataType.VarChar))))
                .isInstanceOf(BinlogFormatException.class).hasMessageContaining("ARRAY");
        // a nullable file with null rows cannot go into a non-nullable column
        FieldColumn nullable = randomColumn(field(DataType.Int64, true), 40, new Random(7));
        assertThatThrownBy(() -> BinlogCodec.readInto(BinlogCodec.write(nullable, 0, 40, 0, 0),
                new LongColumn(100, DataType.Int64, false))).isInstanceOf(BinlogFormatException.class)
                .hasMessageContaining("null");
    }

    @Test
    void mappedFloatVectorPayloadEqualsHeapColumn(@TempDir Path dir) throws IOException {
        long seed = BinlogTestData.seed("mmapPayload");
        int dim = 96;
        FieldSchema f = field(100, DataType.FloatVector, false, dim, null);
        FloatVectorColumn src = (FloatVectorColumn) randomColumn(f, 1000, new Random(seed));
        byte[] file = BinlogCodec.write(src, 100, 900, 0, 0);
        Path p = dir.resolve("binlog");
        Files.write(p, file);
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            MemorySegment payload = BinlogCodec.floatVectorPayload(mapped);
            assertThat(payload.address() % 64).isZero();
            assertThat(payload.byteSize()).isEqualTo(800L * dim * 4);
            ValueLayout.OfFloat aligned = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < 800; r++) {
                for (int j = 0; j < dim; j++) {
                    assertThat(payload.getAtIndex(aligned, (long) r * dim + j)).as("seed %d row %d", seed, r)
                            .isEqualTo(src.array()[(100 + r) * dim + j]);
                }
            }
            assertThat(BinlogCodec.header(mapped).rows()).isEqualTo(800);
        }
        MemorySegment heap = BinlogCodec.floatVectorPayload(MemorySegment.ofArray(file));
        assertThat(heap.toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)))
                .containsExactly(java.util.Arrays.copyOfRange(src.array(), 100 * dim, 900 * dim));
        assertThatThrownBy(() -> BinlogCodec.floatVectorPayload(MemorySegment.ofArray(write(DataType.Int64, 3))))
                .isInstanceOf(BinlogFormatException.class);
    }

    @Test
    void fixedWidthPayloadOfInt64() {
        FieldColumn c = randomColumn(field(DataType.Int64, false), 20, new Random(3));
        MemorySegment p = BinlogCodec.fixedWidthPayload(MemorySegment.ofArray(BinlogCodec.write(c, 0, 20, 0, 0)));
        for (int i = 0; i < 20; i++) {
            assertThat(p.getAtIndex(FileLayout.I64, i)).isEqualTo(((LongColumn) c).get(i));
        }
    }

    static byte[] write(DataType t, int rows) {
        FieldColumn c = randomColumn(field(t, false), rows, new Random(rows));
        return BinlogCodec.write(c, 0, rows, 0, 0);
    }
}
