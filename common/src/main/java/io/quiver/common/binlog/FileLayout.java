package io.quiver.common.binlog;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Shared framing of every Quiver segment file: a 4-byte magic and a little-endian u16 version at the
 * start, sections aligned to 64 bytes, and an 8-byte trailer {@code u32 CRC32C(bytes [0, len - 8)), 4-byte
 * end magic}. The end magic tells a truncated file from a corrupted one.
 */
final class FileLayout {
    static final int ALIGN = 64;
    static final int TRAILER = 8;
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Largest file we build in one byte array. */
    static final long MAX_FILE = Integer.MAX_VALUE - 64;

    private FileLayout() {}

    static long align(long off) {
        return (off + ALIGN - 1) & -ALIGN;
    }

    /** The magic as the little-endian int read from its 4 ASCII bytes. */
    static int magic(String fourChars) {
        return (fourChars.charAt(0) & 0xff) | (fourChars.charAt(1) & 0xff) << 8
                | (fourChars.charAt(2) & 0xff) << 16 | (fourChars.charAt(3) & 0xff) << 24;
    }

    static int crc32c(MemorySegment seg, long from, long to) {
        CRC32C crc = new CRC32C();
        long chunk = 1L << 30;
        for (long off = from; off < to; off += chunk) {
            long n = Math.min(chunk, to - off);
            crc.update(seg.asSlice(off, n).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    /** Writes the trailer into the last 8 bytes of {@code file}. */
    static void seal(byte[] file, String endMagic) {
        MemorySegment seg = MemorySegment.ofArray(file);
        long end = file.length - TRAILER;
        seg.set(I32, end, crc32c(seg, 0, end));
        seg.set(I32, end + 4, magic(endMagic));
    }

    /**
     * Checks magic, length, trailer and CRC32C, then the version; returns the version.
     *
     * @param kind name for messages ("binlog", "deltalog", "statslog")
     */
    static int verify(MemorySegment seg, String kind, String magic, String endMagic, int minSize, int knownVersion) {
        long len = seg.byteSize();
        if (len < 4 || seg.get(I32, 0) != magic(magic)) {
            throw new BinlogFormatException("not a " + kind + ": magic " + magic + " missing (" + len + " bytes)");
        }
        if (len < minSize) {
            throw new BinlogFormatException(kind + " truncated: " + len + " bytes, a valid file has at least " + minSize);
        }
        long end = len - TRAILER;
        if (seg.get(I32, end + 4) != magic(endMagic)) {
            throw new BinlogFormatException(kind + " truncated or overwritten: end magic " + endMagic
                    + " missing at the last 4 of " + len + " bytes");
        }
        int stored = seg.get(I32, end);
        int computed = crc32c(seg, 0, end);
        if (stored != computed) {
            throw new BinlogFormatException(String.format(
                    "%s corrupted: CRC32C mismatch, stored 0x%08x, computed 0x%08x over %d bytes", kind, stored, computed, end));
        }
        int version = seg.get(U16, 4) & 0xffff;
        if (version != knownVersion) {
            throw new BinlogFormatException(kind + " version " + version + " is not supported (this reader knows version "
                    + knownVersion + ")");
        }
        return version;
    }

    /** Checks that [off, off + n) lies inside the body (before the trailer) and is aligned. */
    static void checkSection(MemorySegment seg, String kind, String name, long off, long n, int headerSize) {
        long body = seg.byteSize() - TRAILER;
        if (n == 0) {
            return;
        }
        if (off < headerSize || n < 0 || off > body || n > body - off || (off & (ALIGN - 1)) != 0) {
            throw new BinlogFormatException(kind + " " + name + " section [" + off + ", +" + n + ") is outside the file body of "
                    + body + " bytes or not 64-byte aligned");
        }
    }
}
