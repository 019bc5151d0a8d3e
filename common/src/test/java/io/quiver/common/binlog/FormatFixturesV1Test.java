package io.quiver.common.binlog;

import static io.quiver.common.binlog.BinlogTestData.assertSameRows;
import static io.quiver.common.binlog.BinlogTestData.field;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.IntArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Format version 1 fixtures, committed under {@code src/test/resources/binlog/v1/}. These files were written
 * once by {@link #writeFixtures()} and must never be regenerated or edited: a reader change that cannot read
 * them breaks every segment already in object storage. A deliberate format change means a new version (and
 * new fixtures next to these), with readers for both.
 *
 * <p>To write fixtures for a NEW version only: {@code -Dquiver.binlog.writeFixtures=<dir>}.
 */
class FormatFixturesV1Test {
    static final long TS_FROM = 449_000_000_000_000_001L;
    static final long TS_TO = 449_000_000_000_000_099L;

    /** The columns stored in the v1 binlog fixtures, by file name. Do not change: they are the expected content. */
    static Map<String, FieldColumn> binlogColumns() {
        Map<String, FieldColumn> m = new LinkedHashMap<>();
        m.put("bool_nullable", column(field(DataType.Bool, true), fd(DataType.Bool).setScalars(ScalarField.newBuilder()
                .setBoolData(BoolArray.newBuilder().addAllData(List.of(true, false, true)))).addAllValidData(List.of(true, false, true))));
        m.put("int8", column(field(DataType.Int8, false), ints(DataType.Int8, -128, 0, 127)));
        m.put("int16", column(field(DataType.Int16, false), ints(DataType.Int16, -32768, 1, 32767)));
        m.put("int32", column(field(DataType.Int32, false), ints(DataType.Int32, Integer.MIN_VALUE, -1, Integer.MAX_VALUE)));
        m.put("int64_nullable", column(field(DataType.Int64, true), fd(DataType.Int64).setScalars(ScalarField.newBuilder()
                .setLongData(LongArray.newBuilder().addAllData(List.of(Long.MIN_VALUE, 42L, Long.MAX_VALUE))))
                .addAllValidData(List.of(true, false, true))));
        m.put("float", column(field(DataType.Float, false), fd(DataType.Float).setScalars(ScalarField.newBuilder()
                .setFloatData(FloatArray.newBuilder().addAllData(List.of(1.5f, -0.0f, Float.NaN))))));
        m.put("double", column(field(DataType.Double, false), fd(DataType.Double).setScalars(ScalarField.newBuilder()
                .setDoubleData(DoubleArray.newBuilder().addAllData(List.of(Math.PI, Double.NEGATIVE_INFINITY, 1e-300))))));
        m.put("varchar_nullable", column(field(DataType.VarChar, true), fd(DataType.VarChar).setScalars(ScalarField.newBuilder()
                .setStringData(StringArray.newBuilder().addAllData(List.of("", "héllo 日本", "😀"))))
                .addAllValidData(List.of(true, true, false))));
        m.put("json", column(field(DataType.JSON, false), fd(DataType.JSON).setScalars(ScalarField.newBuilder()
                .setJsonData(JSONArray.newBuilder().addData(ByteString.copyFromUtf8("{\"a\":1}"))
                        .addData(ByteString.copyFromUtf8("[]")).addData(ByteString.copyFromUtf8("null"))))));
        m.put("array_int32", column(field(DataType.Array, false), fd(DataType.Array).setScalars(ScalarField.newBuilder()
                .setArrayData(ArrayArray.newBuilder().setElementType(DataType.Int32)
                        .addData(ScalarField.newBuilder().setIntData(IntArray.newBuilder().addAllData(List.of(1, 2, 3))))
                        .addData(ScalarField.newBuilder().setIntData(IntArray.newBuilder()))
                        .addData(ScalarField.newBuilder().setIntData(IntArray.newBuilder().addData(-7)))))));
        FloatArray.Builder fv = FloatArray.newBuilder();
        for (int i = 0; i < 12; i++) fv.addData(i * 0.25f - 1);
        m.put("float_vector_dim4", column(field(100, DataType.FloatVector, false, 4, null), fd(DataType.FloatVector)
                .setVectors(VectorField.newBuilder().setDim(4).setFloatVector(fv))));
        m.put("binary_vector_dim16", column(field(100, DataType.BinaryVector, false, 16, null), fd(DataType.BinaryVector)
                .setVectors(VectorField.newBuilder().setDim(16).setBinaryVector(bytes(6, 0x11)))));
        m.put("float16_vector_dim2", column(field(100, DataType.Float16Vector, false, 2, null), fd(DataType.Float16Vector)
                .setVectors(VectorField.newBuilder().setDim(2).setFloat16Vector(bytes(12, 0x3c)))));
        m.put("bfloat16_vector_dim2", column(field(100, DataType.BFloat16Vector, false, 2, null), fd(DataType.BFloat16Vector)
                .setVectors(VectorField.newBuilder().setDim(2).setBfloat16Vector(bytes(12, 0x40)))));
        // sparse rows: {3: 0.5, 70000: 2.0}, {}, {1: -1.0}
        ByteString r0 = ByteString.copyFrom(new byte[] {3, 0, 0, 0, 0, 0, 0, 0x3f, 0x70, 0x11, 1, 0, 0, 0, 0, 0x40});
        ByteString r2 = ByteString.copyFrom(new byte[] {1, 0, 0, 0, 0, 0, (byte) 0x80, (byte) 0xbf});
        m.put("sparse_float_vector", column(field(DataType.SparseFloatVector, false), fd(DataType.SparseFloatVector)
                .setVectors(VectorField.newBuilder().setDim(70001).setSparseFloatVector(SparseFloatArray.newBuilder()
                        .setDim(70001).addContents(r0).addContents(ByteString.EMPTY).addContents(r2)))));
        return m;
    }

    static DeleteBatch deletesInt64() {
        return DeleteBatch.ofLongs(new long[] {7, -1, Long.MAX_VALUE}, new long[] {TS_FROM, TS_FROM + 1, TS_TO});
    }

    static DeleteBatch deletesVarchar() {
        return DeleteBatch.ofStrings(new String[] {"a", "", "日本😀"}, new long[] {TS_FROM, TS_TO, TS_TO});
    }

    static LongColumn statsInt64Keys() {
        LongColumn c = new LongColumn(100, DataType.Int64, false);
        for (long v : new long[] {5, -3, 1_000_000_007L, 42}) c.add(v);
        return c;
    }

    static StringColumn statsVarcharKeys() {
        StringColumn c = new StringColumn(100, DataType.VarChar, false);
        for (String s : new String[] {"mango", "apple", "zebra😀", ""}) c.add(s);
        return c;
    }

    @Test
    void binlogFixturesReadable() throws IOException {
        for (var e : binlogColumns().entrySet()) {
            byte[] file = resource("binlog_" + e.getKey() + ".bin");
            FieldColumn expected = e.getValue();
            BinlogHeader h = BinlogCodec.header(file);
            assertThat(h.version()).isEqualTo(1);
            assertThat(h.dataType()).as(e.getKey()).isEqualTo(expected.type());
            assertThat(h.rows()).isEqualTo(3);
            assertThat(h.tsFrom()).isEqualTo(TS_FROM);
            assertThat(h.tsTo()).isEqualTo(TS_TO);
            FieldColumn read = FieldColumn.create(schemaOf(e.getKey(), expected));
            BinlogCodec.readInto(file, read);
            assertSameRows(expected, 0, read, 0, 3, "fixture " + e.getKey());
            assertThat(BinlogCodec.write(expected, 0, 3, TS_FROM, TS_TO))
                    .as("writer output for %s changed: that is a new format version, not an edit of v1", e.getKey())
                    .isEqualTo(file);
        }
        assertThat(BinlogCodec.header(resource("binlog_sparse_float_vector.bin")).dim()).isEqualTo(70001);
    }

    @Test
    void deltalogFixturesReadable() throws IOException {
        DeleteBatch l = DeltalogCodec.read(resource("deltalog_int64.bin"));
        assertThat(l.longPks()).containsExactly(deletesInt64().longPks());
        assertThat(l.timestamps()).containsExactly(deletesInt64().timestamps());
        DeleteBatch s = DeltalogCodec.read(resource("deltalog_varchar.bin"));
        assertThat(s.stringPks()).containsExactly(deletesVarchar().stringPks());
        assertThat(s.timestamps()).containsExactly(deletesVarchar().timestamps());
        assertThat(DeltalogCodec.write(deletesInt64())).isEqualTo(resource("deltalog_int64.bin"));
        assertThat(DeltalogCodec.write(deletesVarchar())).isEqualTo(resource("deltalog_varchar.bin"));
    }

    @Test
    void statslogFixturesReadable() throws IOException {
        PkStats l = PkStats.deserialize(resource("statslog_int64.bin"));
        assertThat(l.rowCount()).isEqualTo(4);
        assertThat(l.minLong()).isEqualTo(-3);
        assertThat(l.maxLong()).isEqualTo(1_000_000_007L);
        for (long v : new long[] {5, -3, 1_000_000_007L, 42}) assertThat(l.mightContain(v)).isTrue();
        PkStats s = PkStats.deserialize(resource("statslog_varchar.bin"));
        assertThat(s.minString()).isEmpty();
        assertThat(s.maxString()).isEqualTo("zebra😀");
        for (String v : new String[] {"mango", "apple", "zebra😀", ""}) assertThat(s.mightContain(v)).isTrue();
        // the bloom bits pin hashing and sizing: the same keys must give the same file
        assertThat(PkStats.build(statsInt64Keys(), 4).serialize()).isEqualTo(resource("statslog_int64.bin"));
        assertThat(PkStats.build(statsVarcharKeys(), 4).serialize()).isEqualTo(resource("statslog_varchar.bin"));
    }

    /** Writes the fixtures into the given directory. Run once per new format version, never for v1 again. */
    @Test
    @EnabledIfSystemProperty(named = "quiver.binlog.writeFixtures", matches = ".+")
    void writeFixtures() throws IOException {
        Path dir = Path.of(System.getProperty("quiver.binlog.writeFixtures"));
        Files.createDirectories(dir);
        for (var e : binlogColumns().entrySet()) {
            Files.write(dir.resolve("binlog_" + e.getKey() + ".bin"), BinlogCodec.write(e.getValue(), 0, 3, TS_FROM, TS_TO));
        }
        Files.write(dir.resolve("deltalog_int64.bin"), DeltalogCodec.write(deletesInt64()));
        Files.write(dir.resolve("deltalog_varchar.bin"), DeltalogCodec.write(deletesVarchar()));
        Files.write(dir.resolve("statslog_int64.bin"), PkStats.build(statsInt64Keys(), 4).serialize());
        Files.write(dir.resolve("statslog_varchar.bin"), PkStats.build(statsVarcharKeys(), 4).serialize());
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FormatFixturesV1Test.class.getResourceAsStream("/binlog/v1/" + name)) {
            assertThat(in).as("fixture /binlog/v1/%s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static FieldSchema schemaOf(String name, FieldColumn c) {
        return switch (name) {
            case "float_vector_dim4" -> field(100, DataType.FloatVector, false, 4, null);
            case "binary_vector_dim16" -> field(100, DataType.BinaryVector, false, 16, null);
            case "float16_vector_dim2" -> field(100, DataType.Float16Vector, false, 2, null);
            case "bfloat16_vector_dim2" -> field(100, DataType.BFloat16Vector, false, 2, null);
            default -> field(c.type(), c.nullable());
        };
    }

    private static FieldData.Builder fd(DataType t) {
        return FieldData.newBuilder().setType(t).setFieldId(100);
    }

    private static FieldData.Builder ints(DataType t, int... v) {
        IntArray.Builder a = IntArray.newBuilder();
        for (int x : v) a.addData(x);
        return fd(t).setScalars(ScalarField.newBuilder().setIntData(a));
    }

    private static ByteString bytes(int n, int start) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (start + i * 37);
        return ByteString.copyFrom(b);
    }

    private static FieldColumn column(FieldSchema f, FieldData.Builder fd) {
        FieldColumn c = FieldColumn.create(f);
        c.append(fd.build(), 3);
        return c;
    }
}
