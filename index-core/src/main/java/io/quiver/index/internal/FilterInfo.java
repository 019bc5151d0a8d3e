package io.quiver.index.internal;

import io.quiver.index.Bits;
import io.quiver.index.FixedBits;

/** A search filter with its cardinality, computed once per search call. */
public final class FilterInfo {
  public final Bits bits;
  public final int allowed;
  public final int size;

  private FilterInfo(Bits bits, int allowed, int size) {
    this.bits = bits;
    this.allowed = allowed;
    this.size = size;
  }

  public static FilterInfo of(Bits bits, int size) {
    if (bits == null) {
      return new FilterInfo(null, size, size);
    }
    int allowed;
    if (bits instanceof FixedBits fb && fb.length() <= size) {
      allowed = fb.cardinality();
    } else {
      allowed = 0;
      int lim = Math.min(size, bits.length());
      for (int i = 0; i < lim; i++) {
        if (bits.get(i)) {
          allowed++;
        }
      }
    }
    return new FilterInfo(bits, allowed, size);
  }

  public boolean none() {
    return bits == null;
  }

  public boolean allows(int row) {
    return bits == null || (row < bits.length() && bits.get(row));
  }

  public double fraction() {
    return size == 0 ? 0 : (double) allowed / size;
  }

  /** Allowed rows in ascending order. */
  public int[] allowedRows() {
    int[] rows = new int[allowed];
    int c = 0;
    if (bits instanceof FixedBits fb) {
      for (int i = fb.nextSetBit(0); i >= 0 && i < size && c < rows.length; i = fb.nextSetBit(i + 1)) {
        rows[c++] = i;
      }
    } else {
      int lim = Math.min(size, bits == null ? size : bits.length());
      for (int i = 0; i < lim && c < rows.length; i++) {
        if (allows(i)) {
          rows[c++] = i;
        }
      }
    }
    return c == rows.length ? rows : java.util.Arrays.copyOf(rows, c);
  }
}
