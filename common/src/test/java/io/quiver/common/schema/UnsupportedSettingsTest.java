package io.quiver.common.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnsupportedSettingsTest {
    private static KeyValuePair kv(String k, String v) {
        return KeyValuePair.newBuilder().setKey(k).setValue(v).build();
    }

    private static void refused(Runnable r, String... reason) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(QuiverException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID)).hasMessageContainingAll(reason);
    }

    @Test
    void askingForMmapOrIsolationIsRefusedByName() {
        refused(() -> UnsupportedSettings.checkCollectionProperties(List.of(kv("mmap.enabled", "true"))), "mmap.enabled=true", "collection property");
        refused(() -> UnsupportedSettings.checkCollectionProperties(List.of(kv("partitionkey.isolation", "True"))), "partitionkey.isolation=true");
        refused(() -> UnsupportedSettings.checkIndexParams(Map.of("mmap.enabled", "1")), "mmap.enabled=true", "index param");
        FieldSchema mapped = FieldSchema.newBuilder().setName("vec").setDataType(DataType.FloatVector).addTypeParams(kv("mmap.enabled", "true")).build();
        refused(() -> UnsupportedSettings.checkField(mapped), "mmap.enabled=true", "field vec");
        FieldSchema clustering = FieldSchema.newBuilder().setName("k").setDataType(DataType.Int64).setIsClusteringKey(true).build();
        refused(() -> UnsupportedSettings.checkField(clustering), "clustering key", "field k");
    }

    @Test
    void whatQuiverDoesAnywayIsAccepted() {
        assertThatCode(() -> UnsupportedSettings.checkCollectionProperties(List.of(kv("mmap.enabled", "false"), kv("partitionkey.isolation", "false"),
                kv("collection.ttl.seconds", "60")))).doesNotThrowAnyException();
        assertThatCode(() -> UnsupportedSettings.checkIndexParams(Map.of("mmap.enabled", "false", "M", "16"))).doesNotThrowAnyException();
        assertThatCode(() -> UnsupportedSettings.checkField(FieldSchema.newBuilder().setName("k").setDataType(DataType.Int64).build()))
                .doesNotThrowAnyException();
    }
}
