package io.quiver.common.binlog;

import static io.quiver.common.binlog.FileLayout.I32;
import static io.quiver.common.binlog.FileLayout.I64;
import static io.quiver.common.binlog.FileLayout.U16;

import io.milvus.grpc.DataType;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Primary-key statistics of one segment (the statslog, {@code stats_log/...}): a bloom filter over the
 * primary keys plus their min and max, so deletes and point lookups skip segments that cannot hold a key.
 *
 * <h2>Bloom filter (reimplementable)</h2>
 * For {@code n = max(1, rows)} keys and target false-positive rate {@code p = 0.01}: {@code numBits} =
 * {@code ceil(-n ln p / (ln 2)^2)} rounded up to a multiple of 64 (about 9.6 bits a key), {@code numHashes}
 * = {@code clamp(round(numBits / n * ln 2), 1, 30)} (7 at 1%). A key's bytes are its 8 little-endian bytes
 * (INT64) or its UTF-8 bytes (VARCHAR); {@code (h1, h2)} = MurmurHash3_x64_128 of those bytes with seed 0
 * (Guava {@code murmur3_128(0)}, {@code h1} = first 8 bytes of the digest as a little-endian long). Probe
 * {@code i} in {@code [0, numHashes)} sets bit {@code idx = unsigned(h1 + i * h2) mod numBits} (64-bit
 * wrapping arithmetic), stored as bit {@code idx % 64} of 64-bit word {@code idx / 64}.
 *
 * <h2>Min/max</h2>
 * INT64 by signed value; VARCHAR by Unicode code point order (equal to byte order of UTF-8 and to Go/Milvus
 * string comparison, unlike {@link String#compareTo} for characters above U+FFFF), see {@link #compareUtf8}.
 * An empty segment has min {@code Long.MAX_VALUE} > max {@code Long.MIN_VALUE} (null strings) and contains nothing.
 *
 * <h2>File format, version 1 (little-endian)</h2>
 * <pre>
 *  0 "QVST" | 4 u16 version = 1 | 6 u16 flags = 0 | 8 i32 pk type (DataType number) | 12 i32 numHashes
 * 16 i64 rowCount | 24 i64 numBits | 32 i64 minLong | 40 i64 maxLong (INT64; 0 for VARCHAR) | 48 i64 field id
 * 56 i32 min string UTF-8 length | 60 i32 max string UTF-8 length (-1 = none: INT64 or empty)
 * 64 u64 bloom words[numBits / 64]
 *    (64-byte aligned) min string bytes, then max string bytes
 * len-8 u32 CRC32C of [0, len - 8) | len-4 end magic "QVSE"
 * </pre>
 */
public final class PkStats {
    public static final int VERSION = 1;
    public static final double FALSE_POSITIVE_RATE = 0.01;
    static final String MAGIC = "QVST";
    static final String END_MAGIC = "QVSE";
    static final int HEADER_SIZE = 64;
    private static final String KIND = "statslog";

    private final DataType pkType;
    private final long fieldId;
    private final long rowCount;
    private final long numBits;
    private final int numHashes;
    private final long[] bits;
    private final long minLong;
    private final long maxLong;
    private final String minString;
    private final String maxString;

    private PkStats(DataType pkType, long fieldId, long rowCount, long numBits, int numHashes, long[] bits,
                    long minLong, long maxLong, String minString, String maxString) {
        this.pkType = pkType;
        this.fieldId = fieldId;
        this.rowCount = rowCount;
        this.numBits = numBits;
        this.numHashes = numHashes;
        this.bits = bits;
        this.minLong = minLong;
        this.maxLong = maxLong;
        this.minString = minString;
        this.maxString = maxString;
    }

    /** Stats of the first {@code rows} keys of a primary-key column (INT64 {@link LongColumn} or VARCHAR {@link StringColumn}). */
    public static PkStats build(FieldColumn pkColumn, int rows) {
        if (rows < 0 || rows > pkColumn.size()) {
            throw new IllegalArgumentException("rows " + rows + " outside column of " + pkColumn.size());
        }
        long n = Math.max(1, rows);
        long numBits = (long) Math.ceil(-n * Math.log(FALSE_POSITIVE_RATE) / (Math.log(2) * Math.log(2)));
        numBits = Math.max(64, (numBits + 63) & -64L);
        int k = (int) Math.max(1, Math.min(30, Math.round((double) numBits / n * Math.log(2))));
        long[] bits = new long[(int) (numBits >>> 6)];
        switch (pkColumn) {
            case LongColumn c when c.type() == DataType.Int64 -> {
                long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
                for (int i = 0; i < rows; i++) {
                    long v = c.get(i);
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    set(bits, numBits, k, Murmur3.hash128(v, 0));
                }
                return new PkStats(DataType.Int64, c.fieldId(), rows, numBits, k, bits, min, max, null, null);
            }
            case StringColumn c -> {
                String min = null, max = null;
                for (int i = 0; i < rows; i++) {
                    String v = c.get(i);
                    if (min == null || compareUtf8(v, min) < 0) min = v;
                    if (max == null || compareUtf8(v, max) > 0) max = v;
                    byte[] b = v.getBytes(StandardCharsets.UTF_8);
                    set(bits, numBits, k, Murmur3.hash128(b, 0, b.length, 0));
                }
                return new PkStats(DataType.VarChar, c.fieldId(), rows, numBits, k, bits, Long.MAX_VALUE, Long.MIN_VALUE,
                        min, max);
            }
            default -> throw new IllegalArgumentException("primary key column must be INT64 or VARCHAR, not " + pkColumn.type());
        }
    }

    private static void set(long[] bits, long numBits, int k, long[] h) {
        long combined = h[0];
        for (int i = 0; i < k; i++, combined += h[1]) {
            long idx = Long.remainderUnsigned(combined, numBits);
            bits[(int) (idx >>> 6)] |= 1L << idx;
        }
    }

    private boolean test(long[] h) {
        long combined = h[0];
        for (int i = 0; i < numHashes; i++, combined += h[1]) {
            long idx = Long.remainderUnsigned(combined, numBits);
            if ((bits[(int) (idx >>> 6)] & (1L << idx)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** False if the segment surely has no row with this INT64 key. */
    public boolean mightContain(long pk) {
        requireType(DataType.Int64);
        if (rowCount == 0 || pk < minLong || pk > maxLong) {
            return false;
        }
        return test(Murmur3.hash128(pk, 0));
    }

    /** False if the segment surely has no row with this VARCHAR key. */
    public boolean mightContain(String pk) {
        requireType(DataType.VarChar);
        if (rowCount == 0 || compareUtf8(pk, minString) < 0 || compareUtf8(pk, maxString) > 0) {
            return false;
        }
        byte[] b = pk.getBytes(StandardCharsets.UTF_8);
        return test(Murmur3.hash128(b, 0, b.length, 0));
    }

    private void requireType(DataType t) {
        if (pkType != t) {
            throw new IllegalArgumentException("stats of field " + fieldId + " are for " + pkType + " keys, asked for " + t);
        }
    }

    public DataType pkType() { return pkType; }

    public long fieldId() { return fieldId; }

    public long rowCount() { return rowCount; }

    /** Smallest INT64 key ({@code Long.MAX_VALUE} when empty). */
    public long minLong() { requireType(DataType.Int64); return minLong; }

    /** Largest INT64 key ({@code Long.MIN_VALUE} when empty). */
    public long maxLong() { requireType(DataType.Int64); return maxLong; }

    /** Smallest VARCHAR key in code point order, null when empty. */
    public String minString() { requireType(DataType.VarChar); return minString; }

    /** Largest VARCHAR key in code point order, null when empty. */
    public String maxString() { requireType(DataType.VarChar); return maxString; }

    public long numBits() { return numBits; }

    public int numHashes() { return numHashes; }

    /**
     * Compares strings by Unicode code point (= UTF-8 byte order, Go's string order). Differs from
     * {@link String#compareTo} only when a supplementary character meets a char in U+E000..U+FFFF.
     */
    public static int compareUtf8(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i), y = b.charAt(i);
            if (x != y) {
                return fixup(x) - fixup(y);
            }
        }
        return a.length() - b.length();
    }

    /** Moves surrogates above U+E000..U+FFFF so UTF-16 code units order like code points (ICU's trick). */
    private static int fixup(char c) {
        if (c >= 0xE000) return c - 0x800;
        if (c >= 0xD800) return c + 0x2000;
        return c;
    }

    // ---------------------------------------------------------------- file

    public byte[] serialize() {
        byte[] minB = minString == null ? null : minString.getBytes(StandardCharsets.UTF_8);
        byte[] maxB = maxString == null ? null : maxString.getBytes(StandardCharsets.UTF_8);
        long strOff = FileLayout.align(HEADER_SIZE + 8L * bits.length);
        long strLen = (minB == null ? 0 : minB.length) + (maxB == null ? 0 : maxB.length);
        long total = FileLayout.align(strOff + strLen) + FileLayout.TRAILER;
        byte[] file = new byte[Math.toIntExact(total)];
        MemorySegment seg = MemorySegment.ofArray(file);
        seg.set(I32, 0, FileLayout.magic(MAGIC));
        seg.set(U16, 4, (short) VERSION);
        seg.set(I32, 8, pkType.getNumber());
        seg.set(I32, 12, numHashes);
        seg.set(I64, 16, rowCount);
        seg.set(I64, 24, numBits);
        seg.set(I64, 32, pkType == DataType.Int64 ? minLong : 0);
        seg.set(I64, 40, pkType == DataType.Int64 ? maxLong : 0);
        seg.set(I64, 48, fieldId);
        seg.set(I32, 56, minB == null ? -1 : minB.length);
        seg.set(I32, 60, maxB == null ? -1 : maxB.length);
        MemorySegment.copy(bits, 0, seg, I64, HEADER_SIZE, bits.length);
        if (minB != null) {
            System.arraycopy(minB, 0, file, (int) strOff, minB.length);
        }
        if (maxB != null) {
            System.arraycopy(maxB, 0, file, (int) strOff + (minB == null ? 0 : minB.length), maxB.length);
        }
        FileLayout.seal(file, END_MAGIC);
        return file;
    }

    public static PkStats deserialize(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        FileLayout.verify(seg, KIND, MAGIC, END_MAGIC, HEADER_SIZE + FileLayout.TRAILER, VERSION);
        if (seg.get(U16, 6) != 0) {
            throw new BinlogFormatException("statslog has unknown flags");
        }
        DataType pkType = DataType.forNumber(seg.get(I32, 8));
        if (pkType != DataType.Int64 && pkType != DataType.VarChar) {
            throw new BinlogFormatException("statslog primary key type " + seg.get(I32, 8) + " is not INT64 or VARCHAR");
        }
        int k = seg.get(I32, 12);
        long rows = seg.get(I64, 16);
        long numBits = seg.get(I64, 24);
        long body = data.length - FileLayout.TRAILER;
        if (k < 1 || k > 30 || rows < 0 || numBits < 64 || (numBits & 63) != 0 || HEADER_SIZE + numBits / 8 > body) {
            throw new BinlogFormatException("statslog bloom filter parameters are invalid: numHashes=" + k + " numBits="
                    + numBits + " rows=" + rows + " in " + data.length + " bytes");
        }
        long[] bits = new long[(int) (numBits >>> 6)];
        MemorySegment.copy(seg, I64, HEADER_SIZE, bits, 0, bits.length);
        long fieldId = seg.get(I64, 48);
        if (pkType == DataType.Int64) {
            long min = rows == 0 ? Long.MAX_VALUE : seg.get(I64, 32);
            long max = rows == 0 ? Long.MIN_VALUE : seg.get(I64, 40);
            return new PkStats(pkType, fieldId, rows, numBits, k, bits, min, max, null, null);
        }
        int minLen = seg.get(I32, 56), maxLen = seg.get(I32, 60);
        long strOff = FileLayout.align(HEADER_SIZE + numBits / 8);
        if ((rows == 0) != (minLen < 0) || (minLen < 0) != (maxLen < 0) || strOff + Math.max(0, minLen) + Math.max(0, maxLen) > body) {
            throw new BinlogFormatException("statslog min/max strings of " + minLen + "/" + maxLen + " bytes do not fit");
        }
        String min = minLen < 0 ? null : new String(data, (int) strOff, minLen, StandardCharsets.UTF_8);
        String max = maxLen < 0 ? null : new String(data, (int) strOff + minLen, maxLen, StandardCharsets.UTF_8);
        return new PkStats(pkType, fieldId, rows, numBits, k, bits, Long.MAX_VALUE, Long.MIN_VALUE, min, max);
    }
}
