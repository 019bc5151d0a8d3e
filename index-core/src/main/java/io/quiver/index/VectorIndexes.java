package io.quiver.index;

import io.quiver.index.internal.AbstractFloatIndex;
import io.quiver.index.internal.BinaryIndex;
import io.quiver.index.internal.ExactView;
import io.quiver.index.internal.FlatIndex;
import io.quiver.index.internal.FloatVectors;
import io.quiver.index.internal.HalfVectors;
import io.quiver.index.internal.HnswIndex;
import io.quiver.index.internal.IndexInput;
import io.quiver.index.internal.IndexParams;
import io.quiver.index.internal.IvfIndex;
import io.quiver.index.internal.SparseExactView;
import io.quiver.index.internal.SparseInvertedIndex;
import io.quiver.index.simd.VectorUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: validates specs, builds indexes and loads serialised ones.
 *
 * <p>File format (version 1, little-endian): magic {@code "QVIX"}, version, index type, metric, dim,
 * build params, a type-specific body whose bulk arrays are 64-byte aligned, and a trailing CRC32C of all
 * preceding bytes. {@link #load(Path)} verifies the checksum and memory-maps the file; raw float vectors
 * (FLAT, IVF_FLAT, HNSW) stay in the mapping and are scored in place through the {@code MemorySegment}
 * kernels, everything else is copied to the heap.
 */
public final class VectorIndexes {
  private static final Logger LOG = LoggerFactory.getLogger(VectorIndexes.class);

  private VectorIndexes() {}

  public static void validate(IndexSpec spec) {
    IndexParams.validate(spec);
  }

  public static void validateSearchParams(IndexSpec spec, Map<String, String> searchParams) {
    IndexParams.validate(spec);
    IndexParams.validateSearchParams(spec, searchParams);
  }

  /**
   * Exact search over the first {@code rows} rows of a caller-owned row-major array without copying it (rows that
   * have no index yet: a growing segment). COSINE takes the rows' inverse norms from {@code norms}, which the caller
   * keeps with the array so they are computed once per row; other metrics ignore it.
   */
  public static VectorIndex exactView(MetricType metric, int dim, float[] data, int rows, RowNorms norms) {
    IndexSpec spec = new IndexSpec("FLAT", metric, dim, Map.of());
    return new ExactView(spec, data, rows, metric == MetricType.COSINE ? norms.upTo(data, dim, rows) : null);
  }

  /**
   * As {@link #exactView(MetricType, int, float[], int, RowNorms)} over FLOAT16 or BFLOAT16 rows (two bytes a
   * component, little-endian), scored as 16 bits: nothing is widened or copied.
   */
  public static VectorIndex halfExactView(MetricType metric, int dim, byte[] data, HalfFloats.Kind kind, int rows,
      RowNorms norms) {
    IndexSpec spec = new IndexSpec("FLAT", metric, dim, Map.of());
    float[] inverseNorms = metric == MetricType.COSINE ? norms.upTo(data, kind, dim, rows) : null;
    return new ExactView(spec, HalfVectors.wrap(data, kind, dim, rows, metric != MetricType.L2, inverseNorms));
  }

  /**
   * Exact inner-product search over the first {@code rows} sparse rows of a caller-owned array in Milvus' encoding
   * (little-endian uint32 index, float32 value pairs), without copying it: a growing or unindexed segment's rows.
   */
  public static VectorIndex sparseExactView(byte[][] data, int rows) {
    return sparseExactView(MetricType.IP, data, rows);
  }

  /** As {@link #sparseExactView(byte[][], int)} with metric IP or BM25 (rows of term counts). */
  public static VectorIndex sparseExactView(MetricType metric, byte[][] data, int rows) {
    return new SparseExactView(new IndexSpec(IndexParams.SPARSE_INVERTED_INDEX, metric, 0, Map.of()), data, rows);
  }

  /** True for the index types that take binary vectors (BIN_FLAT, BIN_IVF_FLAT). */
  public static boolean isBinaryIndexType(String indexType) {
    return indexType != null && IndexParams.isBinaryType(indexType.trim().toUpperCase(Locale.ROOT));
  }

  /** True for the index types over sparse float vectors (SPARSE_INVERTED_INDEX, SPARSE_WAND). */
  public static boolean isSparseIndexType(String indexType) {
    return indexType != null && IndexParams.isSparseType(indexType.trim().toUpperCase(Locale.ROOT));
  }

  /** Builds a sparse index (SPARSE_INVERTED_INDEX or SPARSE_WAND, metric IP) over the rows. */
  public static VectorIndex buildSparse(IndexSpec spec, SparseVectors rows) {
    MetricType metric = IndexParams.validate(spec);
    String type = IndexParams.type(spec);
    if (!IndexParams.isSparseType(type)) {
      throw new IndexParamException("index type " + type + " does not take sparse float vectors");
    }
    long start = System.nanoTime();
    VectorIndex index = SparseInvertedIndex.build(new IndexSpec(type, metric, spec.dim(), spec.buildParams()), rows);
    LOG.debug("sparse index built type={} rows={} nnz={} ms={}", type, rows.rows(), rows.nnz(),
        (System.nanoTime() - start) / 1_000_000);
    return index;
  }

  /** Builds a float-vector index over {@code n} rows of {@code vectors} (row-major, n*dim). */
  public static VectorIndex build(IndexSpec spec, float[] vectors, int n, int threads) {
    spec = floatSpec(spec);
    int dim = spec.dim();
    if (n < 0 || vectors == null && n > 0 || vectors != null && vectors.length < (long) n * dim) {
      throw new IndexParamException("vectors too short: need n*dim=" + (long) n * dim + " floats");
    }
    float[] data = new float[n * dim];
    if (n > 0) {
      System.arraycopy(vectors, 0, data, 0, n * dim);
    }
    if (spec.metric() == MetricType.COSINE) {
      for (int i = 0; i < n; i++) {
        VectorUtil.normalize(data, i * dim, dim);
      }
    }
    return build(spec, data, null, n, threads);
  }

  /**
   * Builds an index over {@code n} FLOAT16 or BFLOAT16 rows ({@code dim} components of two bytes, little-endian, as
   * Milvus sends them). FLAT, IVF_FLAT, HNSW and AUTOINDEX keep the rows as 16 bits (format version 2) and score
   * them with the float32 x 16-bit kernels; IVF_SQ8 and IVF_PQ keep only their codes, trained on the widened rows.
   */
  public static VectorIndex buildHalf(IndexSpec spec, byte[] vectors, HalfFloats.Kind kind, int n, int threads) {
    spec = floatSpec(spec);
    int dim = spec.dim();
    if (n < 0 || vectors == null && n > 0 || vectors != null && vectors.length < 2L * n * dim) {
      throw new IndexParamException("half-float vectors too short: need n*dim*2=" + 2L * n * dim + " bytes");
    }
    byte[] rows = n == 0 ? new byte[0] : Arrays.copyOf(vectors, 2 * n * dim);
    boolean cosine = spec.metric() == MetricType.COSINE;
    float[] inverseNorms = null;
    if (cosine) {
      inverseNorms = new float[n];
      HalfVectors.inverseNorms(rows, kind, dim, 0, n, inverseNorms);
    }
    HalfVectors half = HalfVectors.wrap(rows, kind, dim, n, spec.metric() != MetricType.L2, inverseNorms);
    String type = spec.indexType();
    boolean keepsRows = type.equals("FLAT") || type.equals("HNSW") || type.equals("AUTOINDEX");
    return build(spec, keepsRows ? null : half.toArray(), half, n, threads);
  }

  /** The validated spec of a float (or half-float) index, AUTOINDEX resolved to its HNSW parameters. */
  private static IndexSpec floatSpec(IndexSpec spec) {
    MetricType metric = IndexParams.validate(spec);
    String type = IndexParams.type(spec);
    if (IndexParams.isBinaryType(type)) {
      throw new IndexParamException("index type " + type + " takes binary vectors: use buildBinary");
    }
    if (IndexParams.isSparseType(type)) {
      throw new IndexParamException("index type " + type + " takes sparse float vectors: use buildSparse");
    }
    Map<String, String> p = spec.buildParams();
    if (type.equals("AUTOINDEX")) {
      Map<String, String> auto = new HashMap<>(p);
      auto.put("M", "18");
      auto.put("efConstruction", "240");
      p = auto;
    }
    return new IndexSpec(type, metric, spec.dim(), p);
  }

  /**
   * Builds over float32 rows {@code data} (normalised for COSINE) or, when {@code half} is given, over its 16-bit rows
   * (then {@code data} is their widened copy for the IVF codecs that train, else null).
   */
  private static VectorIndex build(IndexSpec spec, float[] data, HalfVectors half, int n, int threads) {
    String type = spec.indexType();
    MetricType metric = spec.metric();
    int dim = spec.dim();
    Map<String, String> p = spec.buildParams();
    int t = Math.max(1, threads);
    long seed = IndexParams.seed(p);
    boolean ip = metric != MetricType.L2;
    FloatVectors rows = half != null ? half : FloatVectors.onHeap(data, dim, n, ip);
    long start = System.nanoTime();
    VectorIndex index = switch (type) {
      case "FLAT" -> new FlatIndex(spec, rows);
      case "HNSW", "AUTOINDEX" -> HnswIndex.build(spec, rows, IndexParams.hnswM(p), IndexParams.efConstruction(p), seed, t);
      case "IVF_FLAT" -> IvfIndex.build(spec, IvfIndex.Codec.FLAT, data, half, n, IndexParams.nlist(p), 0, 0, seed, t);
      case "IVF_SQ8" -> IvfIndex.build(spec, IvfIndex.Codec.SQ8, data, n, IndexParams.nlist(p), 0, 0, seed, t);
      case "IVF_PQ" -> IvfIndex.build(spec, IvfIndex.Codec.PQ, data, n, IndexParams.nlist(p),
          IndexParams.pqM(p, dim), IndexParams.nbits(p), seed, t);
      default -> throw new IndexParamException("invalid index type " + type);
    };
    LOG.debug("index built type={} metric={} dim={} rows={} storage={} threads={} ms={}", type, metric, dim, n,
        half == null ? "FLOAT32" : half.kind(), t, (System.nanoTime() - start) / 1_000_000);
    return index;
  }

  /** Builds a binary-vector index; {@code vectors} holds n rows of dim/8 bytes. */
  public static VectorIndex buildBinary(IndexSpec spec, byte[] vectors, int n, int threads) {
    MetricType metric = IndexParams.validate(spec);
    String type = IndexParams.type(spec);
    if (!IndexParams.isBinaryType(type)) {
      throw new IndexParamException("index type " + type + " takes float or sparse vectors: use build or buildSparse");
    }
    int bpr = spec.dim() / 8;
    if (n < 0 || vectors == null && n > 0 || vectors != null && vectors.length < (long) n * bpr) {
      throw new IndexParamException("binary vectors too short: need n*dim/8=" + (long) n * bpr + " bytes");
    }
    spec = new IndexSpec(type, metric, spec.dim(), spec.buildParams());
    int nlist = type.equals("BIN_IVF_FLAT") ? IndexParams.nlist(spec.buildParams()) : 0;
    return BinaryIndex.build(spec, vectors == null ? new byte[0] : vectors, n, nlist,
        IndexParams.seed(spec.buildParams()), Math.max(1, threads));
  }

  /** Loads an index file, memory-mapping it (vectors are scored in place). */
  public static VectorIndex load(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto());
      return load(seg, true, file.toString());
    }
  }

  /** Loads an index from bytes (copied to the heap). */
  public static VectorIndex load(byte[] bytes) {
    return load(MemorySegment.ofArray(bytes), false, "<bytes>");
  }

  private static VectorIndex load(MemorySegment seg, boolean mapped, String name) {
    long size = seg.byteSize();
    if (size < 12) {
      throw new IllegalStateException("not a Quiver index file (too short): " + name);
    }
    int magic = seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (magic != AbstractFloatIndex.MAGIC) {
      throw new IllegalStateException("not a Quiver index file (bad magic): " + name);
    }
    CRC32C crc = new CRC32C();
    long chunk = 1L << 30;
    for (long off = 0; off < size - 4; off += chunk) {
      crc.update(seg.asSlice(off, Math.min(chunk, size - 4 - off)).asByteBuffer());
    }
    int stored = seg.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), size - 4);
    if ((int) crc.getValue() != stored) {
      throw new IllegalStateException("corrupt index file (CRC32C mismatch): " + name);
    }
    IndexInput in = new IndexInput(seg, mapped);
    in.readInt();
    int version = in.readInt();
    if (version != AbstractFloatIndex.VERSION && version != AbstractFloatIndex.VERSION_HALF) {
      throw new IllegalStateException("unsupported index file version " + version + " (this build reads "
          + AbstractFloatIndex.VERSION + " and " + AbstractFloatIndex.VERSION_HALF + "): " + name);
    }
    String type = in.readString();
    MetricType metric = MetricType.parse(in.readString());
    int dim = in.readInt();
    if (version == AbstractFloatIndex.VERSION_HALF) {
      int element = in.readInt();
      if (element < 1 || element > HalfFloats.Kind.values().length) {
        throw new IllegalStateException("unknown vector element type " + element + " in index file: " + name);
      }
      in.halfKind(HalfFloats.Kind.values()[element - 1]);
    }
    int np = in.readInt();
    Map<String, String> params = new HashMap<>();
    for (int i = 0; i < np; i++) {
      params.put(in.readString(), in.readString());
    }
    IndexSpec spec = new IndexSpec(type, metric, dim, params);
    return switch (type.toUpperCase(Locale.ROOT)) {
      case "FLAT" -> FlatIndex.read(spec, in);
      case "HNSW", "AUTOINDEX" -> HnswIndex.read(spec, in);
      case "IVF_FLAT", "IVF_SQ8", "IVF_PQ" -> IvfIndex.read(spec, in);
      case "BIN_FLAT", "BIN_IVF_FLAT" -> BinaryIndex.read(spec, in);
      case IndexParams.SPARSE_INVERTED_INDEX, IndexParams.SPARSE_WAND -> SparseInvertedIndex.read(spec, in);
      default -> throw new IllegalStateException("unknown index type in file: " + type);
    };
  }

  /** Serialises an index to bytes (convenience for tests and small segments). */
  public static byte[] toBytes(VectorIndex index) {
    java.io.ByteArrayOutputStream bos = new java.io.ByteArrayOutputStream();
    try {
      index.write(bos);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }
}
