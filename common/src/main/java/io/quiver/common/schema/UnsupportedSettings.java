package io.quiver.common.schema;

import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.QuiverException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings Milvus accepts that Quiver does not implement, refused by name when they ask for a behaviour Quiver does
 * not have, instead of being stored and silently ignored. Asking for what Quiver does anyway (e.g.
 * {@code mmap.enabled=false}: sealed data is served from the heap) is accepted.
 */
public final class UnsupportedSettings {
    /** Memory-mapped segments and indexes (collection property, field type param, index param). */
    public static final String MMAP = "mmap.enabled";
    /** Per-partition-key index isolation (collection property). */
    public static final String PARTITION_KEY_ISOLATION = "partitionkey.isolation";
    /** Boolean values as Milvus parses them (Go's strconv.ParseBool). */
    private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");

    private UnsupportedSettings() {}

    /** CreateCollection's and AlterCollection's properties. */
    public static void checkCollectionProperties(List<KeyValuePair> properties) {
        for (KeyValuePair p : properties) {
            if (p.getKey().equals(MMAP) && TRUE.contains(p.getValue())) {
                throw mmap("collection property");
            }
            if (p.getKey().equals(PARTITION_KEY_ISOLATION) && TRUE.contains(p.getValue())) {
                throw QuiverException.invalid("%s=true is not supported: Quiver builds one index per segment, not per partition key"
                        + " (leave it out or set it to false)", PARTITION_KEY_ISOLATION);
            }
        }
    }

    /** A field of CreateCollection's schema. */
    public static void checkField(FieldSchema f) {
        if (f.getIsClusteringKey()) {
            throw QuiverException.invalid("clustering key is not supported (field %s): Quiver has no clustering compaction", f.getName());
        }
        for (KeyValuePair p : f.getTypeParamsList()) {
            if (p.getKey().equals(MMAP) && TRUE.contains(p.getValue())) {
                throw mmap("type param of field " + f.getName());
            }
        }
    }

    /** CreateIndex's and AlterIndex's params. */
    public static void checkIndexParams(Map<String, String> params) {
        if (TRUE.contains(params.getOrDefault(MMAP, ""))) {
            throw mmap("index param");
        }
    }

    private static QuiverException mmap(String where) {
        return QuiverException.invalid("%s=true (%s) is not supported: Quiver serves sealed segments and indexes from the heap"
                + " (leave it out or set it to false)", MMAP, where);
    }
}
