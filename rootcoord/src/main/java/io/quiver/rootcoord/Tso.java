package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.util.HybridTs;
import io.quiver.storage.MetaKv;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import javax.annotation.concurrent.ThreadSafe;

/**
 * The timestamp oracle: hands out strictly increasing hybrid timestamps.
 *
 * <p>Design: the physical high-water mark is persisted ahead of use (now + {@link #SAVE_AHEAD_MS}), so after a
 * crash the oracle restarts above anything it could have handed out, even if the wall clock went back.
 */
@ThreadSafe
public final class Tso {
    static final long SAVE_AHEAD_MS = 3000;
    private final MetaKv kv;
    private final String key;
    private final InstantSource clock;
    private long physical;
    private long logical;
    private long savedLimit;

    public Tso(MetaKv kv, String key, InstantSource clock) {
        this.kv = requireNonNull(kv, "kv is null");
        this.key = requireNonNull(key, "key is null");
        this.clock = requireNonNull(clock, "clock is null");
        long saved = kv.get(key).map(v -> Long.parseLong(new String(v.value(), StandardCharsets.UTF_8))).orElse(0L);
        physical = Math.max(clock.millis(), saved + 1);
        logical = 0;
        save(physical + SAVE_AHEAD_MS);
    }

    /** Returns the first of {@code count} consecutive timestamps. */
    public synchronized long allocate(int count) {
        if (count <= 0 || count > HybridTs.LOGICAL_MASK) {
            throw new IllegalArgumentException("timestamp count out of range: " + count);
        }
        long now = clock.millis();
        if (now > physical) {
            physical = now;
            logical = 0;
        }
        if (logical + count > HybridTs.LOGICAL_MASK) {
            physical++;
            logical = 0;
        }
        if (physical >= savedLimit) {
            save(physical + SAVE_AHEAD_MS);
        }
        long first = HybridTs.compose(physical, logical);
        logical += count;
        return first;
    }

    /** The hybrid timestamp the next allocation starts from (Milvus' {@code milvus_rootcoord_timestamp}). */
    public synchronized long current() {
        return HybridTs.compose(physical, logical);
    }

    /** The hybrid timestamp saved in the meta store as the restart floor ({@code milvus_rootcoord_timestamp_saved}). */
    public synchronized long saved() {
        return HybridTs.compose(savedLimit, 0);
    }

    private void save(long limit) {
        kv.put(key, Long.toString(limit).getBytes(StandardCharsets.UTF_8));
        savedLimit = limit;
    }
}
