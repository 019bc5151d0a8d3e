package io.quiver.common.binlog;

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
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.column.ArrayColumn;
import io.quiver.common.column.BoolColumn;
import io.quiver.common.column.ByteVectorColumn;
import io.quiver.common.column.DoubleColumn;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatColumn;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.JsonColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.SparseVectorColumn;
import io.quiver.common.column.StringColumn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Random, reproducible columns of every type for the binlog tests, and a row-by-row comparison. */
final class BinlogTestData {
    private BinlogTestData() {}

    /** Seed from -Dtests.seed or fresh; printed so a failure can be replayed. */
    static long seed(String test) {
        long seed = Long.getLong("tests.seed", System.nanoTime());
        System.out.println(test + " seed=" + seed + " (replay with -Dtests.seed=" + seed + ")");
        return seed;
    }

    static FieldSchema field(long id, DataType type, boolean nullable, int dim, DataType elementType) {
        FieldSchema.Builder b = FieldSchema.newBuilder().setFieldID(id).setName("f" + id).setDataType(type).setNullable(nullable);
        if (dim > 0) {
            b.addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue(Integer.toString(dim)));
        }
        if (elementType != null) {
            b.setElementType(elementType);
        }
        return b.build();
    }

    static FieldSchema field(DataType type, boolean nullable) {
        int dim = switch (type) {
            case FloatVector -> 8;
            case BinaryVector -> 24;
            case Float16Vector, BFloat16Vector -> 6;
            default -> 0;
        };
        return field(100, type, nullable, dim, type == DataType.Array ? DataType.Int32 : null);
    }

    static FieldColumn randomColumn(FieldSchema f, int rows, Random rnd) {
        FieldColumn c = FieldColumn.create(f);
        c.append(randomFieldData(f, rows, rnd), rows);
        return c;
    }

    static FieldData randomFieldData(FieldSchema f, int rows, Random rnd) {
        FieldData.Builder fd = FieldData.newBuilder().setType(f.getDataType()).setFieldId(f.getFieldID());
        int dim = io.quiver.common.schema.Schemas.dim(f);
        switch (f.getDataType()) {
            case Bool -> {
                BoolArray.Builder a = BoolArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(rnd.nextBoolean());
                fd.setScalars(ScalarField.newBuilder().setBoolData(a));
            }
            case Int8, Int16, Int32 -> {
                int bits = switch (f.getDataType()) { case Int8 -> 8; case Int16 -> 16; default -> 32; };
                IntArray.Builder a = IntArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(rnd.nextInt() >> (32 - bits));
                fd.setScalars(ScalarField.newBuilder().setIntData(a));
            }
            case Int64 -> {
                LongArray.Builder a = LongArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(i % 7 == 0 ? Long.MIN_VALUE + i : rnd.nextLong());
                fd.setScalars(ScalarField.newBuilder().setLongData(a));
            }
            case Float -> {
                FloatArray.Builder a = FloatArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(i % 11 == 5 ? Float.NaN : (float) rnd.nextGaussian());
                fd.setScalars(ScalarField.newBuilder().setFloatData(a));
            }
            case Double -> {
                DoubleArray.Builder a = DoubleArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(i % 13 == 3 ? Double.NEGATIVE_INFINITY : rnd.nextGaussian() * 1e300);
                fd.setScalars(ScalarField.newBuilder().setDoubleData(a));
            }
            case VarChar -> {
                StringArray.Builder a = StringArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(randomString(rnd));
                fd.setScalars(ScalarField.newBuilder().setStringData(a));
            }
            case JSON -> {
                JSONArray.Builder a = JSONArray.newBuilder();
                for (int i = 0; i < rows; i++) {
                    String s = "{\"k\":\"" + randomString(rnd).replace("\\", "").replace("\"", "") + "\",\"n\":" + rnd.nextInt() + "}";
                    a.addData(ByteString.copyFromUtf8(s));
                }
                fd.setScalars(ScalarField.newBuilder().setJsonData(a));
            }
            case Array -> {
                ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(f.getElementType());
                for (int i = 0; i < rows; i++) {
                    IntArray.Builder e = IntArray.newBuilder();
                    int n = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(10);
                    for (int j = 0; j < n; j++) e.addData(rnd.nextInt());
                    a.addData(ScalarField.newBuilder().setIntData(e));
                }
                fd.setScalars(ScalarField.newBuilder().setArrayData(a));
            }
            case FloatVector -> {
                FloatArray.Builder a = FloatArray.newBuilder();
                for (int i = 0; i < rows * dim; i++) a.addData((float) rnd.nextGaussian());
                fd.setVectors(VectorField.newBuilder().setDim(dim).setFloatVector(a));
            }
            case BinaryVector, Float16Vector, BFloat16Vector -> {
                int bpr = f.getDataType() == DataType.BinaryVector ? dim / 8 : dim * 2;
                byte[] b = new byte[rows * bpr];
                rnd.nextBytes(b);
                VectorField.Builder v = VectorField.newBuilder().setDim(dim);
                switch (f.getDataType()) {
                    case BinaryVector -> v.setBinaryVector(ByteString.copyFrom(b));
                    case Float16Vector -> v.setFloat16Vector(ByteString.copyFrom(b));
                    default -> v.setBfloat16Vector(ByteString.copyFrom(b));
                }
                fd.setVectors(v);
            }
            case SparseFloatVector -> {
                SparseFloatArray.Builder a = SparseFloatArray.newBuilder();
                long maxDim = 0;
                for (int i = 0; i < rows; i++) {
                    int n = rnd.nextInt(6);
                    ByteBuffer bb = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                    int idx = 0;
                    for (int j = 0; j < n; j++) {
                        idx += 1 + rnd.nextInt(1000);
                        long u = j == n - 1 && i == 0 ? 0xFFFF_FFF0L : idx;  // an index above Integer.MAX_VALUE
                        bb.putInt((int) u).putFloat(rnd.nextFloat());
                        maxDim = Math.max(maxDim, u + 1);
                    }
                    a.addContents(ByteString.copyFrom(bb.array()));
                }
                a.setDim(maxDim);
                fd.setVectors(VectorField.newBuilder().setDim(maxDim).setSparseFloatVector(a));
            }
            default -> throw new IllegalArgumentException(f.getDataType().toString());
        }
        if (f.getNullable()) {
            for (int i = 0; i < rows; i++) fd.addValidData(rnd.nextInt(3) != 0);
        }
        return fd.build();
    }

    static String randomString(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> "";
            case 1 -> "ascii-" + rnd.nextInt(1000);
            case 2 -> "héllo wörld ✓ 日本語";
            case 3 -> "emoji 😀🎉 " + new String(Character.toChars(0x10000 + rnd.nextInt(0xFFFF)));
            case 4 -> "nul\u0000inside";
            default -> {
                StringBuilder sb = new StringBuilder();
                int n = rnd.nextInt(40);
                for (int i = 0; i < n; i++) {
                    int cp = rnd.nextInt(0x2FFFF);
                    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
                    sb.appendCodePoint(cp);
                }
                yield sb.toString();
            }
        };
    }

    /** Asserts rows [aFrom, aFrom + n) of {@code a} equal rows [bFrom, bFrom + n) of {@code b}, nullness included. */
    static void assertSameRows(FieldColumn a, int aFrom, FieldColumn b, int bFrom, int n, String ctx) {
        assertThat(b.type()).as(ctx).isEqualTo(a.type());
        for (int i = 0; i < n; i++) {
            int ra = aFrom + i, rb = bFrom + i;
            String at = ctx + " row " + ra;
            assertThat(b.isNull(rb)).as(at + " null").isEqualTo(a.isNull(ra));
            switch (a) {
                case BoolColumn x -> assertThat(((BoolColumn) b).get(rb)).as(at).isEqualTo(x.get(ra));
                case LongColumn x -> assertThat(((LongColumn) b).get(rb)).as(at).isEqualTo(x.get(ra));
                case FloatColumn x -> assertThat(Float.floatToRawIntBits(((FloatColumn) b).get(rb))).as(at)
                        .isEqualTo(Float.floatToRawIntBits(x.get(ra)));
                case DoubleColumn x -> assertThat(Double.doubleToRawLongBits(((DoubleColumn) b).get(rb))).as(at)
                        .isEqualTo(Double.doubleToRawLongBits(x.get(ra)));
                case StringColumn x -> assertThat(((StringColumn) b).get(rb)).as(at).isEqualTo(x.get(ra));
                case JsonColumn x -> assertThat(((JsonColumn) b).get(rb)).as(at).isEqualTo(x.get(ra));
                case ArrayColumn x -> assertThat(((ArrayColumn) b).get(rb)).as(at).isEqualTo(x.get(ra));
                case SparseVectorColumn x -> assertThat(((SparseVectorColumn) b).get(rb)).as(at).isEqualTo(x.get(ra));
                case FloatVectorColumn x -> {
                    int d = x.dim();
                    for (int j = 0; j < d; j++) {
                        assertThat(((FloatVectorColumn) b).array()[rb * d + j]).as(at).isEqualTo(x.array()[ra * d + j]);
                    }
                }
                case ByteVectorColumn x -> {
                    int w = x.bytesPerRow();
                    for (int j = 0; j < w; j++) {
                        assertThat(((ByteVectorColumn) b).array()[rb * w + j]).as(at).isEqualTo(x.array()[ra * w + j]);
                    }
                }
            }
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
