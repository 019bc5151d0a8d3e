package io.quiver.datacoord.importer;

import static java.util.Objects.requireNonNull;

import io.quiver.storage.ObjectStore;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} over an object of the {@link ObjectStore} (the local store under the data dir, or
 * S3/MinIO), read through ranged gets of at least {@link #WINDOW} bytes, so Parquet needs neither Hadoop's file
 * systems nor the whole file in memory.
 */
final class ObjectInputFile implements InputFile {
    static final int WINDOW = 4 << 20;

    private final ObjectStore store;
    private final String key;
    private final long length;

    ObjectInputFile(ObjectStore store, String key, long length) {
        this.store = requireNonNull(store, "store is null");
        this.key = requireNonNull(key, "key is null");
        this.length = length;
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public SeekableInputStream newStream() {
        return new Stream();
    }

    private final class Stream extends SeekableInputStream {
        private long pos;
        private long windowStart;
        private byte[] window = new byte[0];

        @Override
        public long getPos() {
            return pos;
        }

        @Override
        public void seek(long newPos) {
            pos = newPos;
        }

        /** Makes sure {@code window} covers {@code pos}; returns the bytes available from pos in it (0 at the end). */
        private int fill(int wanted) {
            if (pos >= length) {
                return 0;
            }
            if (pos < windowStart || pos >= windowStart + window.length) {
                long n = Math.min(length - pos, Math.max(WINDOW, wanted));
                window = store.getRange(key, pos, n);
                windowStart = pos;
            }
            return (int) (windowStart + window.length - pos);
        }

        @Override
        public int read() {
            if (fill(1) == 0) {
                return -1;
            }
            return window[(int) (pos++ - windowStart)] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int avail = fill(len);
            if (avail == 0) {
                return -1;
            }
            int n = Math.min(avail, len);
            System.arraycopy(window, (int) (pos - windowStart), b, off, n);
            pos += n;
            return n;
        }

        @Override
        public void readFully(byte[] b) throws IOException {
            readFully(b, 0, b.length);
        }

        @Override
        public void readFully(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = read(b, off, len);
                if (n < 0) {
                    throw new EOFException(key + ": unexpected end of file at " + pos);
                }
                off += n;
                len -= n;
            }
        }

        @Override
        public int read(ByteBuffer buf) {
            int want = buf.remaining();
            int avail = fill(want);
            if (avail == 0) {
                return want == 0 ? 0 : -1;
            }
            int n = Math.min(avail, want);
            buf.put(window, (int) (pos - windowStart), n);
            pos += n;
            return n;
        }

        @Override
        public void readFully(ByteBuffer buf) throws IOException {
            while (buf.hasRemaining()) {
                if (read(buf) < 0) {
                    throw new EOFException(key + ": unexpected end of file at " + pos);
                }
            }
        }
    }
}
