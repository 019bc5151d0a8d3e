package io.quiver.common.binlog;

import static io.quiver.common.binlog.FileLayout.I32;
import static io.quiver.common.binlog.FileLayout.I64;
import static io.quiver.common.binlog.FileLayout.U16;

import io.milvus.grpc.DataType;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Deltalog = the deletes of one segment ({@code delta_log/...}, and the whole content of L0 segments).
 *
 * <h2>Format, version 1 (little-endian)</h2>
 * <pre>
 *   0  4  magic "QVDL"
 *   4  2  u16 version = 1
 *   6  2  u16 flags = 0
 *   8  4  i32 pk type (DataType number: 5 INT64 or 21 VARCHAR)
 *  12  4  i32 count
 *  16  8  i64 smallest timestamp (0 if empty)
 *  24  8  i64 largest timestamp (0 if empty)
 *  32 32  reserved, zero
 *  64     i64 timestamps[count]
 *         (64-byte aligned) INT64: i64 pks[count];
 *                           VARCHAR: i64 offsets[count + 1] (offsets[0] = 0) then, 64-byte aligned, the UTF-8 bytes
 * len-8 4 u32 CRC32C of bytes [0, len - 8)
 * len-4 4 end magic "QVDE"
 * </pre>
 * Entries keep the writer's order (no sorting, duplicates allowed).
 */
public final class DeltalogCodec {
    public static final int VERSION = 1;
    static final String MAGIC = "QVDL";
    static final String END_MAGIC = "QVDE";
    static final int HEADER_SIZE = 64;
    private static final String KIND = "deltalog";

    private DeltalogCodec() {}

    public static byte[] write(DeleteBatch batch) {
        int n = batch.size();
        boolean strings = batch.stringPks() != null;
        byte[][] utf8 = null;
        long strBytes = 0;
        if (strings) {
            utf8 = new byte[n][];
            for (int i = 0; i < n; i++) {
                utf8[i] = batch.stringPks()[i].getBytes(StandardCharsets.UTF_8);
                strBytes += utf8[i].length;
            }
        }
        long tsOff = HEADER_SIZE;
        long pkOff = FileLayout.align(tsOff + 8L * n);
        long strOff = FileLayout.align(pkOff + 8L * (strings ? n + 1 : n));
        long end = FileLayout.align(strOff + strBytes);
        long total = end + FileLayout.TRAILER;
        if (total > FileLayout.MAX_FILE) {
            throw new IllegalArgumentException("deltalog of " + n + " deletes is too large; split it");
        }
        byte[] file = new byte[(int) total];
        MemorySegment seg = MemorySegment.ofArray(file);
        seg.set(I32, 0, FileLayout.magic(MAGIC));
        seg.set(U16, 4, (short) VERSION);
        seg.set(I32, 8, strings ? DataType.VarChar.getNumber() : DataType.Int64.getNumber());
        seg.set(I32, 12, n);
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (long t : batch.timestamps()) {
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        seg.set(I64, 16, n == 0 ? 0 : min);
        seg.set(I64, 24, n == 0 ? 0 : max);
        MemorySegment.copy(batch.timestamps(), 0, seg, I64, tsOff, n);
        if (strings) {
            long off = 0;
            for (int i = 0; i < n; i++) {
                System.arraycopy(utf8[i], 0, file, (int) (strOff + off), utf8[i].length);
                off += utf8[i].length;
                seg.set(I64, pkOff + 8L * (i + 1), off);
            }
        } else {
            MemorySegment.copy(batch.longPks(), 0, seg, I64, pkOff, n);
        }
        FileLayout.seal(file, END_MAGIC);
        return file;
    }

    public static DeleteBatch read(byte[] data) {
        MemorySegment seg = MemorySegment.ofArray(data);
        FileLayout.verify(seg, KIND, MAGIC, END_MAGIC, HEADER_SIZE + FileLayout.TRAILER, VERSION);
        int flags = seg.get(U16, 6);
        if (flags != 0) {
            throw new BinlogFormatException("deltalog has unknown flags 0x" + Integer.toHexString(flags & 0xffff));
        }
        DataType pkType = DataType.forNumber(seg.get(I32, 8));
        int n = seg.get(I32, 12);
        boolean strings = pkType == DataType.VarChar;
        if (!strings && pkType != DataType.Int64) {
            throw new BinlogFormatException("deltalog primary key type " + seg.get(I32, 8) + " is not INT64 or VARCHAR");
        }
        long body = data.length - FileLayout.TRAILER;
        long tsOff = HEADER_SIZE;
        long pkOff = FileLayout.align(tsOff + 8L * Math.max(0, n));
        long strOff = FileLayout.align(pkOff + 8L * (strings ? (long) n + 1 : n));
        if (n < 0 || strOff > body) {
            throw new BinlogFormatException("deltalog of " + data.length + " bytes cannot hold " + n + " deletes");
        }
        long[] ts = new long[n];
        MemorySegment.copy(seg, I64, tsOff, ts, 0, n);
        if (!strings) {
            long[] pks = new long[n];
            MemorySegment.copy(seg, I64, pkOff, pks, 0, n);
            return DeleteBatch.ofLongs(pks, ts);
        }
        String[] pks = new String[n];
        long prev = 0;
        for (int i = 0; i < n; i++) {
            long o = seg.get(I64, pkOff + 8L * (i + 1));
            if (o < prev || strOff + o > body) {
                throw new BinlogFormatException("deltalog key offset of entry " + i + " is out of order or past the file");
            }
            pks[i] = new String(data, (int) (strOff + prev), (int) (o - prev), StandardCharsets.UTF_8);
            prev = o;
        }
        return DeleteBatch.ofStrings(pks, ts);
    }
}
