package io.quiver.proxy.quota;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quiver.common.config.QuotaConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * A proxy's share of the cluster's quotas: for each {@link RateType} one limiter for the cluster level and lazily one
 * per database and per collection, checked in Milvus' order (cluster, database, collection); a request refused at a
 * lower level gives back what the levels above took. Each limiter runs at its configured rate divided by the number of
 * live proxies (so the proxies of a cluster together admit the configured rate, as Milvus' QuotaCenter divides it),
 * and write rates are further scaled by the memory factor ({@link MemoryProtection}). Administrator and memory
 * denials are decided before any rate.
 *
 * <p>Thread-safe: the state is one volatile record replaced by {@link #update}; limiters synchronize themselves. A
 * request racing with an update may be checked against the old rates, which only matters for that one request.
 */
public final class QuotaLimiter {
    static final String ADMIN_DENY = "access has been disabled by the administrator";
    static final String MEMORY_DENY = "memory quota exceeded, please allocate more resources";

    /** What the check decided. */
    public sealed interface Decision {}

    public record Allowed() implements Decision {}

    /** Over a rate: Milvus' rate-limit status (code 8, retriable); {@code rate} is the limiter's rate per second. */
    public record Limited(RateType type, double rate) implements Decision {}

    /** Denied whatever the rate: Milvus' quota-exceeded status (code 9) with this reason. */
    public record Denied(RateType type, String reason) implements Decision {}

    /** The live proxies sharing the cluster's rates and the factor applied to write rates (0: writes denied). */
    public record State(int proxies, double writeFactor) {
        public State {
            proxies = Math.max(1, proxies);
        }
    }

    private record LevelKey(RateType type, String db, long collectionId) {}

    private static final Allowed ALLOWED = new Allowed();

    private final QuotaConfig config;
    private final InstantSource clock;
    private final Map<RateType, RateLimiter> cluster = new EnumMap<>(RateType.class);
    /** Database (collectionId 0) and collection limiters; an idle one is dropped and comes back with a full bucket. */
    private final Cache<LevelKey, RateLimiter> levels = Caffeine.newBuilder().expireAfterAccess(Duration.ofMinutes(10)).build();
    private volatile State state = new State(1, 1.0);

    public QuotaLimiter(QuotaConfig config, InstantSource clock) {
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        for (RateType t : RateType.values()) {
            cluster.put(t, new RateLimiter(clock, effective(t, rates(t).cluster(), state)));
        }
    }

    /** Whether a request of this type needs its collection id (a collection-level rate is set). */
    public boolean limitsCollections(RateType type) {
        return enabled(type) && !Double.isInfinite(rates(type).collection());
    }

    /**
     * Checks and takes {@code cost} for a request on database {@code db} and collection {@code collectionId} (0 when
     * unknown: the collection level is skipped and the handler reports the missing collection).
     */
    public Decision check(RateType type, String db, long collectionId, double cost) {
        return check(type, db, collectionId, () -> cost);
    }

    /** As {@link #check(RateType, String, long, double)}, asking for the cost only when a rate applies. */
    public Decision check(RateType type, String db, long collectionId, DoubleSupplier costs) {
        State s = state;
        if (type.write() ? config.writeForceDeny() : config.readForceDeny()) {
            return new Denied(type, ADMIN_DENY);
        }
        if (type.write() && s.writeFactor() <= 0) {
            return new Denied(type, MEMORY_DENY);
        }
        if (!enabled(type)) {
            return ALLOWED;
        }
        double cost = costs.getAsDouble();
        RateLimiter clusterLimiter = cluster.get(type);
        if (!clusterLimiter.tryAcquire(cost)) {
            return new Limited(type, clusterLimiter.rate());
        }
        QuotaConfig.Rates r = rates(type);
        RateLimiter dbLimiter = Double.isInfinite(r.db()) ? null : level(new LevelKey(type, db, 0), r.db());
        if (dbLimiter != null && !dbLimiter.tryAcquire(cost)) {
            clusterLimiter.refund(cost);
            return new Limited(type, dbLimiter.rate());
        }
        if (collectionId > 0 && !Double.isInfinite(r.collection())) {
            RateLimiter c = level(new LevelKey(type, db, collectionId), r.collection());
            if (!c.tryAcquire(cost)) {
                clusterLimiter.refund(cost);
                if (dbLimiter != null) {
                    dbLimiter.refund(cost);
                }
                return new Limited(type, c.rate());
            }
        }
        return ALLOWED;
    }

    /** Applies a new state (live proxies, memory factor) to every limiter. */
    public void update(State next) {
        requireNonNull(next, "next is null");
        if (next.equals(state)) {
            return;
        }
        state = next;
        cluster.forEach((t, l) -> l.setRate(effective(t, rates(t).cluster(), next)));
        levels.asMap().forEach((k, l) -> {
            QuotaConfig.Rates r = rates(k.type());
            l.setRate(effective(k.type(), k.collectionId() > 0 ? r.collection() : r.db(), next));
        });
    }

    public State state() {
        return state;
    }

    private RateLimiter level(LevelKey key, double configured) {
        return levels.get(key, k -> new RateLimiter(clock, effective(k.type(), configured, state)));
    }

    private boolean enabled(RateType type) {
        return type.write() ? config.dmlEnabled() : config.dqlEnabled();
    }

    private static double effective(RateType type, double configured, State s) {
        if (Double.isInfinite(configured)) {
            return configured;
        }
        return configured * (type.write() ? s.writeFactor() : 1.0) / s.proxies();
    }

    private QuotaConfig.Rates rates(RateType type) {
        return switch (type) {
            case DML_INSERT -> config.insert();
            case DML_UPSERT -> config.upsert();
            case DML_DELETE -> config.delete();
            case DQL_SEARCH -> config.search();
            case DQL_QUERY -> config.query();
        };
    }
}
