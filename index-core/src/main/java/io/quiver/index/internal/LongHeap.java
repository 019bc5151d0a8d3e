package io.quiver.index.internal;

/**
 * Binary heap of primitive longs (min-heap). A max-heap is obtained by pushing {@code ~key}, which
 * reverses the order of every long without overflow. Keys are usually {@link Packed} score+row pairs.
 * Grows on demand but is meant to be cleared and reused (per-searcher scratch).
 */
public final class LongHeap {
  private long[] heap;
  private int size;

  public LongHeap(int initialCapacity) {
    heap = new long[Math.max(1, initialCapacity) + 1];
  }

  public int size() {
    return size;
  }

  public void clear() {
    size = 0;
  }

  public long peek() {
    return heap[1];
  }

  public void push(long v) {
    if (++size >= heap.length) {
      heap = java.util.Arrays.copyOf(heap, heap.length * 2);
    }
    int i = size;
    while (i > 1) {
      int p = i >>> 1;
      long pv = heap[p];
      if (v >= pv) {
        break;
      }
      heap[i] = pv;
      i = p;
    }
    heap[i] = v;
  }

  public long pop() {
    long top = heap[1];
    long last = heap[size--];
    if (size > 0) {
      siftDown(last);
    }
    return top;
  }

  /** Replaces the top with v (pop + push in one pass). */
  public void replaceTop(long v) {
    siftDown(v);
  }

  private void siftDown(long v) {
    int i = 1;
    int n = size;
    long[] h = heap;
    while (true) {
      int c = i << 1;
      if (c > n) {
        break;
      }
      long cv = h[c];
      if (c < n && h[c + 1] < cv) {
        c++;
        cv = h[c];
      }
      if (v <= cv) {
        break;
      }
      h[i] = cv;
      i = c;
    }
    h[i] = v;
  }

  /** The raw backing array, valid for indexes 1..size(). */
  public long[] raw() {
    return heap;
  }
}
