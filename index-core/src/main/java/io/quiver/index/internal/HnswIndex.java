package io.quiver.index.internal;

import io.quiver.index.HalfFloats;
import io.quiver.index.IndexSpec;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * HNSW graph index (Malkov and Yashunin 2016), following hnswlib's algorithm: level-0 lists of up to
 * 2·M neighbours, upper levels of up to M, neighbour selection by the diversity heuristic
 * (hnswlib {@code getNeighborsByHeuristic2}), levels drawn with mL = 1/ln(M) from a seeded generator.
 *
 * <p>Layout and hot loop: level-0 links live in one flat {@code int[]} ({@code [count, ids...]} per node)
 * and vectors in one row-major array (or a mapped segment), so a hop touches two contiguous blocks. The
 * search keeps candidates and results in primitive long heaps of packed (distance,row) pairs, marks visits
 * with a generation-stamped {@code int[]} (no clearing between queries), and scores all unvisited
 * neighbours of a node in one batch call that streams four rows at a time (memory-level parallelism in
 * place of hnswlib's prefetch). Per-searcher scratch comes from a pool; searches allocate nothing.
 *
 * <p>Concurrent build: workers insert nodes in parallel; each link list is written under its own lock
 * (striped) and read without one. A racing reader may see a list mid-rewrite, but every id in any list is
 * a valid row whose vector exists from the start, so the worst case is a slightly stale neighbourhood,
 * as with hnswlib's relaxed reads. A node that raises the top level holds the global lock for its whole
 * insertion, as in hnswlib.
 *
 * <p>Filtered search: traversal continues through disallowed nodes, only allowed nodes enter the results
 * (hnswlib's filter semantics). When the filter keeps fewer than {@link #EXACT_FRACTION} of the rows,
 * or the graph search returns fewer than min(k, allowed) hits, the query is answered exactly over the
 * allowed rows, so recall never collapses.
 */
public final class HnswIndex extends AbstractFloatIndex {
  /** Below this allowed fraction a filtered query is answered by brute force (knowhere uses ~7%). */
  public static final double EXACT_FRACTION = 0.07;

  private final FloatVectors vectors;
  private final int n;
  private final int m;
  private final int maxM0;
  private final int efConstruction;
  private final int stride0;
  private final int[] links0;
  private final int[][] linksUp;
  private volatile int entryPoint = -1;
  private volatile int maxLevel = -1;
  private final ScratchPool<Searcher> pool;

  /** {@link #ramBytesUsed()}, computed on first use (-1 until then); the index is immutable once built. */
  private volatile long ramBytes = -1;

  private HnswIndex(IndexSpec spec, FloatVectors vectors, int m, int efConstruction, int[] links0, int[][] linksUp) {
    super(spec);
    this.vectors = vectors;
    this.n = vectors.size();
    this.m = m;
    this.maxM0 = 2 * m;
    this.efConstruction = efConstruction;
    this.stride0 = maxM0 + 1;
    this.links0 = links0;
    this.linksUp = linksUp;
    this.pool = new ScratchPool<>(() -> new Searcher(n, maxM0, 64));
  }

  /** Per-searcher scratch, reused across queries. */
  static final class Searcher {
    final int[] visited;
    int mark;
    final LongHeap cand;
    final LongHeap res;
    final int[] nbuf;
    final float[] dbuf;
    long[] sorted;
    long[] selected;
    final long[] pruneKeys;
    final long[] pruneOut;
    final int[] pruneRows;
    final float[] pruneDist;
    float[] q;
    float[] t;
    final float[] blockBuf = newBlockBuffer();
    final int[] rowBuf = newRowBuffer();

    Searcher(int n, int maxM0, int ef) {
      visited = new int[Math.max(1, n)];
      cand = new LongHeap(ef * 2);
      res = new LongHeap(ef + 1);
      nbuf = new int[maxM0 + 1];
      dbuf = new float[maxM0 + 1];
      sorted = new long[ef + 1];
      selected = new long[ef + 1];
      pruneKeys = new long[maxM0 + 2];
      pruneOut = new long[maxM0 + 2];
      pruneRows = new int[maxM0 + 2];
      pruneDist = new float[maxM0 + 2];
    }

    int nextMark() {
      if (++mark == Integer.MAX_VALUE) {
        Arrays.fill(visited, 0);
        mark = 1;
      }
      return mark;
    }
  }

  // ------------------------------------------------------------------ build

  public static HnswIndex build(IndexSpec spec, FloatVectors vectors, int m, int efConstruction, long seed,
      int threads) {
    int n = vectors.size();
    SplittableRandom rnd = new SplittableRandom(seed);
    double mL = 1.0 / Math.log(m);
    int[][] up = new int[n][];
    int[] levels = new int[n];
    for (int i = 0; i < n; i++) {
      double u = 1.0 - rnd.nextDouble(); // (0, 1]
      int level = (int) Math.min(30, -Math.log(u) * mL);
      levels[i] = level;
      if (level > 0) {
        up[i] = new int[level * (m + 1)];
      }
    }
    HnswIndex index = new HnswIndex(spec, vectors, m, efConstruction, new int[n * (2 * m + 1)], up);
    if (n == 0) {
      return index;
    }
    index.buildGraph(levels, threads);
    return index;
  }

  private Object[] locks;
  private ReentrantLock globalLock;

  private void buildGraph(int[] levels, int threads) {
    int stripes = Integer.highestOneBit(Math.max(1, Math.min(n, 1 << 16)));
    locks = new Object[stripes];
    for (int i = 0; i < stripes; i++) {
      locks[i] = new Object();
    }
    globalLock = new ReentrantLock();
    int t = Math.max(1, threads);
    Searcher[] scratch = new Searcher[t];
    for (int i = 0; i < t; i++) {
      scratch[i] = new Searcher(n, maxM0, efConstruction);
      scratch[i].q = new float[dim];
      scratch[i].t = new float[dim];
    }
    entryPoint = 0;
    maxLevel = levels[0];
    Parallel.forRange(t, n - 1, 32, (w, from, to) -> {
      Searcher s = scratch[w];
      for (int i = from; i < to; i++) {
        insert(i + 1, levels[i + 1], s);
      }
    });
    locks = null;
    globalLock = null;
  }

  private Object lockFor(int node) {
    return locks[node & (locks.length - 1)];
  }

  private void insert(int node, int level, Searcher s) {
    float[] q = s.q;
    vectors.copyRow(node, q, 0);
    ReentrantLock global = globalLock;
    global.lock();
    int maxL = maxLevel;
    boolean holdGlobal = level > maxL;
    if (!holdGlobal) {
      global.unlock();
    }
    try {
      int ep = entryPoint;
      float epDist = vectors.distance(q, ep);
      for (int lc = maxL; lc > level; lc--) {
        long best = greedy(q, ep, epDist, lc, s);
        ep = Packed.row(best);
        epDist = Packed.distance(best);
      }
      for (int lc = Math.min(level, maxL); lc >= 0; lc--) {
        searchLayer(q, ep, epDist, efConstruction, lc, s, null);
        int cnt = drainAscending(s.res, s);
        int sel = selectHeuristic(s.sorted, cnt, m, s.selected);
        int[] arr = lc == 0 ? links0 : linksUp[node];
        int base = lc == 0 ? node * stride0 : (lc - 1) * (m + 1);
        synchronized (lockFor(node)) {
          for (int j = 0; j < sel; j++) {
            arr[base + 1 + j] = Packed.row(s.selected[j]);
          }
          arr[base] = sel;
        }
        for (int j = 0; j < sel; j++) {
          connect(Packed.row(s.selected[j]), node, Packed.distance(s.selected[j]), lc, s);
        }
        ep = Packed.row(s.selected[0]);
        epDist = Packed.distance(s.selected[0]);
      }
      if (holdGlobal) {
        entryPoint = node;
        maxLevel = level;
      }
    } finally {
      if (holdGlobal) {
        global.unlock();
      }
    }
  }

  private int drainAscending(LongHeap res, Searcher s) {
    int cnt = res.size();
    if (s.sorted.length < cnt) {
      s.sorted = new long[cnt];
      s.selected = new long[cnt];
    }
    for (int i = cnt - 1; i >= 0; i--) {
      s.sorted[i] = ~res.pop();
    }
    return cnt;
  }

  /** hnswlib's heuristic: keep e unless some already kept r is closer to e than the base is. */
  private int selectHeuristic(long[] sortedKeys, int cnt, int max, long[] out) {
    if (cnt <= max) {
      System.arraycopy(sortedKeys, 0, out, 0, cnt);
      return cnt;
    }
    int sel = 0;
    int exactDuplicates = 0;
    int maxDuplicates = Math.max(1, max / 2);
    for (int i = 0; i < cnt && sel < max; i++) {
      long e = sortedKeys[i];
      float de = Packed.distance(e);
      int er = Packed.row(e);
      if (de == zeroDistance(er)) {
        // e is identical to the base: the standard rule never prunes such nodes, so a large run of
        // duplicates would fill the list with copies and trap the search; keep only a few.
        if (exactDuplicates >= maxDuplicates) {
          continue;
        }
        exactDuplicates++;
      }
      boolean good = true;
      for (int j = 0; j < sel; j++) {
        if (vectors.distance(er, Packed.row(out[j])) < de) {
          good = false;
          break;
        }
      }
      if (good) {
        out[sel++] = e;
      }
    }
    return sel;
  }

  /** The distance of a row to itself: 0 for L2, -||x||² for inner product. */
  private float zeroDistance(int row) {
    return ip ? vectors.distance(row, row) : 0f;
  }

  private void connect(int target, int newNode, float dist, int lc, Searcher s) {
    int cap = lc == 0 ? maxM0 : m;
    int[] arr = lc == 0 ? links0 : linksUp[target];
    int base = lc == 0 ? target * stride0 : (lc - 1) * (m + 1);
    synchronized (lockFor(target)) {
      int cnt = arr[base];
      for (int j = 1; j <= cnt; j++) {
        if (arr[base + j] == newNode) {
          return;
        }
      }
      if (cnt < cap) {
        arr[base + 1 + cnt] = newNode;
        arr[base] = cnt + 1;
        return;
      }
      vectors.copyRow(target, s.t, 0);
      for (int j = 0; j < cnt; j++) {
        s.pruneRows[j] = arr[base + 1 + j];
      }
      vectors.distanceBatch(s.t, s.pruneRows, cnt, s.pruneDist);
      for (int j = 0; j < cnt; j++) {
        s.pruneKeys[j] = Packed.pack(s.pruneDist[j], s.pruneRows[j]);
      }
      s.pruneKeys[cnt] = Packed.pack(dist, newNode);
      Arrays.sort(s.pruneKeys, 0, cnt + 1);
      int sel = selectHeuristic(s.pruneKeys, cnt + 1, cap, s.pruneOut);
      for (int j = 0; j < sel; j++) {
        arr[base + 1 + j] = Packed.row(s.pruneOut[j]);
      }
      arr[base] = sel;
    }
  }

  // ------------------------------------------------------------------ search

  /** Greedy descent on an upper level; returns the packed best (distance,row). */
  private long greedy(float[] q, int ep, float epDist, int level, Searcher s) {
    int cur = ep;
    float curDist = epDist;
    boolean changed = true;
    while (changed) {
      changed = false;
      int[] arr = linksUp[cur];
      int base = (level - 1) * (m + 1);
      int cnt = arr[base];
      if (cnt == 0) {
        break;
      }
      System.arraycopy(arr, base + 1, s.nbuf, 0, cnt);
      vectors.distanceBatch(q, s.nbuf, cnt, s.dbuf);
      for (int j = 0; j < cnt; j++) {
        if (s.dbuf[j] < curDist) {
          curDist = s.dbuf[j];
          cur = s.nbuf[j];
          changed = true;
        }
      }
    }
    return Packed.pack(curDist, cur);
  }

  /** Beam search on one level; leaves up to ef results in {@code s.res} (max-heap of ~key). */
  private void searchLayer(float[] q, int ep, float epDist, int ef, int level, Searcher s, FilterInfo filter) {
    int mark = s.nextMark();
    int[] vis = s.visited;
    LongHeap cand = s.cand;
    LongHeap res = s.res;
    int[] nbuf = s.nbuf;
    float[] dbuf = s.dbuf;
    cand.clear();
    res.clear();
    vis[ep] = mark;
    long epKey = Packed.pack(epDist, ep);
    cand.push(epKey);
    float lower = Float.POSITIVE_INFINITY;
    if (filter == null || filter.allows(ep)) {
      res.push(~epKey);
      lower = epDist;
    }
    int[] arr0 = links0;
    int stride = stride0;
    while (cand.size() > 0) {
      long c = cand.peek();
      if (Packed.distance(c) > lower && (filter == null || res.size() >= ef)) {
        break;
      }
      cand.pop();
      int node = Packed.row(c);
      int[] arr;
      int base;
      if (level == 0) {
        arr = arr0;
        base = node * stride;
      } else {
        arr = linksUp[node];
        base = (level - 1) * (m + 1);
      }
      int cnt = arr[base];
      int cntNew = 0;
      for (int j = 1; j <= cnt; j++) {
        int nb = arr[base + j];
        if (vis[nb] != mark) {
          vis[nb] = mark;
          nbuf[cntNew++] = nb;
        }
      }
      if (cntNew == 0) {
        continue;
      }
      vectors.distanceBatch(q, nbuf, cntNew, dbuf);
      for (int j = 0; j < cntNew; j++) {
        float d = dbuf[j];
        if (d < lower || res.size() < ef) {
          int nb = nbuf[j];
          long key = Packed.pack(d, nb);
          cand.push(key);
          if (filter == null || filter.allows(nb)) {
            res.push(~key);
            if (res.size() > ef) {
              res.pop();
            }
            lower = Packed.distance(~res.peek());
          }
        }
      }
    }
  }

  @Override
  protected void checkSearchParams(Map<String, String> params, int k) {
    IndexParams.ef(params, k);
  }

  @Override
  protected void searchOne(float[] q, int k, Map<String, String> params, FilterInfo filter, TopK out) {
    int ef = IndexParams.ef(params, k);
    Searcher s = pool.acquire();
    try {
      if (!filter.none() && filter.fraction() < EXACT_FRACTION) {
        exactTopK(vectors, q, filter, out, s.blockBuf, s.rowBuf);
        return;
      }
      int ep = entryPoint;
      float epDist = vectors.distance(q, ep);
      for (int lc = maxLevel; lc > 0; lc--) {
        long best = greedy(q, ep, epDist, lc, s);
        ep = Packed.row(best);
        epDist = Packed.distance(best);
      }
      searchLayer(q, ep, epDist, ef, 0, s, filter.none() ? null : filter);
      LongHeap res = s.res;
      if (!filter.none() && res.size() < Math.min(k, filter.allowed)) {
        // the graph walk could not reach enough allowed rows: answer exactly (knowhere's fallback)
        exactTopK(vectors, q, filter, out, s.blockBuf, s.rowBuf);
        return;
      }
      while (res.size() > 0) {
        long key = ~res.pop();
        out.offer(Packed.distance(key), Packed.row(key));
      }
    } finally {
      pool.release(s);
    }
  }

  @Override
  protected void rangeOne(float[] q, float lo, float hi, Map<String, String> params, FilterInfo filter,
      RangeCollector out) {
    if (!filter.none() && filter.fraction() < EXACT_FRACTION) {
      exactRange(vectors, q, lo, hi, filter, out);
      return;
    }
    // knowhere's range-search default ef is 512; an explicit ef is honoured
    int ef = params != null && params.get("ef") != null ? IndexParams.ef(params, 1) : 512;
    Searcher s = pool.acquire();
    try {
      int ep = entryPoint;
      float epDist = vectors.distance(q, ep);
      for (int lc = maxLevel; lc > 0; lc--) {
        long best = greedy(q, ep, epDist, lc, s);
        ep = Packed.row(best);
        epDist = Packed.distance(best);
      }
      searchLayer(q, ep, epDist, ef, 0, s, null);
      // Seed a breadth-first expansion with every hit inside the ball, then walk the in-ball region.
      int[] queue = new int[64];
      int head = 0, tail = 0;
      int mark = s.nextMark();
      LongHeap res = s.res;
      while (res.size() > 0) {
        long key = ~res.pop();
        float d = Packed.distance(key);
        int row = Packed.row(key);
        if (d < hi) {
          s.visited[row] = mark;
          if (tail == queue.length) {
            queue = Arrays.copyOf(queue, tail * 2);
          }
          queue[tail++] = row;
          if (d >= lo && filter.allows(row)) {
            out.add(row, d);
          }
        }
      }
      while (head < tail) {
        int node = queue[head++];
        int base = node * stride0;
        int cnt = links0[base];
        int cntNew = 0;
        for (int j = 1; j <= cnt; j++) {
          int nb = links0[base + j];
          if (s.visited[nb] != mark) {
            s.visited[nb] = mark;
            s.nbuf[cntNew++] = nb;
          }
        }
        vectors.distanceBatch(q, s.nbuf, cntNew, s.dbuf);
        for (int j = 0; j < cntNew; j++) {
          float d = s.dbuf[j];
          if (d < hi) {
            int nb = s.nbuf[j];
            if (tail == queue.length) {
              queue = Arrays.copyOf(queue, tail * 2);
            }
            queue[tail++] = nb;
            if (d >= lo && filter.allows(nb)) {
              out.add(nb, d);
            }
          }
        }
      }
    } finally {
      pool.release(s);
    }
  }

  @Override
  public int size() {
    return n;
  }

  @Override
  protected HalfFloats.Kind storedHalfKind() {
    return vectors.halfKind();
  }

  @Override
  public long ramBytesUsed() {
    long b = ramBytes;
    if (b < 0) { // the graph never changes once built: walk the upper layers once, not on every memory report
      long up = 16L + 8L * linksUp.length;
      for (int[] a : linksUp) {
        if (a != null) {
          up += 16 + 4L * a.length;
        }
      }
      b = 128 + vectors.ramBytesUsed() + 16 + 4L * links0.length + up;
      ramBytes = b;
    }
    return b;
  }

  // ------------------------------------------------------------------ serialisation

  @Override
  protected void writeBody(IndexOutput out) throws IOException {
    out.writeInt(n);
    out.writeInt(m);
    out.writeInt(efConstruction);
    out.writeInt(entryPoint);
    out.writeInt(maxLevel);
    out.writeInts(links0);
    int upper = 0;
    for (int[] a : linksUp) {
      if (a != null) {
        upper++;
      }
    }
    out.writeInt(upper);
    for (int i = 0; i < n; i++) {
      if (linksUp[i] != null) {
        out.writeInt(i);
        out.writeInts(linksUp[i]);
      }
    }
    vectors.write(out);
  }

  public static HnswIndex read(IndexSpec spec, IndexInput in) {
    int n = in.readInt();
    int m = in.readInt();
    int efc = in.readInt();
    int ep = in.readInt();
    int maxLevel = in.readInt();
    int[] links0 = in.readInts();
    int upper = in.readInt();
    int[][] up = new int[n][];
    for (int i = 0; i < upper; i++) {
      int node = in.readInt();
      up[node] = in.readInts();
    }
    FloatVectors v = FloatVectors.read(in, spec.dim(), n, FlatIndex.isIp(spec));
    HnswIndex idx = new HnswIndex(spec, v, m, efc, links0, up);
    idx.entryPoint = ep;
    idx.maxLevel = maxLevel;
    return idx;
  }

  /** Graph statistics for benchmarks: [M, maxLevel, mean level-0 degree x 100]. */
  public int[] stats() {
    long deg = 0;
    for (int i = 0; i < n; i++) {
      deg += links0[i * stride0];
    }
    return new int[] {m, maxLevel, n == 0 ? 0 : (int) (deg * 100 / n)};
  }
}
