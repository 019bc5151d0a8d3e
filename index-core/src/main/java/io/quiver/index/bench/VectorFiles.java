package io.quiver.index.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Readers for big-ann {@code .fbin/.ibin} (int32 n, int32 dim, LE rows) and {@code .fvecs/.ivecs}. */
public final class VectorFiles {
  private VectorFiles() {}

  /** A row-major matrix: float or int data with n rows of dim columns. */
  public record Matrix(int n, int dim, float[] floats, int[] ints) {}

  public static Matrix read(Path file, int limit) throws IOException {
    String name = file.getFileName().toString();
    boolean ints = name.endsWith(".ibin") || name.endsWith(".ivecs");
    boolean vecs = name.endsWith(".fvecs") || name.endsWith(".ivecs");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer bb = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
      int n, dim;
      if (vecs) {
        dim = bb.getInt(0);
        n = (int) (ch.size() / (4L * (dim + 1)));
      } else {
        n = bb.getInt(0);
        dim = bb.getInt(4);
      }
      if (limit > 0) {
        n = Math.min(n, limit);
      }
      float[] f = ints ? null : new float[n * dim];
      int[] iv = ints ? new int[n * dim] : null;
      for (int r = 0; r < n; r++) {
        long off = vecs ? 4L * (dim + 1) * r + 4 : 8 + 4L * dim * r;
        ByteBuffer row = bb.slice((int) off, 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
        if (ints) {
          row.asIntBuffer().get(iv, r * dim, dim);
        } else {
          row.asFloatBuffer().get(f, r * dim, dim);
        }
      }
      return new Matrix(n, dim, f, iv);
    }
  }
}
