package io.quiver.index.internal;

import io.quiver.index.HalfFloats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Little-endian reader over an index file held in a {@link MemorySegment} (mapped or heap). */
public final class IndexInput {
  private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment seg;
  private final boolean mapped;
  private long pos;
  /** Element type of the file's raw vectors: null for float32 (format version 1), else from a version 2 header. */
  private HalfFloats.Kind halfKind;

  public IndexInput(MemorySegment seg, boolean mapped) {
    this.seg = seg;
    this.mapped = mapped;
  }

  /** True when bulk float arrays should stay in the (mapped) segment rather than be copied. */
  public boolean mapped() {
    return mapped;
  }

  public HalfFloats.Kind halfKind() {
    return halfKind;
  }

  /** Set by the header reader of a version 2 file whose raw vectors are FLOAT16 or BFLOAT16. */
  public void halfKind(HalfFloats.Kind kind) {
    this.halfKind = kind;
  }

  private void need(long bytes) {
    if (pos + bytes > seg.byteSize() - 4) {
      throw new IllegalStateException("corrupt index file: truncated at " + pos);
    }
  }

  public int readInt() {
    need(4);
    int v = seg.get(I32, pos);
    pos += 4;
    return v;
  }

  public long readLong() {
    need(8);
    long v = seg.get(I64, pos);
    pos += 8;
    return v;
  }

  public float readFloat() {
    need(4);
    float v = seg.get(F32, pos);
    pos += 4;
    return v;
  }

  public String readString() {
    int len = readInt();
    if (len < 0) {
      throw new IllegalStateException("corrupt index file: negative string length");
    }
    need(len);
    byte[] b = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
    pos += len;
    return new String(b, StandardCharsets.UTF_8);
  }

  private void align(int a) {
    pos = (pos + a - 1) / a * a;
  }

  private int readLen(int elemSize) {
    int len = readInt();
    align(64);
    if (len < 0) {
      throw new IllegalStateException("corrupt index file: negative array length");
    }
    need((long) len * elemSize);
    return len;
  }

  public float[] readFloats() {
    int len = readLen(4);
    float[] a = new float[len];
    MemorySegment.copy(seg, F32, pos, a, 0, len);
    pos += 4L * len;
    return a;
  }

  /** A slice of the segment holding the floats (zero-copy for mapped files). */
  public MemorySegment readFloatSegment() {
    int len = readLen(4);
    MemorySegment s = seg.asSlice(pos, 4L * len);
    pos += 4L * len;
    return s;
  }

  /** A byte array (as {@link #readByteArray}) as a slice of the file's segment, not copied: for mapped files. */
  public MemorySegment readByteSegment() {
    int len = readLen(1);
    MemorySegment s = seg.asSlice(pos, len);
    pos += len;
    return s;
  }

  public int[] readInts() {
    int len = readLen(4);
    int[] a = new int[len];
    MemorySegment.copy(seg, I32, pos, a, 0, len);
    pos += 4L * len;
    return a;
  }

  public long[] readLongs() {
    int len = readLen(8);
    long[] a = new long[len];
    MemorySegment.copy(seg, I64, pos, a, 0, len);
    pos += 8L * len;
    return a;
  }

  public byte[] readByteArray() {
    int len = readLen(1);
    byte[] a = new byte[len];
    MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, a, 0, len);
    pos += len;
    return a;
  }
}
