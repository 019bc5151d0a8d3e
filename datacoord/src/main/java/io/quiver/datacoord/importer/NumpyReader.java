package io.quiver.datacoord.importer;

import static io.quiver.datacoord.importer.ImportColumn.failed;
import static java.util.Objects.requireNonNull;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.storage.ObjectStore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import io.quiver.common.schema.Schemas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy import: one {@code <field>.npy} per field, all with the same row count, as Milvus takes them. Supported dtypes:
 * bool ({@code |b1}), ints ({@code i1 i2 i4 i8}), floats ({@code f4 f8}), float vectors ({@code f4}, shape (N, dim)),
 * binary vectors ({@code u1}, (N, dim/8)), float16/bfloat16 vectors ({@code f2}/{@code u1} raw bytes), and unicode
 * strings ({@code U}) for VarChar, JSON and {@code $meta}. Data is fetched from the object store in row ranges, so a
 * file never has to fit in memory.
 */
final class NumpyReader implements ImportReader {
    private static final int HEAD_BYTES = 65536;
    private static final Charset UTF_32LE = Charset.forName("UTF-32LE");

    private record Part(FieldSchema field, String key, NpyFile npy) {}

    private final ObjectStore store;
    private final List<Part> parts = new ArrayList<>();
    private final long total;
    private long next;

    NumpyReader(ObjectStore store, List<String> keys, ImportBatch batch) {
        this.store = requireNonNull(store, "store is null");
        Map<String, String> byField = new LinkedHashMap<>();
        for (String k : keys) {
            String name = k.substring(k.lastIndexOf('/') + 1);
            name = name.substring(0, name.length() - ".npy".length());
            if (byField.put(name, k) != null) {
                throw failed("duplicate file for field: %s, files: %s", name, keys);
            }
        }
        batch.checkNames(byField.keySet(), false);
        long rows = -1;
        for (FieldSchema f : batch.fields()) {
            String key = byField.get(f.getName());
            if (key == null) {
                if (ImportBatch.optional(f)) {
                    continue;
                }
                throw failed("no file for field: %s, files: %s", f.getName(), keys);
            }
            long size = store.stat(key).orElseThrow(() -> failed("file %s does not exist", key)).size();
            NpyFile npy = NpyFile.parse(key, store.getRange(key, 0, Math.min(size, HEAD_BYTES)));
            check(f, npy, key);
            if (rows >= 0 && npy.rows() != rows) {
                throw failed("the NumPy files have different row counts: %s has %d, others %d", key, npy.rows(), rows);
            }
            if (npy.dataOffset() + npy.rows() * npy.rowBytes() > size) {
                throw failed("%s is truncated: %d rows of %d bytes do not fit in %d bytes", key, npy.rows(), npy.rowBytes(), size);
            }
            rows = npy.rows();
            parts.add(new Part(f, key, npy));
        }
        this.total = Math.max(rows, 0);
    }

    /** Refuses a dtype or shape the field cannot take, with the field and both types named. */
    private static void check(FieldSchema f, NpyFile npy, String key) {
        if (npy.bigEndian()) {
            throw failed("%s: big-endian NumPy data is not supported", key);
        }
        DataType t = f.getDataType();
        char k = npy.kind();
        boolean ok = switch (t) {
            case Bool -> k == 'b';
            case Int8, Int16, Int32, Int64 -> k == 'i';
            case Float, Double -> k == 'f' && (npy.width() == 4 || npy.width() == 8);
            case VarChar, String, JSON -> k == 'U';
            case FloatVector -> k == 'f' && npy.width() == 4;
            case BinaryVector -> k == 'u' && npy.width() == 1;
            case Float16Vector, BFloat16Vector -> (k == 'f' && npy.width() == 2) || (k == 'u' && npy.width() == 1);
            default -> false;
        };
        if (!ok) {
            throw failed("expect '%s' type for field '%s', but got '%s' type in %s", t, f.getName(), npy.descr(), key);
        }
        if (t == DataType.FloatVector || t == DataType.BinaryVector || t == DataType.Float16Vector || t == DataType.BFloat16Vector) {
            int dim = Schemas.dim(f);
            long expect = t == DataType.FloatVector ? dim : t == DataType.BinaryVector ? dim / 8 : k == 'u' ? dim * 2L : dim;
            if (npy.perRow() != expect) {
                throw failed("dimension mismatch for field '%s': expected %d values per row, got shape %s in %s", f.getName(),
                        expect, Arrays.toString(npy.shape()), key);
            }
        } else if (npy.perRow() != 1) {
            throw failed("expect one value per row for field '%s', but %s has shape %s", f.getName(), key,
                    Arrays.toString(npy.shape()));
        }
    }

    @Override
    public long totalRows() {
        return total;
    }

    @Override
    public int read(ImportBatch batch, int maxRows) {
        int n = (int) Math.min(maxRows, total - next);
        if (n <= 0) {
            return 0;
        }
        for (Part p : parts) {
            long rb = p.npy.rowBytes();
            ByteBuffer b = ByteBuffer.wrap(store.getRange(p.key, p.npy.dataOffset() + next * rb, n * rb)).order(ByteOrder.LITTLE_ENDIAN);
            ImportColumn c = batch.column(p.field.getName());
            for (int r = 0; r < n; r++) {
                c.add(value(p, b, r * (int) rb, (int) rb));
            }
        }
        next += n;
        return n;
    }

    private static Object value(Part p, ByteBuffer b, int at, int rb) {
        NpyFile npy = p.npy;
        return switch (p.field.getDataType()) {
            case Bool -> b.get(at) != 0;
            case Int8, Int16, Int32, Int64 -> switch (npy.width()) {
                case 1 -> (long) b.get(at);
                case 2 -> (long) b.getShort(at);
                case 4 -> (long) b.getInt(at);
                default -> b.getLong(at);
            };
            case Float, Double -> npy.width() == 4 ? (double) b.getFloat(at) : b.getDouble(at);
            case FloatVector -> {
                float[] v = new float[rb / 4];
                for (int i = 0; i < v.length; i++) {
                    v[i] = b.getFloat(at + i * 4);
                }
                yield v;
            }
            case BinaryVector, Float16Vector, BFloat16Vector -> {
                byte[] v = new byte[rb];
                b.get(at, v);
                yield v;
            }
            default -> {
                byte[] raw = new byte[rb];
                b.get(at, raw);
                String s = new String(raw, UTF_32LE);
                int end = s.indexOf('\0');
                yield end < 0 ? s : s.substring(0, end);
            }
        };
    }

    @Override
    public void close() {
        next = total;
    }
}
