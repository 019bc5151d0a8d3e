package io.quiver.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The record framing shared by the {@link LocalMetaKv} journal and {@link LocalWal} segments.
 *
 * <p>A file starts with a {@value #FILE_HEADER}-byte header: magic (int), format version (int) and
 * one long of file-specific meaning (a WAL segment's base offset). Then records, each
 * {@code length (int, big-endian) | CRC32C of payload (int) | payload}. A record is valid only if
 * its length is in range, it lies wholly inside the file and its CRC matches: a torn or
 * corrupt tail is detected by {@link #scan} and cut off by the owner, never silently accepted.
 * Package-private: an implementation detail of the local backends.
 */
final class RecordLog {
    static final int FILE_HEADER = 16;
    static final int RECORD_HEADER = 8;

    private RecordLog() {}

    static int crc(ByteBuffer payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload.duplicate());
        return (int) crc.getValue();
    }

    static int crc(byte[] payload, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(payload, off, len);
        return (int) crc.getValue();
    }

    /** Length + CRC + payload, ready to write. */
    static ByteBuffer frame(byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(RECORD_HEADER + payload.length);
        buf.putInt(payload.length).putInt(crc(payload, 0, payload.length)).put(payload).flip();
        return buf;
    }

    static ByteBuffer fileHeader(int magic, int version, long extra) {
        return ByteBuffer.allocate(FILE_HEADER).putInt(magic).putInt(version).putLong(extra).flip();
    }

    /** Reads and checks a file header; returns its {@code extra} long. */
    static long readFileHeader(FileChannel ch, int magic, int version, Object what) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(FILE_HEADER);
        readFully(ch, h, 0);
        h.flip();
        if (h.remaining() < FILE_HEADER) {
            throw new StorageException("file too short for a header: " + what, false);
        }
        int m = h.getInt();
        int v = h.getInt();
        if (m != magic) {
            throw new StorageException("bad magic " + Integer.toHexString(m) + " in " + what, false);
        }
        if (v != version) {
            throw new StorageException("unsupported format version " + v + " in " + what + " (supported: " + version + ")", false);
        }
        return h.getLong();
    }

    /** Reads until {@code buf} is full or end of file. */
    static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                return;
            }
            pos += n;
        }
    }

    static void writeFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    interface Visitor {
        /** Called per valid record with the payload (CRC checked if the scan verifies). */
        void record(long position, ByteBuffer payload) throws IOException;
    }

    /**
     * Where a scan stopped: {@code validEnd} is the end of the last good record; {@code reason} is null at a clean end.
     * {@code corrupt}: the bad bytes are followed by a valid record, so they are not a torn tail (a crash tears only
     * the end of a log) but damage in the middle; cutting there would drop records after it, so owners refuse.
     */
    record ScanResult(long validEnd, long records, String reason, boolean corrupt) {
        ScanResult(long validEnd, long records, String reason) {
            this(validEnd, records, reason, false);
        }
    }

    /** How far past a bad record {@link #scan} looks for a valid one (bytes). */
    static final int CORRUPTION_PROBE = 64 * 1024;

    /**
     * Walks records from {@code start} to the end of the file, stopping at the first invalid one.
     * With {@code verify} false only the framing is checked (lengths), not the CRC, and payloads
     * are not read (the visitor gets an empty buffer).
     */
    static ScanResult scan(FileChannel ch, long start, int maxRecord, boolean verify, Visitor visitor) throws IOException {
        long size = ch.size();
        long pos = start;
        long count = 0;
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        ByteBuffer empty = ByteBuffer.allocate(0);
        while (pos < size) {
            if (size - pos < RECORD_HEADER) {
                return new ScanResult(pos, count, "partial record header");
            }
            header.clear();
            readFully(ch, header, pos);
            header.flip();
            int len = header.getInt();
            int crc = header.getInt();
            if (len < 0 || len > maxRecord) {
                return stop(ch, pos, count, "bad record length " + len, -1, size, maxRecord, verify);
            }
            if (size - pos - RECORD_HEADER < len) {
                // a torn append, or a flipped length bit in the middle of the log: the probe tells them apart
                return stop(ch, pos, count, "partial record payload", -1, size, maxRecord, verify);
            }
            ByteBuffer payload = empty;
            if (verify) {
                payload = ByteBuffer.allocate(len);
                readFully(ch, payload, pos + RECORD_HEADER);
                payload.flip();
                if (crc(payload) != crc) {
                    return stop(ch, pos, count, "checksum (CRC32C) mismatch", pos + RECORD_HEADER + len, size, maxRecord, true);
                }
            }
            visitor.record(pos, payload);
            pos += RECORD_HEADER + len;
            count++;
        }
        return new ScanResult(pos, count, null);
    }

    /**
     * A scan stopping at a bad record at {@code pos}: corrupt if a valid record (non-empty, CRC checked) starts at
     * {@code next} (where the bad record's own length says the following one starts; -1 if that length is unusable)
     * or anywhere in the {@link #CORRUPTION_PROBE} bytes after {@code pos}, else a torn tail. A scan that does not
     * verify CRCs cannot tell and reports a torn tail.
     */
    private static ScanResult stop(FileChannel ch, long pos, long count, String reason, long next, long size,
                                   int maxRecord, boolean verify) throws IOException {
        if (!verify) {
            return new ScanResult(pos, count, reason);
        }
        if (next >= 0 && validRecordAt(ch, next, size, maxRecord)) {
            return new ScanResult(pos, count, reason + "; a valid record follows at byte " + next, true);
        }
        long end = Math.min(size - RECORD_HEADER, pos + CORRUPTION_PROBE);
        for (long p = pos + 1; p <= end; p++) {
            if (validRecordAt(ch, p, size, maxRecord)) {
                return new ScanResult(pos, count, reason + "; a valid record follows at byte " + p, true);
            }
        }
        return new ScanResult(pos, count, reason);
    }

    /** Whether a non-empty record with a matching CRC starts at {@code p}. */
    private static boolean validRecordAt(FileChannel ch, long p, long size, int maxRecord) throws IOException {
        if (p + RECORD_HEADER > size) {
            return false;
        }
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        readFully(ch, header, p);
        header.flip();
        int len = header.getInt();
        int crc = header.getInt();
        if (len <= 0 || len > maxRecord || size - p - RECORD_HEADER < len) {
            return false;
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        readFully(ch, payload, p + RECORD_HEADER);
        payload.flip();
        return crc(payload) == crc;
    }
}
