package io.quiver.index.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Little-endian writer of index files that tracks the position (for alignment of bulk arrays, so they
 * can be memory-mapped and read with SIMD loads) and the CRC32C of everything written.
 */
public final class IndexOutput {
  private final OutputStream out;
  private final CRC32C crc = new CRC32C();
  private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
  private long position;

  public IndexOutput(OutputStream out) {
    this.out = out;
  }

  private void ensure(int bytes) throws IOException {
    if (buf.remaining() < bytes) {
      flushBuffer();
    }
  }

  private void flushBuffer() throws IOException {
    buf.flip();
    crc.update(buf.array(), 0, buf.limit());
    out.write(buf.array(), 0, buf.limit());
    buf.clear();
  }

  public void writeInt(int v) throws IOException {
    ensure(4);
    buf.putInt(v);
    position += 4;
  }

  public void writeLong(long v) throws IOException {
    ensure(8);
    buf.putLong(v);
    position += 8;
  }

  public void writeFloat(float v) throws IOException {
    ensure(4);
    buf.putFloat(v);
    position += 4;
  }

  public void writeString(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeInt(b.length);
    writeBytes(b, 0, b.length);
  }

  public void writeBytes(byte[] b, int off, int len) throws IOException {
    while (len > 0) {
      ensure(1);
      int c = Math.min(len, buf.remaining());
      buf.put(b, off, c);
      off += c;
      len -= c;
      position += c;
    }
  }

  /** Pads with zeros so the next write starts at a multiple of {@code alignment}. */
  public void align(int alignment) throws IOException {
    while (position % alignment != 0) {
      ensure(1);
      buf.put((byte) 0);
      position++;
    }
  }

  /** Writes {@code len} then the values, 64-byte aligned. */
  public void writeFloats(float[] a, int off, int len) throws IOException {
    writeInt(len);
    align(64);
    for (int i = 0; i < len; i++) {
      ensure(4);
      buf.putFloat(a[off + i]);
    }
    position += 4L * len;
  }

  public void writeInts(int[] a) throws IOException {
    writeInt(a.length);
    align(64);
    for (int v : a) {
      ensure(4);
      buf.putInt(v);
    }
    position += 4L * a.length;
  }

  public void writeLongs(long[] a) throws IOException {
    writeInt(a.length);
    align(64);
    for (long v : a) {
      ensure(8);
      buf.putLong(v);
    }
    position += 8L * a.length;
  }

  public void writeByteArray(byte[] a) throws IOException {
    writeInt(a.length);
    align(64);
    writeBytes(a, 0, a.length);
  }

  /** Writes {@code len} bytes of {@code seg} from {@code off} as a byte array (length, then the bytes 64-byte aligned). */
  public void writeByteSegment(MemorySegment seg, long off, long len) throws IOException {
    writeInt(Math.toIntExact(len));
    align(64);
    byte[] chunk = new byte[(int) Math.min(len, 1 << 16)];
    for (long done = 0; done < len; done += chunk.length) {
      int c = (int) Math.min(chunk.length, len - done);
      MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off + done, chunk, 0, c);
      writeBytes(chunk, 0, c);
    }
  }

  /** Writes the CRC32C of all bytes written so far and flushes. */
  public void finish() throws IOException {
    flushBuffer();
    int c = (int) crc.getValue();
    buf.putInt(c);
    buf.flip();
    out.write(buf.array(), 0, buf.limit());
    buf.clear();
    position += 4;
    out.flush();
  }
}
