package io.quiver.index.internal;

/**
 * Document-at-a-time walks over a {@link SparseInvertedIndex}'s lists: WAND (Broder et al., 2003) and MaxScore
 * (Turtle and Flood, 1995), one cursor per query term. A row is skipped only when the sum of its terms' bounds
 * cannot beat the current k-th score (or 0 while fewer than k rows are kept: only scores above 0 are hits); bounds
 * carry a small slack so float rounding never prunes a row whose exact score would qualify. A row that is scored
 * adds its products in ascending term order ({@link #score}), the order of the exact search, so the scores equal
 * its scores bit for bit. Per-searcher scratch, reused through a pool.
 */
final class SparseDaat {
  /** Relative slack on score bounds: covers float rounding of sums in a different order (about m * 2^-24). */
  private static final float SLACK = 1.001f;
  private static final int END = Integer.MAX_VALUE;

  private final SparseInvertedIndex index;
  private AbstractSparseIndex.Query query;
  private int m;
  private int[] pos = new int[16];
  private int[] end = new int[16];
  private float[] weight = new float[16];
  private float[] bound = new float[16];
  /** Cursor ids: by current row (WAND) or by ascending bound (MaxScore). */
  private int[] order = new int[16];
  private float[] prefix = new float[16];
  private int[] hitRow = new int[16];
  private float[] contribution = new float[16];

  SparseDaat(SparseInvertedIndex index) {
    this.index = index;
  }

  void search(AbstractSparseIndex.Query q, float boundScale, boolean wand, FilterInfo filter, TopK out) {
    open(q, boundScale);
    if (m == 0) {
      return;
    }
    if (wand) {
      wand(filter, out);
    } else {
      maxScore(filter, out);
    }
  }

  /** One cursor per query term that has a list, in ascending term order. */
  private void open(AbstractSparseIndex.Query q, float boundScale) {
    if (pos.length < q.size) {
      int c = q.size;
      pos = new int[c];
      end = new int[c];
      weight = new float[c];
      bound = new float[c];
      order = new int[c];
      prefix = new float[c];
      hitRow = new int[c];
      contribution = new float[c];
    }
    m = 0;
    query = q;
    for (int i = 0; i < q.size; i++) {
      int t = SparseInvertedIndex.find(index.terms, q.indices[i]);
      if (t < 0) {
        continue;
      }
      pos[m] = index.starts[t];
      end[m] = index.starts[t + 1];
      weight[m] = q.weights[i];
      bound[m] = q.weights[i] * index.listBound(q, t) * boundScale * SLACK;
      hitRow[m] = -1;
      order[m] = m;
      m++;
    }
  }

  private int row(int c) {
    return pos[c] < end[c] ? index.docs[pos[c]] : END;
  }

  /** Moves cursor {@code c} to its first row at or after {@code target} (galloping, then binary search). */
  private void seek(int c, int target) {
    int[] docs = index.docs;
    int lo = pos[c];
    int e = end[c];
    if (lo >= e || docs[lo] >= target) {
      return;
    }
    int step = 1;
    int hi = lo + 1;
    while (hi < e && docs[hi] < target) {
      lo = hi;
      hi = Math.min(e, hi + (step <<= 1));
    }
    // docs[lo] < target; answer in (lo, hi]
    int a = lo + 1;
    int b = hi;
    while (a < b) {
      int mid = (a + b) >>> 1;
      if (docs[mid] < target) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    pos[c] = a;
  }

  /** The score a row must beat: the k-th kept score, or 0 while fewer than k rows are kept. */
  private static float threshold(TopK out) {
    return out.full() ? -out.worst() : 0f;
  }

  /** The row's score from the products recorded for it, added in ascending term order. */
  private float score(int row) {
    float s = 0f;
    for (int c = 0; c < m; c++) {
      if (hitRow[c] == row) {
        s += contribution[c];
      }
    }
    return s;
  }

  private void record(int c, int row) {
    hitRow[c] = row;
    contribution[c] = weight[c] * index.contribution(query, pos[c]);
  }

  private void offer(int row, TopK out) {
    float s = score(row);
    if (s > 0) {
      out.offer(-s, row);
    }
  }

  private void wand(FilterInfo filter, TopK out) {
    sortByRow(0);
    while (true) {
      float thr = threshold(out);
      float acc = 0f;
      int pivot = -1;
      for (int i = 0; i < m; i++) {
        if (row(order[i]) == END) {
          break;
        }
        acc += bound[order[i]];
        if (acc > thr) {
          pivot = i;
          break;
        }
      }
      if (pivot < 0) {
        return;
      }
      int pr = row(order[pivot]);
      if (row(order[0]) == pr) {
        boolean allowed = filter.allows(pr);
        for (int i = 0; i < m && row(order[i]) == pr; i++) {
          int c = order[i];
          if (allowed) {
            record(c, pr);
          }
          pos[c]++;
        }
        if (allowed) {
          offer(pr, out);
        }
      } else {
        for (int i = 0; i < pivot; i++) {
          seek(order[i], pr);
        }
      }
      sortByRow(0);
    }
  }

  /** Insertion sort of {@code order[from..m)} by current row (cursors move forward only, so it is nearly sorted). */
  private void sortByRow(int from) {
    for (int i = from + 1; i < m; i++) {
      int c = order[i];
      int r = row(c);
      int j = i - 1;
      while (j >= from && row(order[j]) > r) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = c;
    }
  }

  private void maxScore(FilterInfo filter, TopK out) {
    sortByBound();
    float sum = 0f;
    for (int i = 0; i < m; i++) {
      sum += bound[order[i]];
      prefix[i] = sum; // bound of order[0..i]
    }
    int essential = firstEssential(0, threshold(out));
    while (essential < m) {
      int r = END;
      for (int i = essential; i < m; i++) {
        r = Math.min(r, row(order[i]));
      }
      if (r == END) {
        return;
      }
      boolean allowed = filter.allows(r);
      float partial = 0f;
      for (int i = essential; i < m; i++) {
        int c = order[i];
        if (row(c) == r) {
          if (allowed) {
            record(c, r);
            partial += contribution[c];
          }
          pos[c]++;
        }
      }
      if (!allowed) {
        continue;
      }
      float thr = threshold(out);
      boolean pruned = false;
      for (int i = essential - 1; i >= 0; i--) {
        if (partial + prefix[i] <= thr) {
          pruned = true;
          break;
        }
        int c = order[i];
        seek(c, r);
        if (row(c) == r) {
          record(c, r);
          partial += contribution[c];
        }
      }
      if (!pruned) {
        offer(r, out);
        essential = firstEssential(essential, threshold(out));
      }
    }
  }

  /** Orders the cursors by ascending bound. */
  private void sortByBound() {
    for (int i = 1; i < m; i++) {
      int c = order[i];
      int j = i - 1;
      while (j >= 0 && bound[order[j]] > bound[c]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = c;
    }
  }

  /** The first essential list: those before it together cannot lift a row above {@code thr}. */
  private int firstEssential(int from, float thr) {
    int e = from;
    while (e < m && prefix[e] <= thr) {
      e++;
    }
    return e;
  }
}
