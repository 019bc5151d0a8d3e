package io.quiver.index.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Readers for big-ann {@code .fbin/.ibin} (int32 n, int32 dim, LE rows) and {@code .fvecs/.ivecs}. Files may be
 * larger than 2 GiB (1M x 768 floats is 3 GB): rows are read in chunks, never mapped whole.
 */
public final class VectorFiles {
  private static final int CHUNK_BYTES = 64 << 20;

  private VectorFiles() {}

  /** A row-major matrix: float or int data with n rows of dim columns. */
  public record Matrix(int n, int dim, float[] floats, int[] ints) {}

  /** The number of rows a file holds. */
  public static int rows(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return header(file, ch)[0];
    }
  }

  /** {n, dim} of a file. */
  private static int[] header(Path file, FileChannel ch) throws IOException {
    ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    ch.read(h, 0);
    if (isVecs(file)) {
      int dim = h.getInt(0);
      return new int[] {(int) (ch.size() / (4L * (dim + 1))), dim};
    }
    return new int[] {h.getInt(0), h.getInt(4)};
  }

  private static boolean isVecs(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".fvecs") || name.endsWith(".ivecs");
  }

  public static Matrix read(Path file, int limit) throws IOException {
    return read(file, 0, limit);
  }

  /** Rows {@code from .. from+limit-1} (limit 0: to the end), so a large file can be streamed in slices. */
  public static Matrix read(Path file, int from, int limit) throws IOException {
    String name = file.getFileName().toString();
    boolean ints = name.endsWith(".ibin") || name.endsWith(".ivecs");
    boolean vecs = isVecs(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      int[] nd = header(file, ch);
      int n = Math.max(0, limit > 0 ? Math.min(nd[0] - from, limit) : nd[0] - from);
      int dim = nd[1];
      if ((long) n * dim > Integer.MAX_VALUE - 8) {
        throw new IOException(file + ": " + n + " x " + dim + " values do not fit one array; pass a smaller limit");
      }
      float[] f = ints ? null : new float[n * dim];
      int[] iv = ints ? new int[n * dim] : null;
      long rowBytes = vecs ? 4L * (dim + 1) : 4L * dim;
      long start = vecs ? 0 : 8;
      int rowsPerChunk = (int) Math.max(1, CHUNK_BYTES / rowBytes);
      ByteBuffer buf = ByteBuffer.allocate((int) (rowsPerChunk * rowBytes)).order(ByteOrder.LITTLE_ENDIAN);
      for (int r0 = 0; r0 < n; r0 += rowsPerChunk) {
        int m = Math.min(rowsPerChunk, n - r0);
        buf.clear().limit((int) (m * rowBytes));
        long pos = start + (from + (long) r0) * rowBytes;
        while (buf.hasRemaining()) {
          if (ch.read(buf, pos + buf.position()) < 0) {
            throw new IOException(file + " is shorter than its header says");
          }
        }
        for (int r = 0; r < m; r++) {
          ByteBuffer row = buf.slice((int) (r * rowBytes + (vecs ? 4 : 0)), 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
          if (ints) {
            row.asIntBuffer().get(iv, (r0 + r) * dim, dim);
          } else {
            row.asFloatBuffer().get(f, (r0 + r) * dim, dim);
          }
        }
      }
      return new Matrix(n, dim, f, iv);
    }
  }
}
