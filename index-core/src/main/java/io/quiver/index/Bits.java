package io.quiver.index;

/** A read-only bit set over row ordinals; a set bit means the row is allowed. */
public interface Bits {
  boolean get(int index);

  int length();
}
