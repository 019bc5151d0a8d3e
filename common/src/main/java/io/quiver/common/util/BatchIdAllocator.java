package io.quiver.common.util;

import static java.util.Objects.requireNonNull;

import java.util.function.IntToLongFunction;
import javax.annotation.concurrent.ThreadSafe;

/** Hands out ids from blocks fetched from rootcoord's allocator, so callers do not pay an RPC per id. */
@ThreadSafe
public final class BatchIdAllocator {
    private final IntToLongFunction remote;
    private final int batch;
    private long next;
    private long limit;

    public BatchIdAllocator(IntToLongFunction remote, int batch) {
        this.remote = requireNonNull(remote, "remote is null");
        this.batch = batch;
    }

    /** The first of {@code count} consecutive ids. */
    public synchronized long allocate(int count) {
        if (count > batch) {
            return remote.applyAsLong(count);
        }
        if (next + count > limit) {
            next = remote.applyAsLong(batch);
            limit = next + batch;
        }
        long first = next;
        next += count;
        return first;
    }
}
