package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 14: LoadCollection naming a resource group or a load field that does not exist was accepted. */
class LoadOptionsTest {
    private static final CollectionSchema SCHEMA = CollectionSchema.newBuilder().setName("c").setEnableDynamicField(true)
            .addFields(FieldSchema.newBuilder().setFieldID(100).setName("id").setDataType(DataType.Int64).setIsPrimaryKey(true))
            .addFields(FieldSchema.newBuilder().setFieldID(101).setName("v").setDataType(DataType.FloatVector))
            .addFields(FieldSchema.newBuilder().setFieldID(102).setName("$meta").setDataType(DataType.JSON).setIsDynamic(true))
            .build();

    private static void refused(LoadOptions o, ErrorCode code, String message) {
        assertThatThrownBy(() -> o.check(SCHEMA)).isInstanceOfSatisfying(QuiverException.class,
                e -> assertThat(e.errorCode()).isEqualTo(code)).hasMessageContaining(message);
    }

    @Test
    void loadingEverythingInTheDefaultGroupPasses() {
        assertThatCode(() -> new LoadOptions(List.of(), List.of(), false).check(SCHEMA)).doesNotThrowAnyException();
        assertThatCode(() -> new LoadOptions(List.of("__default_resource_group"), List.of("v", "id"), false).check(SCHEMA))
                .doesNotThrowAnyException();
    }

    @Test
    void unknownResourceGroupsAndFieldsAreRefused() {
        refused(new LoadOptions(List.of("__default_resource_group", "rg1"), List.of(), false), ErrorCode.RESOURCE_GROUP_NOT_FOUND, "rg=rg1");
        refused(new LoadOptions(List.of(), List.of("id", "v", "nope"), false), ErrorCode.FIELD_NOT_FOUND, "field=nope");
        refused(new LoadOptions(List.of(), List.of("id", "v", "$meta"), false), ErrorCode.FIELD_NOT_FOUND, "field=$meta");
        refused(new LoadOptions(List.of(), List.of("id", "v", "id"), false), ErrorCode.PARAMETER_INVALID, "duplicate field in load_fields: id");
    }

    @Test
    void aPartialLoadIsRefusedNotIgnored() {
        refused(new LoadOptions(List.of(), List.of("id"), false), ErrorCode.UNIMPLEMENTED, "load_fields leaves out field v");
        refused(new LoadOptions(List.of(), List.of(), true), ErrorCode.UNIMPLEMENTED, "skip_load_dynamic_field");
        CollectionSchema noDynamic = SCHEMA.toBuilder().setEnableDynamicField(false).removeFields(2).build();
        assertThatCode(() -> new LoadOptions(List.of(), List.of(), true).check(noDynamic)).doesNotThrowAnyException();
    }
}
