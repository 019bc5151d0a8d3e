package io.quiver.datacoord.importer;

import static io.quiver.datacoord.importer.ImportColumn.failed;
import static java.util.Objects.requireNonNull;

import com.google.gson.JsonParser;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.storage.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet file as the Java SDK's {@code LocalBulkWriter}/{@code RemoteBulkWriter} write it: one optional column per
 * field, named after it; float vectors {@code list<float>}; binary, float16 and bfloat16 vectors {@code list<uint8>};
 * arrays {@code list<T>}; VarChar, JSON and sparse vectors (JSON text) as strings; the dynamic field as {@code $meta}
 * (JSON text); an auto-id primary key and function outputs absent. Both list layouts (the three-level
 * {@code LIST} group and the legacy repeated field) are read. Row groups are read one at a time with parquet-mr's
 * record assembly ({@link GroupRecordConverter}); opening reads only the footer.
 */
final class ParquetReader implements ImportReader {
    private final String key;
    private final ParquetFileReader file;
    private final MessageType schema;
    private final List<Binding> bindings = new ArrayList<>();
    private final long total;
    private RecordReader<Group> rows;
    private long leftInGroup;

    private record Binding(FieldSchema field, int column, Type type) {}

    ParquetReader(ObjectStore store, String key, ImportBatch batch) {
        this.key = requireNonNull(key, "key is null");
        long size = store.stat(key).orElseThrow(() -> failed("file %s does not exist", key)).size();
        try { // PlainParquetConfiguration keeps Hadoop's Configuration out: the server ships without Hadoop
            this.file = ParquetFileReader.open(new ObjectInputFile(store, key, size), ParquetReadOptions.builder(new PlainParquetConfiguration()).build());
        } catch (IOException | RuntimeException e) {
            throw failed("failed to open parquet file %s: %s", key, e.getMessage());
        }
        try {
            this.schema = file.getFooter().getFileMetaData().getSchema();
            List<String> names = schema.getFields().stream().map(Type::getName).toList();
            batch.checkNames(names, false);
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                index.put(names.get(i), i);
            }
            for (FieldSchema f : batch.fields()) {
                Integer i = index.get(f.getName());
                if (i == null) {
                    if (ImportBatch.optional(f)) {
                        continue;
                    }
                    throw failed("no parquet field for milvus field '%s'", f.getName());
                }
                Type t = schema.getType(i);
                checkShape(f, t);
                bindings.add(new Binding(f, i, t));
            }
            this.total = file.getRecordCount();
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** Refuses a column whose shape (list or not) the field cannot take. */
    private static void checkShape(FieldSchema f, Type t) {
        boolean list = !t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED);
        DataType dt = f.getDataType();
        boolean wantsList = dt == DataType.FloatVector || dt == DataType.BinaryVector || dt == DataType.Float16Vector
                || dt == DataType.BFloat16Vector || dt == DataType.Array;
        if (list != wantsList) {
            throw failed("expect '%s' type for field '%s', but got '%s' type", wantsList ? "list" : dt.name(), f.getName(),
                    list ? "list" : t.asPrimitiveType().getPrimitiveTypeName().name());
        }
    }

    @Override
    public long totalRows() {
        return total;
    }

    @Override
    public int read(ImportBatch batch, int maxRows) {
        int n = 0;
        try {
            while (n < maxRows) {
                if (leftInGroup == 0) {
                    PageReadStore pages = file.readNextRowGroup();
                    if (pages == null) {
                        break;
                    }
                    MessageColumnIO io = new ColumnIOFactory().getColumnIO(schema);
                    rows = io.getRecordReader(pages, new GroupRecordConverter(schema));
                    leftInGroup = pages.getRowCount();
                    continue;
                }
                Group g = rows.read();
                leftInGroup--;
                for (Binding b : bindings) {
                    batch.column(b.field.getName()).add(value(b, g));
                }
                n++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(key + ": " + e.getMessage(), e);
        }
        return n;
    }

    private static Object value(Binding b, Group g) {
        if (g.getFieldRepetitionCount(b.column) == 0) {
            return null;
        }
        DataType dt = b.field.getDataType();
        return switch (dt) {
            case FloatVector -> floats(listElements(g, b));
            case BinaryVector, Float16Vector, BFloat16Vector -> bytes(listElements(g, b));
            case Array -> listElements(g, b);
            case SparseFloatVector -> JsonRowsReader.value(b.field, JsonParser.parseString(g.getString(b.column, 0)));
            default -> primitive(g, b.column, 0, b.type.asPrimitiveType());
        };
    }

    /** The elements of a list column: a LIST group ({@code repeated group list { element }}) or a repeated primitive. */
    private static List<Object> listElements(Group g, Binding b) {
        List<Object> out = new ArrayList<>();
        if (b.type.isPrimitive()) {
            int n = g.getFieldRepetitionCount(b.column);
            for (int i = 0; i < n; i++) {
                out.add(primitive(g, b.column, i, b.type.asPrimitiveType()));
            }
            return out;
        }
        Group list = g.getGroup(b.column, 0);
        GroupType lt = b.type.asGroupType();
        Type repeated = lt.getType(0);
        int n = list.getFieldRepetitionCount(0);
        for (int i = 0; i < n; i++) {
            if (repeated.isPrimitive()) {
                out.add(primitive(list, 0, i, repeated.asPrimitiveType()));
            } else {
                Group item = list.getGroup(0, i);
                PrimitiveType et = repeated.asGroupType().getType(0).asPrimitiveType();
                out.add(item.getFieldRepetitionCount(0) == 0 ? null : primitive(item, 0, 0, et));
            }
        }
        return out;
    }

    private static Object primitive(Group g, int field, int i, PrimitiveType t) {
        return switch (t.getPrimitiveTypeName()) {
            case BOOLEAN -> g.getBoolean(field, i);
            case INT32 -> (long) g.getInteger(field, i);
            case INT64 -> g.getLong(field, i);
            case FLOAT -> (double) g.getFloat(field, i);
            case DOUBLE -> g.getDouble(field, i);
            case BINARY, FIXED_LEN_BYTE_ARRAY -> g.getString(field, i);
            default -> throw failed("parquet type %s of column '%s' cannot be imported", t.getPrimitiveTypeName(), t.getName());
        };
    }

    private static Object floats(List<Object> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(values.get(i) instanceof Number n)) {
                return values;
            }
            out[i] = n.floatValue();
        }
        return out;
    }

    private static Object bytes(List<Object> values) {
        byte[] out = new byte[values.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(values.get(i) instanceof Long n)) {
                return values;
            }
            out[i] = (byte) (long) n;
        }
        return out;
    }

    private void closeQuietly() {
        try {
            file.close();
        } catch (IOException e) {
            // nothing was read yet; the open failure is what the caller reports
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
