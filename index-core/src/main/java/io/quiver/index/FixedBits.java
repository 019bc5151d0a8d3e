package io.quiver.index;

/** A fixed-length {@link Bits} backed by a {@code long[]}. Not thread-safe for writes. */
public final class FixedBits implements Bits {
  private final long[] words;
  private final int length;

  public FixedBits(int length) {
    if (length < 0) {
      throw new IllegalArgumentException("length < 0");
    }
    this.length = length;
    this.words = new long[(length + 63) >>> 6];
  }

  private FixedBits(long[] words, int length) {
    this.words = words;
    this.length = length;
  }

  /**
   * A view over an existing word array (bit i of word i/64; e.g. {@code java.util.BitSet.toLongArray()} padded to
   * {@code (length + 63) / 64} words), so callers hand over a filter without copying it bit by bit.
   */
  public static FixedBits wrap(long[] words, int length) {
    if (length < 0 || words.length < ((length + 63) >>> 6)) {
      throw new IllegalArgumentException("need " + ((length + 63) >>> 6) + " words for " + length + " bits, got " + words.length);
    }
    return new FixedBits(words, length);
  }

  @Override
  public boolean get(int index) {
    return index >= 0 && index < length && (words[index >>> 6] & (1L << index)) != 0;
  }

  public void set(int index) {
    if (index < 0 || index >= length) {
      throw new IndexOutOfBoundsException("index " + index + " not in [0, " + length + ")");
    }
    words[index >>> 6] |= 1L << index;
  }

  public void clear(int index) {
    words[index >>> 6] &= ~(1L << index);
  }

  /** Sets every bit. */
  public FixedBits setAll() {
    java.util.Arrays.fill(words, -1L);
    int extra = words.length * 64 - length;
    if (extra > 0) {
      words[words.length - 1] >>>= extra;
    }
    return this;
  }

  public int cardinality() {
    int c = 0;
    for (long w : words) {
      c += Long.bitCount(w);
    }
    return c;
  }

  /** The next set bit at or after {@code from}, or -1. */
  public int nextSetBit(int from) {
    if (from >= length) {
      return -1;
    }
    int w = from >>> 6;
    long word = words[w] & (-1L << from);
    while (true) {
      if (word != 0) {
        int i = (w << 6) + Long.numberOfTrailingZeros(word);
        return i < length ? i : -1;
      }
      if (++w >= words.length) {
        return -1;
      }
      word = words[w];
    }
  }

  /** The next clear bit at or after {@code from}, or {@link #length()} when none is left. */
  public int nextClearBit(int from) {
    if (from >= length) {
      return length;
    }
    int w = from >>> 6;
    long word = ~words[w] & (-1L << from);
    while (true) {
      if (word != 0) {
        return Math.min(length, (w << 6) + Long.numberOfTrailingZeros(word));
      }
      if (++w >= words.length) {
        return length;
      }
      word = ~words[w];
    }
  }

  @Override
  public int length() {
    return length;
  }
}
