package io.quiver.index.jmh;

import io.quiver.index.HalfFloats;
import io.quiver.index.simd.VectorUtilSupport;
import io.quiver.index.simd.VectorizationProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scalar vs Panama throughput of every kernel group (ops/us = kernel calls per microsecond). Run:
 * see docs/benchmarks.md, section index-core.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmark {
  @Param({"scalar", "panama"})
  public String impl;

  @Param({"128", "768"})
  public int dim;

  VectorUtilSupport k;
  float[] a;
  float[] b;
  float[] rows;
  int[] rowIds;
  float[] out;
  byte[] ia;
  byte[] ib;
  long[] la;
  long[] lb;
  float[] lut;
  byte[] codes;
  MemorySegment seg;

  @Setup
  public void setup() {
    k = impl.equals("scalar") ? VectorizationProvider.scalar() : VectorizationProvider.panamaOrNull();
    Random r = new Random(42);
    a = new float[dim];
    b = new float[dim];
    for (int i = 0; i < dim; i++) {
      a[i] = r.nextFloat();
      b[i] = r.nextFloat();
    }
    rows = new float[32 * dim];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = r.nextFloat();
    }
    rowIds = new int[] {3, 17, 9, 28, 1, 30, 12, 22, 5, 19, 25, 7, 14, 0, 31, 11};
    out = new float[rowIds.length];
    ia = new byte[dim];
    ib = new byte[dim];
    r.nextBytes(ia);
    r.nextBytes(ib);
    la = new long[dim / 64 * 8]; // dim*8 bits, e.g. 1024 bits at dim 128
    lb = new long[la.length];
    for (int i = 0; i < la.length; i++) {
      la[i] = r.nextLong();
      lb[i] = r.nextLong();
    }
    lut = new float[(dim / 4) * 256];
    for (int i = 0; i < lut.length; i++) {
      lut[i] = r.nextFloat();
    }
    codes = new byte[dim / 4];
    r.nextBytes(codes);
    // native memory, as a memory-mapped index file is (heap byte[] segments are not the production path)
    seg = Arena.ofAuto().allocate(4L * dim, 64);
    MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, dim);
  }

  @Benchmark
  public float squareDistance() {
    return k.squareDistance(a, 0, b, 0, dim);
  }

  @Benchmark
  public float dotProduct() {
    return k.dotProduct(a, 0, b, 0, dim);
  }

  @Benchmark
  public float cosine() {
    return k.cosine(a, b, dim);
  }

  @Benchmark
  public float squareDistanceSegment() {
    return k.squareDistance(a, seg, 0, dim);
  }

  /** 16 random rows of a 32-row block per call. */
  @Benchmark
  public float[] squareDistanceBatch16() {
    k.squareDistanceBatch(a, rows, rowIds, rowIds.length, dim, out);
    return out;
  }

  /** 16 dot products (4 rows x 4 rows of the 32-row block), the k-means assignment micro-kernel. */
  @Benchmark
  public float[] dotProductTile4x4() {
    k.dotProductTile4x4(rows, 0, dim, rows, 8 * dim, dim, dim, out, 0);
    return out;
  }

  @Benchmark
  public int int8DotProduct() {
    return k.int8DotProduct(ia, 0, ib, 0, dim);
  }

  @Benchmark
  public int int8SquareDistance() {
    return k.int8SquareDistance(ia, 0, ib, 0, dim);
  }

  @Benchmark
  public float sq8DotF32I8() {
    return k.dotProductF32I8(a, ia, 0, dim);
  }

  /** PQ ADC with m = dim/4 sub-quantizers, 256 centroids each. */
  @Benchmark
  public float pqAdc() {
    return k.pqAdc(lut, 256, codes, 0, codes.length);
  }

  /** dim*8 bits (1024 bits at dim=128). */
  @Benchmark
  public int hamming() {
    return k.hamming(la, 0, lb, 0, la.length);
  }

  @Benchmark
  public long jaccardAndOr() {
    return k.andOrCount(la, 0, lb, 0, la.length);
  }

  /**
   * One stored row by element type: FLOAT32 (the baseline), FLOAT16 and BFLOAT16 (widened in registers), in native
   * memory (a memory-mapped index: the segment kernels) or on the heap (a growing segment's column or a built index:
   * the float[] and byte[] kernels).
   */
  @State(Scope.Benchmark)
  public static class StoredRow {
    @Param({"FLOAT32", "FLOAT16", "BFLOAT16"})
    public String element;

    @Param({"native", "heap"})
    public String memory;

    MemorySegment row;
    byte[] halfRow;
    float[] floatRow;
    HalfFloats.Kind kind;

    @Setup
    public void setup(KernelBenchmark b) {
      float[] x = new float[b.dim];
      Random r = new Random(7);
      for (int i = 0; i < x.length; i++) {
        x[i] = r.nextFloat();
      }
      kind = element.equals("FLOAT32") ? null : HalfFloats.Kind.valueOf(element);
      MemorySegment heap;
      if (kind == null) {
        heap = MemorySegment.ofArray(new byte[4 * x.length]);
        MemorySegment.copy(x, 0, heap, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, x.length);
      } else {
        heap = MemorySegment.ofArray(HalfFloats.encode(x, x.length, kind));
      }
      boolean onHeap = memory.equals("heap");
      row = onHeap ? null : Arena.ofAuto().allocate(heap.byteSize(), 64).copyFrom(heap);
      halfRow = onHeap && kind != null ? heap.toArray(ValueLayout.JAVA_BYTE) : null;
      floatRow = onHeap && kind == null ? x : null;
    }
  }

  /** float32 query x one stored row of {@link StoredRow}'s element type, squared L2. */
  @Benchmark
  public float storedRowSquareDistance(StoredRow s) {
    if (s.row == null) {
      return s.kind == null ? k.squareDistance(a, 0, s.floatRow, 0, dim) : k.squareDistance(a, s.halfRow, 0, dim, s.kind);
    }
    return s.kind == null ? k.squareDistance(a, s.row, 0, dim) : k.squareDistance(a, s.row, 0, dim, s.kind);
  }

  /** float32 query x one stored row of {@link StoredRow}'s element type, dot product. */
  @Benchmark
  public float storedRowDotProduct(StoredRow s) {
    if (s.row == null) {
      return s.kind == null ? k.dotProduct(a, 0, s.floatRow, 0, dim) : k.dotProduct(a, s.halfRow, 0, dim, s.kind);
    }
    return s.kind == null ? k.dotProduct(a, s.row, 0, dim) : k.dotProduct(a, s.row, 0, dim, s.kind);
  }
}
