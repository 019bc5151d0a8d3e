package io.quiver.rootcoord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.config.QuotaConfig;
import io.quiver.common.error.ErrorCode;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.PartitionInfo;
import io.quiver.common.error.QuiverException;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaTableTest {
    @TempDir
    Path tmp;

    private static FieldSchema f(String name, DataType t, String... params) {
        FieldSchema.Builder b = FieldSchema.newBuilder().setName(name).setDataType(t);
        for (int i = 0; i < params.length; i += 2) {
            b.addTypeParams(KeyValuePair.newBuilder().setKey(params[i]).setValue(params[i + 1]));
        }
        return b.build();
    }

    private static CollectionSchema schema(FieldSchema... fields) {
        CollectionSchema.Builder b = CollectionSchema.newBuilder();
        for (FieldSchema f : fields) b.addFields(f);
        return b.build();
    }

    @Test
    void assignsFieldIdsAndDynamicField() {
        CollectionSchema s = MetaTable.prepareSchema("c1", schema(
                f("id", DataType.Int64).toBuilder().setIsPrimaryKey(true).build(),
                f("v", DataType.FloatVector, "dim", "8")).toBuilder().setEnableDynamicField(true).build());
        assertThat(s.getFields(0).getFieldID()).isEqualTo(100);
        assertThat(s.getFields(1).getFieldID()).isEqualTo(101);
        assertThat(s.getFields(2).getName()).isEqualTo("$meta");
        assertThat(s.getFields(2).getIsDynamic()).isTrue();
    }

    @Test
    void validatesTextAnalysisSettingsAtCreate() {
        FieldSchema pk = f("id", DataType.Int64).toBuilder().setIsPrimaryKey(true).build();
        FieldSchema vec = f("v", DataType.FloatVector, "dim", "8");
        MetaTable.prepareSchema("c", schema(pk, vec, f("t", DataType.VarChar, "max_length", "64", "enable_analyzer", "true",
                "analyzer_params", "{\"type\": \"english\"}", "enable_match", "true")));
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk, vec, f("t", DataType.VarChar, "max_length", "64",
                "enable_analyzer", "true", "analyzer_params", "{\"tokenizer\": \"nope\"}"))))
                .isInstanceOf(QuiverException.class).hasMessageContaining("unsupported tokenizer: nope")
                .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(ErrorCode.ANALYZER_INVALID));
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk, vec, f("t", DataType.VarChar, "max_length", "64", "enable_match", "true"))))
                .hasMessageContaining("not enable analyzer");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk, vec, f("n", DataType.Int64, "enable_analyzer", "true"))))
                .hasMessageContaining("VARCHAR fields only");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk, vec, f("t", DataType.VarChar, "max_length", "64",
                "multi_analyzer_params", "{}")))).hasMessageContaining("multi_analyzer_params");
    }

    @Test
    void rejectsBadSchemas() {
        FieldSchema pk = f("id", DataType.Int64).toBuilder().setIsPrimaryKey(true).build();
        FieldSchema vec = f("v", DataType.FloatVector, "dim", "8");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(vec))).hasMessageContaining("primary key is not specified");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk))).hasMessageContaining("does not contain vector field");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk, f("v", DataType.FloatVector, "dim", "1"))))
                .hasMessageContaining("invalid dimension: 1");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk, vec, f("s", DataType.VarChar))))
                .hasMessageContaining("max_length");
        assertThatThrownBy(() -> MetaTable.prepareSchema("1c", schema(pk, vec))).hasMessageContaining("invalid collection name");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(pk, vec, vec))).hasMessageContaining("duplicated field name");
        assertThatThrownBy(() -> MetaTable.prepareSchema("c", schema(f("id", DataType.Float).toBuilder().setIsPrimaryKey(true).build(), vec)))
                .hasMessageContaining("Int64 or VarChar");
    }

    @Test
    void databasesPersistAcrossRestart() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("kv"), InstantSource.system())) {
            MetaTable m = new MetaTable(kv, "t/meta");
            m.createDatabase("db1", 5, 1, java.util.List.of());
            assertThatThrownBy(() -> m.createDatabase("db1", 6, 1, java.util.List.of()))
                    .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.DATABASE_ALREADY_EXISTS));
        }
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("kv"), InstantSource.system())) {
            MetaTable m = new MetaTable(kv, "t/meta");
            assertThat(m.databases()).extracting(d -> d.getName()).containsExactlyInAnyOrder("default", "db1");
        }
    }

    @Test
    void tsoNeverGoesBackAcrossRestart() {
        long last;
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("tso"), InstantSource.system())) {
            Tso t = new Tso(kv, "ts", InstantSource.system());
            long a = t.allocate(1);
            long b = t.allocate(10);
            assertThat(b).isGreaterThan(a);
            last = t.allocate(1);
        }
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("tso"), InstantSource.system())) {
            // a clock that went back one minute
            InstantSource past = InstantSource.fixed(java.time.Instant.now().minusSeconds(60));
            Tso t = new Tso(kv, "ts", past);
            assertThat(t.allocate(1)).isGreaterThan(last);
        }
    }

    @Test
    void configuredLimitsOnDatabasesCollectionsAndPartitions() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("limits"), InstantSource.system())) {
            MetaTable m = new MetaTable(kv, "t/meta", new QuotaConfig.MetaLimits(2, 3, 2, 3, 64, 16));
            m.createDatabase("db1", 5, 1, java.util.List.of());
            assertThatThrownBy(() -> m.createDatabase("db2", 6, 1, java.util.List.of())).hasMessageContaining("exceeded the limit number of database: 2");
            m.createCollection(collection(10, 1, "default", "a"));
            m.createCollection(collection(11, 1, "default", "b"));
            assertThatThrownBy(() -> m.createCollection(collection(12, 1, "default", "c")))
                    .isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.COLLECTION_NUM_LIMIT))
                    .hasMessage("exceeded the limit number of collections: [dbName=default][limit=2]");
            m.createCollection(collection(13, 5, "db1", "a"));
            assertThatThrownBy(() -> m.createCollection(collection(14, 5, "db1", "b")))
                    .hasMessage("exceeded the limit number of collections: [limit=3]");
            m.addPartition(10, "p1", 100, 1);
            m.addPartition(10, "p2", 101, 1);
            assertThatThrownBy(() -> m.addPartition(10, "p3", 102, 1))
                    .hasMessageContaining("partition number (3) exceeds max configuration (3), collection: a");
        }
    }

    private static CollectionInfo collection(long id, long dbId, String db, String name) {
        CollectionSchema s = MetaTable.prepareSchema(name, schema(f("id", DataType.Int64).toBuilder().setIsPrimaryKey(true).build(),
                f("v", DataType.FloatVector, "dim", "4")));
        return CollectionInfo.newBuilder().setCollectionId(id).setDbId(dbId).setDbName(db).setName(name).setSchema(s).setShardsNum(1)
                .addPartitions(PartitionInfo.newBuilder().setPartitionId(id * 10).setName(MetaTable.DEFAULT_PARTITION)).build();
    }
}
