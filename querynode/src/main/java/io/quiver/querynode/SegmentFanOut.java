package io.quiver.querynode;

import io.grpc.Context;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.util.Threads;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs one request's per-segment work on the calling thread and on up to {@code threads - 1} helpers of a bounded
 * pool ({@code queryNode.searchThreads}). Segments are claimed one at a time from a shared counter, so the caller
 * never waits for a helper that has not started: when the pool is busy with other requests (the box is saturated)
 * the caller does every segment itself, which is the right thing on few cores; when it is idle one request's
 * segments are searched in parallel. Helpers run in the caller's gRPC context: its deadline and cancellation stop
 * them between segments.
 */
final class SegmentFanOut implements AutoCloseable {
    private final int threads;
    private final ExecutorService pool;

    SegmentFanOut(int threads) {
        this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        // helpers beyond the queue are dropped: the caller claims their segments itself
        this.pool = this.threads <= 1 ? null : new ThreadPoolExecutor(this.threads - 1, this.threads - 1, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(4 * this.threads), Threads.daemon("querynode-search"), new ThreadPoolExecutor.DiscardPolicy());
    }

    /** A fan-out that runs everything on the calling thread (tests, one core). */
    static SegmentFanOut callerOnly() {
        return new SegmentFanOut(1);
    }

    int threads() {
        return threads;
    }

    /**
     * {@code work.apply(i)} for every i in [0, n), results in order; the first failure is rethrown. Without
     * {@code parallel} every item runs on the caller.
     */
    <R> R[] map(int n, IntFunction<R[]> array, IntFunction<R> work, boolean parallel) {
        R[] out = array.apply(n);
        AtomicInteger next = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                try {
                    if (failure.get() == null) {
                        if (Context.current().isCancelled()) {
                            throw new QuiverException(ErrorCode.CANCELED, "search cancelled or deadline exceeded");
                        }
                        out[i] = work.apply(i);
                    }
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }
        };
        if (parallel && pool != null && n > 1) {
            Runnable helper = Context.current().wrap(worker);
            for (int h = 0; h < Math.min(threads, n) - 1; h++) {
                pool.execute(helper);
            }
        }
        worker.run();
        try {
            done.await(); // only segments a helper has claimed remain: each is being searched right now
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuiverException(ErrorCode.CANCELED, "interrupted");
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return out;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
