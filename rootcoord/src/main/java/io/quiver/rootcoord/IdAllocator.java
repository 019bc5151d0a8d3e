package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.quiver.storage.MetaKv;
import java.nio.charset.StandardCharsets;
import javax.annotation.concurrent.ThreadSafe;

/**
 * Cluster-unique int64 ids (collections, partitions, segments, rows, logs, builds). Blocks of ids are
 * reserved in MetaKv before use, so a restart never hands out an id twice.
 */
@ThreadSafe
public final class IdAllocator {
    private static final long BLOCK = 100_000;
    private final MetaKv kv;
    private final String key;
    private long next;
    private long limit;

    public IdAllocator(MetaKv kv, String key, long firstId) {
        this.kv = requireNonNull(kv, "kv is null");
        this.key = requireNonNull(key, "key is null");
        long saved = kv.get(key).map(v -> Long.parseLong(new String(v.value(), StandardCharsets.UTF_8))).orElse(firstId);
        next = saved;
        limit = saved;
    }

    /** Returns the first of {@code count} consecutive ids. */
    public synchronized long allocate(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("id count must be positive: " + count);
        }
        if (next + count > limit) {
            limit = next + Math.max(BLOCK, count);
            kv.put(key, Long.toString(limit).getBytes(StandardCharsets.UTF_8));
        }
        long first = next;
        next += count;
        return first;
    }
}
