package io.quiver.index.internal;

import java.util.Arrays;

/** Accumulates range-search hits across queries into flat arrays. */
public final class RangeCollector {
  public final int[] offsets;
  private int[] rows = new int[64];
  private float[] dists = new float[64];
  private int count;

  public RangeCollector(int nq) {
    offsets = new int[nq + 1];
  }

  public void add(int row, float dist) {
    if (count == rows.length) {
      rows = Arrays.copyOf(rows, count * 2);
      dists = Arrays.copyOf(dists, count * 2);
    }
    rows[count] = row;
    dists[count] = dist;
    count++;
  }

  public int count() {
    return count;
  }

  /** Sorts query q's hits (from offsets[q]) ascending by internal distance and closes it. */
  public void endQuery(int q) {
    int from = offsets[q];
    int n = count - from;
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = Packed.pack(dists[from + i], rows[from + i]);
    }
    Arrays.sort(keys);
    for (int i = 0; i < n; i++) {
      rows[from + i] = Packed.row(keys[i]);
      dists[from + i] = Packed.distance(keys[i]);
    }
    offsets[q + 1] = count;
  }

  public int[] rows() {
    return Arrays.copyOf(rows, count);
  }

  public float[] dists() {
    return Arrays.copyOf(dists, count);
  }
}
