package io.quiver.datacoord.importer;

import static io.quiver.datacoord.importer.ImportColumn.failed;
import static java.util.Objects.requireNonNull;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.schema.Schemas;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What import files must give for a collection, and the columns the rows of a file go into. A file provides every
 * user field except an auto-id primary key and function outputs (both generated here, refused when given, as Milvus
 * does); nullable and defaulted fields may be absent (null); the dynamic field {@code $meta} is optional (an empty
 * object per row when absent). Names the schema does not have are refused by {@link #checkNames}.
 */
final class ImportBatch {
    private final CollectionSchema schema;
    private final Map<String, ImportColumn> columns = new LinkedHashMap<>();
    private final FieldSchema dynamic;

    ImportBatch(CollectionSchema schema) {
        this.schema = requireNonNull(schema, "schema is null");
        for (FieldSchema f : schema.getFieldsList()) {
            if (!f.getIsDynamic() && !f.getIsFunctionOutput() && !(f.getIsPrimaryKey() && f.getAutoID())) {
                columns.put(f.getName(), new ImportColumn(f));
            }
        }
        this.dynamic = Schemas.dynamicField(schema).orElse(null);
        if (dynamic != null) {
            columns.put(Schemas.DYNAMIC_FIELD, new ImportColumn(dynamic));
        }
    }

    CollectionSchema schema() {
        return schema;
    }

    /** The fields a file provides values for ({@code $meta} included when the collection has a dynamic field). */
    List<FieldSchema> fields() {
        return columns.values().stream().map(ImportColumn::field).toList();
    }

    Optional<FieldSchema> dynamicField() {
        return Optional.ofNullable(dynamic);
    }

    /** The column of a field of {@link #fields()}, by name. */
    ImportColumn column(String name) {
        ImportColumn c = columns.get(name);
        if (c == null) {
            throw failed("the field: %s is not in schema", name);
        }
        return c;
    }

    /** Whether a file may leave out this field (its rows get null, or the empty object for {@code $meta}). */
    static boolean optional(FieldSchema f) {
        return f.getIsDynamic() || f.getNullable() || f.hasDefaultValue();
    }

    /**
     * Refuses names a file must not carry: an auto-id primary key, a function output, and (when {@code extraToDynamic}
     * is false, as for Parquet and NumPy) a name the schema does not have.
     */
    void checkNames(Iterable<String> names, boolean extraToDynamic) {
        for (String n : names) {
            if (columns.containsKey(n)) {
                continue;
            }
            Optional<FieldSchema> f = Schemas.byName(schema, n);
            if (f.isPresent() && f.get().getIsPrimaryKey() && f.get().getAutoID()) {
                throw failed("the primary key '%s' is auto-generated, no need to provide", n);
            }
            if (f.isPresent() && f.get().getIsFunctionOutput()) {
                throw failed("the field '%s' is output by function, no need to provide", n);
            }
            if (!extraToDynamic || dynamic == null) {
                throw failed("the field: %s is not in schema, if it's a dynamic field, please reformat data by bulk_writer", n);
            }
        }
    }

    /** Rows gathered so far (the count of the first column; every reader fills all columns together). */
    int rows() {
        int max = 0;
        for (ImportColumn c : columns.values()) {
            max = Math.max(max, c.rows());
        }
        return max;
    }

    /** The gathered rows as columns keyed by field id; the batch starts empty again. */
    Map<Long, FieldColumn> drain() {
        int n = rows();
        Map<Long, FieldColumn> out = new LinkedHashMap<>();
        for (ImportColumn c : columns.values()) {
            FieldSchema f = c.field();
            while (c.rows() < n) {
                c.add(f.getIsDynamic() ? "{}" : null); // an absent optional field: null (refused when it is required)
            }
            FieldData fd = c.take();
            FieldColumn col = FieldColumn.create(f);
            col.append(fd, n);
            out.put(f.getFieldID(), col);
        }
        return out;
    }

    /** Names of the fields a file must give (not optional). */
    List<String> requiredNames() {
        List<String> out = new ArrayList<>();
        for (ImportColumn c : columns.values()) {
            if (!optional(c.field())) {
                out.add(c.field().getName());
            }
        }
        return out;
    }
}
