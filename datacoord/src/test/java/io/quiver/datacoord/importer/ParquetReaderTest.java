package io.quiver.datacoord.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.JsonColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.storage.LocalObjectStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads a Parquet file the Java SDK's {@code LocalBulkWriter} 2.5.5 wrote (test resource: 100 rows of
 * {@code id INT64, vector FLOAT_VECTOR(4), text VARCHAR} plus the dynamic key {@code color}; vectors from
 * {@code new Random(0).nextFloat() * 2 - 1}, four per row), with Hadoop off the classpath as in the server.
 */
class ParquetReaderTest {
    private static final String KEY = "import/bulk.parquet";

    @TempDir
    Path tmp;
    private LocalObjectStore store;

    @BeforeEach
    void setUp() throws Exception {
        store = new LocalObjectStore(tmp);
        try (InputStream in = getClass().getResourceAsStream("/import/bulkwriter-2.5.5-dim4.parquet")) {
            store.put(KEY, in.readAllBytes());
        }
    }

    private static CollectionSchema schema(int dim, boolean autoId, boolean withText, FieldSchema extra) {
        CollectionSchema.Builder s = CollectionSchema.newBuilder().setName("c").setEnableDynamicField(true)
                .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true).setAutoID(autoId))
                .addFields(FieldSchema.newBuilder().setFieldID(101).setName("vector").setDataType(DataType.FloatVector)
                        .addTypeParams(KeyValuePair.newBuilder().setKey("dim").setValue(Integer.toString(dim))));
        if (withText) {
            s.addFields(FieldSchema.newBuilder().setFieldID(102).setName("text").setDataType(DataType.VarChar)
                    .addTypeParams(KeyValuePair.newBuilder().setKey("max_length").setValue("64")));
        }
        if (extra != null) {
            s.addFields(extra);
        }
        return s.addFields(FieldSchema.newBuilder().setFieldID(199).setName("$meta").setDataType(DataType.JSON).setIsDynamic(true)).build();
    }

    @Test
    void readsEveryColumnOfABulkWriterFile() {
        ImportBatch batch = new ImportBatch(schema(4, false, true, null));
        try (ParquetReader r = new ParquetReader(store, KEY, batch)) {
            assertThat(r.totalRows()).isEqualTo(100);
            assertThat(r.read(batch, 60)).isEqualTo(60);
            Map<Long, FieldColumn> first = batch.drain();
            assertThat(r.read(batch, 60)).isEqualTo(40);
            assertThat(r.read(batch, 60)).isZero();
            LongColumn ids = (LongColumn) first.get(100L);
            assertThat(ids.size()).isEqualTo(60);
            assertThat(ids.get(0)).isZero();
            assertThat(ids.get(59)).isEqualTo(59);
            assertThat(((StringColumn) first.get(102L)).get(7)).isEqualTo("t7");
            assertThat(new String(((JsonColumn) first.get(199L)).get(0), StandardCharsets.UTF_8)).contains("\"color\"").contains("red");
            Random rnd = new Random(0);
            float[] expected = new float[4];
            for (int i = 0; i < 4; i++) {
                expected[i] = rnd.nextFloat() * 2 - 1;
            }
            FloatVectorColumn vec = (FloatVectorColumn) first.get(101L);
            float[] row0 = new float[4];
            System.arraycopy(vec.array(), 0, row0, 0, 4);
            assertThat(row0).containsExactly(expected);
        }
    }

    @Test
    void schemaMismatchesAreRefusedWithMilvusMessages() {
        ImportBatch dim8 = new ImportBatch(schema(8, false, true, null));
        try (ParquetReader r = new ParquetReader(store, KEY, dim8)) {
            assertThatThrownBy(() -> r.read(dim8, 10)).hasMessage("importing data failed: dimension mismatch for field 'vector': expected 8, got 4");
        }
        assertThatThrownBy(() -> new ParquetReader(store, KEY, new ImportBatch(schema(4, false, false, null))))
                .hasMessageContaining("the field: text is not in schema, if it's a dynamic field, please reformat data by bulk_writer");
        assertThatThrownBy(() -> new ParquetReader(store, KEY, new ImportBatch(schema(4, true, true, null))))
                .hasMessageContaining("the primary key 'id' is auto-generated, no need to provide");
        FieldSchema other = FieldSchema.newBuilder().setFieldID(103).setName("other").setDataType(DataType.Int64).build();
        assertThatThrownBy(() -> new ParquetReader(store, KEY, new ImportBatch(schema(4, false, true, other))))
                .hasMessageContaining("no parquet field for milvus field 'other'");
        FieldSchema nullable = other.toBuilder().setNullable(true).build();
        ImportBatch withNullable = new ImportBatch(schema(4, false, true, nullable));
        try (ParquetReader r = new ParquetReader(store, KEY, withNullable)) {
            assertThat(r.read(withNullable, 5)).isEqualTo(5);
            assertThat(withNullable.drain().get(103L).isNull(0)).isTrue();
        }
        FieldSchema textAsInt = FieldSchema.newBuilder().setFieldID(102).setName("text").setDataType(DataType.Int64).build();
        ImportBatch wrongType = new ImportBatch(schema(4, false, false, textAsInt));
        try (ParquetReader r = new ParquetReader(store, KEY, wrongType)) {
            assertThatThrownBy(() -> r.read(wrongType, 1)).hasMessageContaining("expect 'Int64' type for field 'text', but got 'VarChar' type");
        }
    }

    @Test
    void aFileThatIsNotParquetIsRefused() {
        store.put("x.parquet", "not parquet".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> new ParquetReader(store, "x.parquet", new ImportBatch(schema(4, false, true, null))))
                .hasMessageContaining("failed to open parquet file x.parquet");
    }
}
