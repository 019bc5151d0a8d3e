package io.quiver.index.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorFilesTest {
  @TempDir Path dir;

  @Test
  void fbinRowsAndLimit() throws IOException {
    int n = 5, dim = 3;
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * n * dim).order(ByteOrder.LITTLE_ENDIAN).putInt(n).putInt(dim);
    for (int i = 0; i < n * dim; i++) b.putFloat(i * 0.5f);
    Path f = dir.resolve("base.fbin");
    Files.write(f, b.array());
    assertEquals(5, VectorFiles.rows(f));
    VectorFiles.Matrix all = VectorFiles.read(f, 0);
    assertEquals(5, all.n());
    assertEquals(3, all.dim());
    assertEquals(7 * 0.5f, all.floats()[7]);
    VectorFiles.Matrix two = VectorFiles.read(f, 2);
    assertEquals(2, two.n());
    assertArrayEquals(new float[] {0f, 0.5f, 1f, 1.5f, 2f, 2.5f}, two.floats());
    VectorFiles.Matrix slice = VectorFiles.read(f, 3, 5); // rows 3 and 4: the slice stops at the end
    assertEquals(2, slice.n());
    assertArrayEquals(new float[] {4.5f, 5f, 5.5f, 6f, 6.5f, 7f}, slice.floats());
  }

  @Test
  void ivecsSkipsEachRowsDimension() throws IOException {
    int dim = 2;
    ByteBuffer b = ByteBuffer.allocate(3 * 4 * (dim + 1)).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < 3; r++) b.putInt(dim).putInt(10 * r).putInt(10 * r + 1);
    Path f = dir.resolve("gt.ivecs");
    Files.write(f, b.array());
    VectorFiles.Matrix m = VectorFiles.read(f, 0);
    assertEquals(3, m.n());
    assertArrayEquals(new int[] {0, 1, 10, 11, 20, 21}, m.ints());
  }

  @Test
  void aTruncatedFileIsAnError() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + 4).order(ByteOrder.LITTLE_ENDIAN).putInt(4).putInt(2).putFloat(1f);
    Path f = dir.resolve("short.fbin");
    Files.write(f, b.array());
    assertThrows(IOException.class, () -> VectorFiles.read(f, 0));
  }
}
