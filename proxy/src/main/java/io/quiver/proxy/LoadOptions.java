package io.quiver.proxy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The options of LoadCollection / LoadPartitions besides the replica number, checked against the collection before
 * anything is loaded. Quiver has one resource group (Milvus' default, {@value #DEFAULT_RESOURCE_GROUP}) and loads
 * every field: naming another group is refused as Milvus refuses an unknown one, a load field that is not in the
 * schema as Milvus refuses it, and a partial load (some fields left out, or the dynamic field skipped) is refused
 * as not supported instead of being silently loaded whole.
 */
record LoadOptions(List<String> resourceGroups, List<String> loadFields, boolean skipDynamicField) {
    static final String DEFAULT_RESOURCE_GROUP = "__default_resource_group";

    LoadOptions {
        resourceGroups = List.copyOf(resourceGroups);
        loadFields = List.copyOf(loadFields);
    }

    void check(CollectionSchema schema) {
        for (String rg : resourceGroups) {
            if (!rg.equals(DEFAULT_RESOURCE_GROUP)) {
                throw new QuiverException(ErrorCode.RESOURCE_GROUP_NOT_FOUND, "resource group not found[rg=" + rg + "]");
            }
        }
        Set<String> named = new HashSet<>();
        for (String f : loadFields) {
            if (Schemas.byName(schema, f).isEmpty() || f.equals(Schemas.DYNAMIC_FIELD)) {
                throw new QuiverException(ErrorCode.FIELD_NOT_FOUND, "field not found[field=" + f + "]");
            }
            if (!named.add(f)) {
                throw QuiverException.invalid("duplicate field in load_fields: %s", f);
            }
        }
        boolean hasDynamic = schema.getEnableDynamicField();
        if (!loadFields.isEmpty()) {
            for (FieldSchema f : schema.getFieldsList()) {
                if (!f.getIsDynamic() && !named.contains(f.getName())) {
                    throw partial("load_fields leaves out field " + f.getName());
                }
            }
        }
        if (skipDynamicField && hasDynamic) {
            throw partial("skip_load_dynamic_field is set");
        }
    }

    private static QuiverException partial(String why) {
        return new QuiverException(ErrorCode.UNIMPLEMENTED, "partial load is not supported by this Quiver version (" + why
                + "): load every field");
    }
}
