package io.quiver.common.binlog;

import static io.quiver.common.binlog.FileLayout.F32;
import static io.quiver.common.binlog.FileLayout.F64;
import static io.quiver.common.binlog.FileLayout.I32;
import static io.quiver.common.binlog.FileLayout.I64;
import static io.quiver.common.binlog.FileLayout.U16;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.milvus.grpc.ArrayArray;
import io.milvus.grpc.BoolArray;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DoubleArray;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FloatArray;
import io.milvus.grpc.JSONArray;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ScalarField;
import io.milvus.grpc.SparseFloatArray;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.VectorField;
import io.quiver.common.column.ArrayColumn;
import io.quiver.common.column.BoolColumn;
import io.quiver.common.column.ByteVectorColumn;
import io.quiver.common.column.DoubleColumn;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.FloatColumn;
import io.quiver.common.column.FloatVectorColumn;
import io.quiver.common.column.JsonColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.SparseVectorColumn;
import io.quiver.common.column.StringColumn;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Binlog = one field's values for a run of rows of one segment, as the datanode writes them to
 * {@code insert_log/...} and querynodes and indexnodes read them.
 *
 * <h2>Format, version 1 (all integers little-endian)</h2>
 * <pre>
 * offset size
 *   0     4   magic "QVBL"
 *   4     2   u16 format version = 1
 *   6     2   u16 flags: bit 0 = nullable (a validity bitmap is present); other bits 0
 *   8     4   i32 data type (Milvus schema.proto DataType number)
 *  12     4   i32 element type of an ARRAY field (DataType number), else 0
 *  16     8   i64 field id (informational)
 *  24     8   i64 dim: vector dimension as Milvus counts it (binary: bits); sparse: max index + 1 of the rows; else 0
 *  32     4   i32 bytes per row of the payload for fixed-width types, 0 for variable-width types
 *  36     4   i32 row count
 *  40     8   i64 tsFrom
 *  48     8   i64 tsTo
 *  56     8   i64 validity offset  64 i64 validity length  (0, 0 when not nullable)
 *  72     8   i64 offsets offset   80 i64 offsets length   (0, 0 for fixed-width types)
 *  88     8   i64 payload offset   96 i64 payload length
 * 104    24   reserved, zero
 * 128         sections, each at a 64-byte aligned offset, zero padding between them:
 *             validity: ceil(rows / 64) u64 words, bit (row % 64) of word (row / 64) set = row is valid (not null)
 *             offsets:  (rows + 1) i64, row r's bytes are payload[offsets[r], offsets[r + 1]), offsets[0] = 0
 *             payload:  fixed width, rows * bytesPerRow bytes, raw little-endian:
 *                         BOOL 1 byte (0/1), INT8 1, INT16 2, INT32 4, INT64 8 (two's complement), FLOAT 4, DOUBLE 8
 *                         (IEEE 754), FLOAT_VECTOR dim f32 row-major, BINARY/FLOAT16/BFLOAT16_VECTOR raw row bytes;
 *                       variable width, concatenated rows: VARCHAR UTF-8, JSON the client's bytes, ARRAY the
 *                         serialized milvus ScalarField of the row, SPARSE_FLOAT_VECTOR Milvus' row encoding
 *                         (u32 index, f32 value pairs)
 * len-8   4   u32 CRC32C (Castagnoli) of bytes [0, len - 8)
 * len-4   4   end magic "QVBE"
 * </pre>
 * Null rows still hold a value slot (whatever the column held; readers must consult the bitmap).
 *
 * <p>Why: the fixed-width payload starts 64-byte aligned so a querynode can map the file and use the
 * vectors in place ({@link #floatVectorPayload}); the section table makes the layout self-describing so a
 * later version can add sections without moving old ones; the end magic lets us tell a truncated upload
 * from bit rot. A shipped version is never edited: a change means version 2 and a reader for both.
 */
public final class BinlogCodec {
    public static final int VERSION = 1;
    static final String MAGIC = "QVBL";
    static final String END_MAGIC = "QVBE";
    static final int HEADER_SIZE = 128;
    static final int FLAG_NULLABLE = 1;
    private static final String KIND = "binlog";

    private BinlogCodec() {}

    // ---------------------------------------------------------------- write

    /** Encodes rows {@code [fromRow, toRow)} of {@code column}. */
    public static byte[] write(FieldColumn column, int fromRow, int toRow, long tsFrom, long tsTo) {
        if (fromRow < 0 || toRow < fromRow || toRow > column.size()) {
            throw new IllegalArgumentException("row range [" + fromRow + ", " + toRow + ") outside column of "
                    + column.size() + " rows");
        }
        int rows = toRow - fromRow;
        DataType type = column.type();
        int bytesPerRow = fixedWidth(column);
        boolean nullable = column.nullable();

        byte[][] varRows = null;
        long payloadLen;
        if (bytesPerRow > 0) {
            payloadLen = (long) rows * bytesPerRow;
        } else {
            varRows = new byte[rows][];
            payloadLen = 0;
            for (int i = 0; i < rows; i++) {
                varRows[i] = variableRow(column, fromRow + i);
                payloadLen += varRows[i].length;
            }
        }
        long validityLen = nullable ? 8L * ((rows + 63) >>> 6) : 0;
        long offsetsLen = bytesPerRow > 0 ? 0 : 8L * (rows + 1);

        long pos = HEADER_SIZE;
        long validityOff = nullable ? pos : 0;
        pos = FileLayout.align(pos + validityLen);
        long offsetsOff = offsetsLen > 0 ? pos : 0;
        pos = FileLayout.align(pos + offsetsLen);
        long payloadOff = pos;
        long total = FileLayout.align(pos + payloadLen) + FileLayout.TRAILER;
        if (total > FileLayout.MAX_FILE) {
            throw new IllegalArgumentException("binlog of " + rows + " rows would take " + total
                    + " bytes; write fewer rows per binlog");
        }
        byte[] file = new byte[(int) total];
        MemorySegment seg = MemorySegment.ofArray(file);

        seg.set(I32, 0, FileLayout.magic(MAGIC));
        seg.set(U16, 4, (short) VERSION);
        seg.set(U16, 6, (short) (nullable ? FLAG_NULLABLE : 0));
        seg.set(I32, 8, type.getNumber());
        seg.set(I32, 12, column instanceof ArrayColumn a ? a.elementType().getNumber() : 0);
        seg.set(I64, 16, column.fieldId());
        seg.set(I64, 24, dimOf(column, varRows));
        seg.set(I32, 32, bytesPerRow);
        seg.set(I32, 36, rows);
        seg.set(I64, 40, tsFrom);
        seg.set(I64, 48, tsTo);
        seg.set(I64, 56, validityOff);
        seg.set(I64, 64, validityLen);
        seg.set(I64, 72, offsetsOff);
        seg.set(I64, 80, offsetsLen);
        seg.set(I64, 88, payloadOff);
        seg.set(I64, 96, payloadLen);

        if (nullable) {
            for (int i = 0; i < rows; i++) {
                if (!column.isNull(fromRow + i)) {
                    long w = validityOff + 8L * (i >>> 6);
                    seg.set(I64, w, seg.get(I64, w) | (1L << i));
                }
            }
        }
        if (bytesPerRow > 0) {
            writeFixed(column, seg, payloadOff, fromRow, rows);
        } else {
            long off = 0;
            seg.set(I64, offsetsOff, 0L);
            for (int i = 0; i < rows; i++) {
                byte[] r = varRows[i];
                System.arraycopy(r, 0, file, (int) (payloadOff + off), r.length);
                off += r.length;
                seg.set(I64, offsetsOff + 8L * (i + 1), off);
            }
        }
        FileLayout.seal(file, END_MAGIC);
        return file;
    }

    /** Bytes per row of a fixed-width type, 0 for variable-width types. */
    private static int fixedWidth(FieldColumn c) {
        return switch (c) {
            case BoolColumn b -> 1;
            case LongColumn l -> longWidth(l.type());
            case FloatColumn f -> 4;
            case DoubleColumn d -> 8;
            case FloatVectorColumn v -> Math.multiplyExact(v.dim(), 4);
            case ByteVectorColumn v -> v.bytesPerRow();
            case StringColumn s -> 0;
            case JsonColumn j -> 0;
            case ArrayColumn a -> 0;
            case SparseVectorColumn s -> 0;
        };
    }

    private static int longWidth(DataType t) {
        return switch (t) {
            case Int8 -> 1;
            case Int16 -> 2;
            case Int32 -> 4;
            default -> 8;
        };
    }

    private static long dimOf(FieldColumn c, byte[][] varRows) {
        return switch (c) {
            case FloatVectorColumn v -> v.dim();
            case ByteVectorColumn v -> v.dim();
            case SparseVectorColumn s -> {
                long max = 0;
                for (byte[] r : varRows) {
                    for (int p = 0; p + 8 <= r.length; p += 8) {
                        long idx = Integer.toUnsignedLong((r[p] & 0xff) | (r[p + 1] & 0xff) << 8
                                | (r[p + 2] & 0xff) << 16 | (r[p + 3] & 0xff) << 24);
                        max = Math.max(max, idx + 1);
                    }
                }
                yield max;
            }
            default -> 0;
        };
    }

    private static byte[] variableRow(FieldColumn c, int row) {
        byte[] v = switch (c) {
            case StringColumn s -> {
                String x = s.get(row);
                yield x == null ? null : x.getBytes(StandardCharsets.UTF_8);
            }
            case JsonColumn j -> j.get(row);
            case ArrayColumn a -> {
                ScalarField f = a.get(row);
                yield f == null ? null : f.toByteArray();
            }
            case SparseVectorColumn s -> s.get(row);
            default -> throw new IllegalStateException("not a variable-width column: " + c.type());
        };
        return v == null ? new byte[0] : v;
    }

    private static void writeFixed(FieldColumn c, MemorySegment seg, long off, int from, int rows) {
        switch (c) {
            case BoolColumn b -> {
                for (int i = 0; i < rows; i++) seg.set(ValueLayout.JAVA_BYTE, off + i, (byte) (b.get(from + i) ? 1 : 0));
            }
            case LongColumn l -> {
                long[] a = l.array();
                switch (l.type()) {
                    case Int8 -> { for (int i = 0; i < rows; i++) seg.set(ValueLayout.JAVA_BYTE, off + i, (byte) a[from + i]); }
                    case Int16 -> { for (int i = 0; i < rows; i++) seg.set(U16, off + 2L * i, (short) a[from + i]); }
                    case Int32 -> { for (int i = 0; i < rows; i++) seg.set(I32, off + 4L * i, (int) a[from + i]); }
                    default -> MemorySegment.copy(a, from, seg, I64, off, rows);
                }
            }
            case FloatColumn f -> {
                for (int i = 0; i < rows; i++) seg.set(F32, off + 4L * i, f.get(from + i));
            }
            case DoubleColumn d -> {
                for (int i = 0; i < rows; i++) seg.set(F64, off + 8L * i, d.get(from + i));
            }
            case FloatVectorColumn v -> MemorySegment.copy(v.array(), from * v.dim(), seg, F32, off, rows * v.dim());
            case ByteVectorColumn v -> MemorySegment.copy(v.array(), from * v.bytesPerRow(), seg, ValueLayout.JAVA_BYTE, off,
                    rows * v.bytesPerRow());
            default -> throw new IllegalStateException("not a fixed-width column: " + c.type());
        }
    }

    // ---------------------------------------------------------------- read

    /** Parsed and verified layout of a binlog. */
    private record Parsed(BinlogHeader header, long validityOff, long offsetsOff, long payloadOff, long payloadLen) {}

    /** The header of a binlog, after verifying magic, trailer, CRC32C, version and section bounds. */
    public static BinlogHeader header(byte[] data) {
        return parse(MemorySegment.ofArray(data)).header();
    }

    /** As {@link #header(byte[])}, for a mapped file. */
    public static BinlogHeader header(MemorySegment file) {
        return parse(file).header();
    }

    private static Parsed parse(MemorySegment seg) {
        int version = FileLayout.verify(seg, KIND, MAGIC, END_MAGIC, HEADER_SIZE + FileLayout.TRAILER, VERSION);
        int flags = seg.get(U16, 6) & 0xffff;
        if ((flags & ~FLAG_NULLABLE) != 0) {
            throw new BinlogFormatException("binlog has unknown flags 0x" + Integer.toHexString(flags));
        }
        DataType type = DataType.forNumber(seg.get(I32, 8));
        DataType elem = DataType.forNumber(seg.get(I32, 12));
        if (type == null || elem == null) {
            throw new BinlogFormatException("binlog has unknown data type " + seg.get(I32, 8) + "/" + seg.get(I32, 12));
        }
        long fieldId = seg.get(I64, 16);
        long dim = seg.get(I64, 24);
        int bytesPerRow = seg.get(I32, 32);
        int rows = seg.get(I32, 36);
        long tsFrom = seg.get(I64, 40);
        long tsTo = seg.get(I64, 48);
        boolean nullable = (flags & FLAG_NULLABLE) != 0;
        long vOff = seg.get(I64, 56), vLen = seg.get(I64, 64);
        long oOff = seg.get(I64, 72), oLen = seg.get(I64, 80);
        long pOff = seg.get(I64, 88), pLen = seg.get(I64, 96);
        if (rows < 0 || bytesPerRow < 0 || dim < 0) {
            throw new BinlogFormatException("binlog header has negative rows/bytesPerRow/dim: " + rows + "/" + bytesPerRow + "/" + dim);
        }
        FileLayout.checkSection(seg, KIND, "validity", vOff, vLen, HEADER_SIZE);
        FileLayout.checkSection(seg, KIND, "offsets", oOff, oLen, HEADER_SIZE);
        FileLayout.checkSection(seg, KIND, "payload", pOff, pLen, HEADER_SIZE);
        if (pLen == 0 && (pOff & (FileLayout.ALIGN - 1)) != 0) {
            throw new BinlogFormatException("binlog payload offset " + pOff + " is not 64-byte aligned");
        }
        if (vLen != (nullable ? 8L * ((rows + 63) >>> 6) : 0)) {
            throw new BinlogFormatException("binlog validity bitmap of " + vLen + " bytes does not fit " + rows + " rows");
        }
        if (bytesPerRow > 0) {
            if (pLen != (long) rows * bytesPerRow || oLen != 0) {
                throw new BinlogFormatException("binlog payload of " + pLen + " bytes does not hold " + rows + " rows of "
                        + bytesPerRow + " bytes");
            }
        } else {
            if (oLen != 8L * (rows + 1)) {
                throw new BinlogFormatException("binlog offsets section of " + oLen + " bytes does not fit " + rows + " rows");
            }
            long prev = 0;
            if (seg.get(I64, oOff) != 0) {
                throw new BinlogFormatException("binlog offsets do not start at 0");
            }
            for (int i = 1; i <= rows; i++) {
                long o = seg.get(I64, oOff + 8L * i);
                if (o < prev || o > pLen) {
                    throw new BinlogFormatException("binlog offset of row " + (i - 1) + " is out of order or past the payload");
                }
                prev = o;
            }
            if (prev != pLen) {
                throw new BinlogFormatException("binlog offsets end at " + prev + " but the payload holds " + pLen + " bytes");
            }
        }
        BinlogHeader h = new BinlogHeader(version, type, elem, fieldId, dim, bytesPerRow, rows, tsFrom, tsTo, nullable);
        return new Parsed(h, vOff, oOff, pOff, pLen);
    }

    /**
     * Appends the rows stored in {@code data} to {@code into} (a column created with {@code FieldColumn.create}
     * for the same field). Verifies magic, version, CRC32C, type and dim; throws {@link BinlogFormatException}
     * on any mismatch, leaving {@code into} unchanged.
     */
    public static void readInto(byte[] data, FieldColumn into) {
        MemorySegment seg = MemorySegment.ofArray(data);
        Parsed p = parse(seg);
        BinlogHeader h = p.header();
        checkCompatible(h, into);
        int rows = h.rows();
        boolean[] valid = null;
        if (h.nullable()) {
            valid = new boolean[rows];
            boolean anyNull = false;
            for (int i = 0; i < rows; i++) {
                valid[i] = (seg.get(I64, p.validityOff() + 8L * (i >>> 6)) & (1L << i)) != 0;
                anyNull |= !valid[i];
            }
            if (!anyNull) {
                valid = null;
            } else if (!into.nullable()) {
                throw new BinlogFormatException("binlog of field " + h.fieldId() + " has null rows but column of field "
                        + into.fieldId() + " is not nullable");
            }
        }
        if (rows == 0) {
            return;
        }
        long po = p.payloadOff();
        final boolean hasNulls = valid != null;
        switch (into) {
            case FloatVectorColumn v -> {
                float[] f = new float[Math.multiplyExact(rows, v.dim())];
                MemorySegment.copy(seg, F32, po, f, 0, f.length);
                v.add(f, 0, rows);
                return;
            }
            case LongColumn l when !hasNulls -> {
                for (int i = 0; i < rows; i++) l.add(readLong(seg, po, h.bytesPerRow(), i));
                return;
            }
            default -> { }
        }
        FieldData.Builder fd = FieldData.newBuilder().setType(h.dataType()).setFieldId(into.fieldId());
        switch (into) {
            case BoolColumn b -> {
                BoolArray.Builder a = BoolArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(seg.get(ValueLayout.JAVA_BYTE, po + i) != 0);
                fd.setScalars(ScalarField.newBuilder().setBoolData(a));
            }
            case LongColumn l -> {
                LongArray.Builder a = LongArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(readLong(seg, po, h.bytesPerRow(), i));
                fd.setScalars(ScalarField.newBuilder().setLongData(a));
            }
            case FloatColumn f -> {
                FloatArray.Builder a = FloatArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(seg.get(F32, po + 4L * i));
                fd.setScalars(ScalarField.newBuilder().setFloatData(a));
            }
            case DoubleColumn d -> {
                DoubleArray.Builder a = DoubleArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(seg.get(F64, po + 8L * i));
                fd.setScalars(ScalarField.newBuilder().setDoubleData(a));
            }
            case StringColumn s -> {
                StringArray.Builder a = StringArray.newBuilder();
                for (int i = 0; i < rows; i++) {
                    long o = rowStart(seg, p, i), e = rowStart(seg, p, i + 1);
                    a.addData(new String(data, (int) (po + o), (int) (e - o), StandardCharsets.UTF_8));
                }
                fd.setScalars(ScalarField.newBuilder().setStringData(a));
            }
            case JsonColumn j -> {
                JSONArray.Builder a = JSONArray.newBuilder();
                for (int i = 0; i < rows; i++) a.addData(slice(data, seg, p, i));
                fd.setScalars(ScalarField.newBuilder().setJsonData(a));
            }
            case ArrayColumn ac -> {
                ArrayArray.Builder a = ArrayArray.newBuilder().setElementType(ac.elementType());
                for (int i = 0; i < rows; i++) {
                    long o = rowStart(seg, p, i), e = rowStart(seg, p, i + 1);
                    try {
                        a.addData(ScalarField.parseFrom(UnsafeByteOperations.unsafeWrap(data, (int) (po + o), (int) (e - o))));
                    } catch (InvalidProtocolBufferException ex) {
                        throw new BinlogFormatException("binlog ARRAY row " + i + " is not a valid ScalarField", ex);
                    }
                }
                fd.setScalars(ScalarField.newBuilder().setArrayData(a));
            }
            case ByteVectorColumn v -> {
                ByteString bs = UnsafeByteOperations.unsafeWrap(data, (int) po, (int) p.payloadLen());
                VectorField.Builder vf = VectorField.newBuilder().setDim(v.dim());
                switch (v.type()) {
                    case BinaryVector -> vf.setBinaryVector(bs);
                    case Float16Vector -> vf.setFloat16Vector(bs);
                    default -> vf.setBfloat16Vector(bs);
                }
                fd.setVectors(vf);
            }
            case SparseVectorColumn s -> {
                SparseFloatArray.Builder a = SparseFloatArray.newBuilder().setDim(h.dim());
                for (int i = 0; i < rows; i++) a.addContents(slice(data, seg, p, i));
                fd.setVectors(VectorField.newBuilder().setDim(h.dim()).setSparseFloatVector(a));
            }
            case FloatVectorColumn v -> throw new AssertionError("handled above");
        }
        if (valid != null) {
            for (boolean b : valid) fd.addValidData(b);
        }
        into.append(fd.build(), rows);
    }

    private static long readLong(MemorySegment seg, long po, int width, int i) {
        return switch (width) {
            case 1 -> seg.get(ValueLayout.JAVA_BYTE, po + i);
            case 2 -> seg.get(U16, po + 2L * i);
            case 4 -> seg.get(I32, po + 4L * i);
            default -> seg.get(I64, po + 8L * i);
        };
    }

    private static long rowStart(MemorySegment seg, Parsed p, int row) {
        return seg.get(I64, p.offsetsOff() + 8L * row);
    }

    private static ByteString slice(byte[] data, MemorySegment seg, Parsed p, int row) {
        long o = rowStart(seg, p, row), e = rowStart(seg, p, row + 1);
        return ByteString.copyFrom(data, (int) (p.payloadOff() + o), (int) (e - o));
    }

    private static void checkCompatible(BinlogHeader h, FieldColumn into) {
        if (h.dataType() != into.type()) {
            throw new BinlogFormatException("binlog holds " + h.dataType() + " values of field " + h.fieldId()
                    + " but the column of field " + into.fieldId() + " is " + into.type());
        }
        int expectedWidth = fixedWidth(into);
        switch (into) {
            case ArrayColumn a when a.elementType() != h.elementType() ->
                    throw new BinlogFormatException("binlog holds ARRAY of " + h.elementType() + " but the column is ARRAY of "
                            + a.elementType());
            case FloatVectorColumn v when v.dim() != h.dim() ->
                    throw new BinlogFormatException("binlog holds vectors of dim " + h.dim() + " but the column has dim " + v.dim());
            case ByteVectorColumn v when v.dim() != h.dim() ->
                    throw new BinlogFormatException("binlog holds vectors of dim " + h.dim() + " but the column has dim " + v.dim());
            default -> { }
        }
        if (h.bytesPerRow() != expectedWidth) {
            throw new BinlogFormatException("binlog rows are " + h.bytesPerRow() + " bytes wide but " + into.type()
                    + " needs " + expectedWidth);
        }
    }

    // ---------------------------------------------------------------- zero-copy

    /**
     * Zero-copy view of a FLOAT_VECTOR binlog's payload: {@code rows * dim} little-endian floats, row-major,
     * as a slice of {@code file} (a mapped file or {@code MemorySegment.ofArray(bytes)}). The slice starts at a
     * 64-byte aligned file offset, so in a mapped file it is 64-byte aligned in memory; in a heap byte array
     * read it with {@code ValueLayout.JAVA_FLOAT_UNALIGNED}. Verifies the whole file (CRC32C) first.
     *
     * @throws BinlogFormatException if the file is invalid or does not hold float vectors
     */
    public static MemorySegment floatVectorPayload(MemorySegment file) {
        Parsed p = parse(file);
        if (p.header().dataType() != DataType.FloatVector) {
            throw new BinlogFormatException("binlog holds " + p.header().dataType() + ", not FloatVector");
        }
        return file.asSlice(p.payloadOff(), p.payloadLen());
    }

    /**
     * The payload of any fixed-width binlog (numbers, BOOL bytes, vectors) as a slice of {@code file}; see the
     * class comment for the element encoding. Rows that are null per the validity bitmap hold arbitrary values.
     */
    public static MemorySegment fixedWidthPayload(MemorySegment file) {
        Parsed p = parse(file);
        if (p.header().bytesPerRow() == 0) {
            throw new BinlogFormatException("binlog holds variable-width " + p.header().dataType() + " values");
        }
        return file.asSlice(p.payloadOff(), p.payloadLen());
    }
}
