package io.quiver.index.internal;

/**
 * Bounded best-k collector over packed (distance,row) longs: a max-heap (stored as {@code ~key}) whose
 * top is the current worst of the k best. Reused per searcher.
 */
public final class TopK {
  private final LongHeap heap;
  private int k;

  public TopK(int capacity) {
    heap = new LongHeap(capacity);
  }

  public void reset(int k) {
    this.k = k;
    heap.clear();
  }

  public int size() {
    return heap.size();
  }

  public boolean full() {
    return heap.size() >= k;
  }

  /** Distance of the current worst kept result (+inf while not full). */
  public float worst() {
    return heap.size() < k ? Float.POSITIVE_INFINITY : Packed.distance(~heap.peek());
  }

  public void offer(float distance, int row) {
    long key = Packed.pack(distance, row);
    if (heap.size() < k) {
      heap.push(~key);
    } else if (key < ~heap.peek()) {
      heap.replaceTop(~key);
    }
  }

  /** Pops the current worst. */
  public long popWorst() {
    return ~heap.pop();
  }

  /** Drains into ascending order (best first); returns the count. */
  public int drainAscending(long[] out) {
    int n = heap.size();
    for (int i = n - 1; i >= 0; i--) {
      out[i] = ~heap.pop();
    }
    return n;
  }
}
