package io.quiver.index.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Pool of per-searcher scratch objects: a search borrows one, reuses its buffers and returns it, so
 * concurrent searches never share state and steady-state searches allocate nothing.
 */
public final class ScratchPool<T> {
  private final ConcurrentLinkedQueue<T> free = new ConcurrentLinkedQueue<>();
  private final Supplier<T> factory;

  public ScratchPool(Supplier<T> factory) {
    this.factory = factory;
  }

  public T acquire() {
    T t = free.poll();
    return t != null ? t : factory.get();
  }

  public void release(T t) {
    free.offer(t);
  }
}
