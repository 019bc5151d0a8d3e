package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.util.HybridTs;
import io.quiver.proto.CollectionInfo;
import java.time.InstantSource;
import java.util.List;

/**
 * The collection TTL ({@code collection.ttl.seconds}, a collection property as in Milvus): validation where the
 * property is set, and the {@code expire_ts} every search and query plan carries. Rows inserted before
 * {@code expire_ts} are invisible to reads (querynodes) and dropped by mix compaction; TTL only hides, so
 * lowering or removing it makes rows that were not compacted away visible again.
 *
 * <p>{@code expire_ts} is the hybrid timestamp of {@code now - ttl} on the proxy's clock (Milvus computes it the
 * same way from the proxy's wall clock): a row's timestamp is the TSO's wall clock at insert, so the two agree
 * to within the clock skew between the proxy and rootcoord (none in standalone).
 */
public final class CollectionTtl {
    public static final String PROPERTY = "collection.ttl.seconds";

    private final InstantSource clock;

    public CollectionTtl(InstantSource clock) {
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** {@code expire_ts} for a read of {@code c} now; 0 when the collection has no TTL. */
    public long expireTs(CollectionInfo c) {
        long seconds = seconds(c.getPropertiesList());
        if (seconds <= 0) {
            return 0;
        }
        long now = clock.millis();
        if (seconds >= now / 1000) {
            return 0; // nothing can be that old (and ttl * 1000 could overflow)
        }
        return HybridTs.compose(now - seconds * 1000, 0);
    }

    /** The TTL in seconds a property list sets; 0 when absent (or, for values stored before validation, not a number). */
    static long seconds(List<KeyValuePair> properties) {
        for (KeyValuePair p : properties) {
            if (p.getKey().equals(PROPERTY)) {
                try {
                    return Math.max(0, Long.parseLong(p.getValue().trim()));
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }

    /** Rejects a {@value #PROPERTY} that is not a non-negative integer (code 1100, as Milvus). */
    public static void validate(List<KeyValuePair> properties) {
        for (KeyValuePair p : properties) {
            if (!p.getKey().equals(PROPERTY)) {
                continue;
            }
            long v;
            try {
                v = Long.parseLong(p.getValue().trim());
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0) {
                throw new QuiverException(ErrorCode.PARAMETER_INVALID, PROPERTY + " [" + p.getValue()
                        + "] is invalid: the collection TTL must be a non-negative integer number of seconds (0: no TTL)");
            }
        }
    }
}
