package io.quiver.datacoord.importer;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.PartitionInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** A small collection and hand-made import files for the importer's tests. */
final class ImportTestData {
    private ImportTestData() {}

    static final int DIM = 4;

    /** id INT64 (auto-id as asked), vec FLOAT_VECTOR(4), name VARCHAR, tag INT64 nullable, dynamic field on; two shards. */
    static CollectionInfo collection(boolean autoId) {
        CollectionSchema s = CollectionSchema.newBuilder().setName("c").setEnableDynamicField(true)
                .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true).setAutoID(autoId))
                .addFields(FieldSchema.newBuilder().setFieldID(101).setName("vec").setDataType(DataType.FloatVector)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue(Integer.toString(DIM))))
                .addFields(FieldSchema.newBuilder().setFieldID(102).setName("name").setDataType(DataType.VarChar)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("64")))
                .addFields(FieldSchema.newBuilder().setFieldID(103).setName("tag").setDataType(DataType.Int64).setNullable(true))
                .addFields(FieldSchema.newBuilder().setFieldID(104).setName("$meta").setDataType(DataType.JSON).setIsDynamic(true))
                .build();
        return CollectionInfo.newBuilder().setCollectionId(7).setName("c").setDbName("default").setSchema(s).setShardsNum(2)
                .addVchannels("dml_0_7v0").addVchannels("dml_1_7v1")
                .addPartitions(PartitionInfo.newBuilder().setPartitionId(10).setName("_default")).build();
    }

    /** JSON rows {@code {"rows":[...]}} with ids from {@code firstId} (none when auto-id) and an extra dynamic key. */
    static byte[] jsonRows(int n, long firstId, boolean withIds) {
        StringBuilder b = new StringBuilder("{\"rows\": [");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append('{');
            if (withIds) {
                b.append("\"id\":").append(firstId + i).append(',');
            }
            b.append("\"vec\":[").append(i).append(",1,2,3],\"name\":\"n").append(i).append("\",\"color\":\"red\"");
            if (i % 2 == 0) {
                b.append(",\"tag\":").append(i);
            }
            b.append('}');
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A version-1 .npy file: the header dict padded to a multiple of 64 bytes, then {@code data}. */
    static byte[] npy(String descr, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    static byte[] int64s(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return b.array();
    }

    static byte[] float32s(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** Fixed-width UTF-32LE strings, as NumPy stores dtype {@code <U{width}}. */
    static byte[] unicode(int width, String... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (String s : v) {
            int[] cps = s.codePoints().toArray();
            for (int i = 0; i < width; i++) {
                b.putInt(i < cps.length ? cps[i] : 0);
            }
        }
        return b.array();
    }
}
