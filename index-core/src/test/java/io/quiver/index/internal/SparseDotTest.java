package io.quiver.index.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.index.SparseVectors;
import io.quiver.index.bench.SparseData;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SparseDotTest {
  static final long SEED = Long.getLong("tests.seed", System.nanoTime());

  @Test
  void dotProductOfSparseRowsMatchesAMapBasedSum() {
    SparseVectors a = SparseData.generate(200, 300, 30, SEED);
    SparseVectors b = SparseData.generate(50, 300, 10, SEED + 1);
    byte[][] rows = SparseData.milvusRows(a);
    for (int q = 0; q < b.rows(); q++) {
      Map<Integer, Float> qm = new HashMap<>();
      for (int i = b.start(q); i < b.start(q + 1); i++) {
        qm.put(b.indices()[i], b.values()[i]);
      }
      for (int r = 0; r < a.rows(); r++) {
        float expected = 0f; // ascending index order, from 0: the order the kernels promise
        for (int i = a.start(r); i < a.start(r + 1); i++) {
          Float w = qm.get(a.indices()[i]);
          if (w != null) {
            expected += w * a.values()[i];
          }
        }
        String at = "seed=" + SEED + " q=" + q + " r=" + r;
        assertEquals(expected, SparseDot.dot(b, q, a, r), 0f, at);
        assertEquals(expected, SparseDot.dot(a, r, b, q), 0f, at);
        assertEquals(expected, SparseDot.dot(b.indices(), b.values(), b.start(q), b.start(q + 1), rows[r]), 0f, at);
      }
    }
  }

  @Test
  void indicesCompareUnsigned() {
    SparseVectors a = SparseVectors.of(new int[] {0, 3}, new int[] {1, 0x7FFF_FFFF, 0x8000_0001}, new float[] {1, 2, 3});
    SparseVectors b = SparseVectors.of(new int[] {0, 2}, new int[] {0x7FFF_FFFF, 0x8000_0001}, new float[] {10, 100});
    assertEquals(320f, SparseDot.dot(a, 0, b, 0));
    assertEquals(320f, SparseDot.dot(b.indices(), b.values(), 0, 2, a.milvusRow(0)));
  }

  @Test
  void emptyRowsScoreZero() {
    SparseVectors a = SparseVectors.of(new int[] {0, 0, 1}, new int[] {7}, new float[] {1});
    assertEquals(0f, SparseDot.dot(a, 0, a, 1));
    assertEquals(1f, SparseDot.dot(a, 1, a, 1));
    assertEquals(0f, SparseDot.dot(a.indices(), a.values(), 0, 1, new byte[0]));
  }
}
