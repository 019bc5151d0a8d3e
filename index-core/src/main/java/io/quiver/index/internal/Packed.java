package io.quiver.index.internal;

/**
 * A float distance and an int row packed in one long whose signed order is (distance, row) order, so
 * heaps of primitive longs sort results with no objects (jVector's NodeQueue trick).
 */
public final class Packed {
  private Packed() {}

  public static long pack(float distance, int row) {
    int bits = Float.floatToRawIntBits(distance);
    bits ^= (bits >> 31) & 0x7FFFFFFF;
    return ((long) bits << 32) | (row & 0xFFFFFFFFL);
  }

  public static float distance(long packed) {
    int bits = (int) (packed >> 32);
    bits ^= (bits >> 31) & 0x7FFFFFFF;
    return Float.intBitsToFloat(bits);
  }

  public static int row(long packed) {
    return (int) packed;
  }
}
