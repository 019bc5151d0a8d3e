package io.quiver.index.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Minimal fork/join over an int range on platform threads (build-time only). */
public final class Parallel {
  private Parallel() {}

  @FunctionalInterface
  public interface RangeTask {
    void run(int worker, int from, int to);
  }

  /** Splits [0, n) into chunks of {@code chunk} handed out dynamically to {@code threads} workers. */
  public static void forRange(int threads, int n, int chunk, RangeTask task) {
    int t = Math.max(1, Math.min(threads, (n + chunk - 1) / Math.max(1, chunk)));
    if (t <= 1) {
      if (n > 0) {
        task.run(0, 0, n);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    List<Thread> workers = new ArrayList<>(t);
    Throwable[] failure = new Throwable[1];
    for (int w = 0; w < t; w++) {
      final int worker = w;
      Thread th = new Thread(() -> {
        try {
          int from;
          while ((from = next.getAndAdd(chunk)) < n) {
            task.run(worker, from, Math.min(n, from + chunk));
          }
        } catch (Throwable e) {
          synchronized (failure) {
            if (failure[0] == null) {
              failure[0] = e;
            }
          }
        }
      }, "quiver-index-build-" + w);
      th.setDaemon(true);
      workers.add(th);
      th.start();
    }
    for (Thread th : workers) {
      try {
        th.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("index build interrupted", e);
      }
    }
    if (failure[0] != null) {
      if (failure[0] instanceof RuntimeException re) {
        throw re;
      }
      if (failure[0] instanceof Error er) {
        throw er;
      }
      throw new IllegalStateException(failure[0]);
    }
  }
}
