package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Context;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-through cache of a coordinator's answers that goes on serving the last answer while that coordinator cannot
 * be reached (killed, paused, partitioned, restarting): serve-stale, as DNS resolvers do (RFC 8767).
 *
 * <p>Why: reads of loaded data need nothing from the coordinators but what the proxy caches (a collection's schema
 * from rootcoord, its indexes from datacoord, its shard leaders from querycoord), and those change only through the
 * coordinator that is down. Before, every cache entry expired after a few seconds and each read then failed with the
 * coordinator's outage (the chaos run: 8 % of searches succeeded while querycoord was down). Now an entry that cannot
 * be refreshed because the coordinator is unreachable is served as it was last answered, and re-armed for one TTL,
 * so a paused coordinator is asked once per TTL and key, not on every read. Any other failure (collection not found,
 * not loaded) is the coordinator's answer and is passed on.
 *
 * <p>While a last answer exists, a refresh gets at most {@code refreshBudget} (a paused coordinator accepts the
 * connection and never answers: without the budget every read would wait for the RPC deadline). The first load of a
 * key has no fallback and runs under the caller's own deadline.
 */
@ThreadSafe
final class StaleCache<K, V> {
    private static final Logger LOG = LoggerFactory.getLogger(StaleCache.class);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "stale-cache-deadlines");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final Cache<K, V> fresh;
    private final Cache<K, V> lastKnown;
    private final Duration refreshBudget;

    StaleCache(String name, Duration ttl, Duration refreshBudget, int maxSize, Ticker ticker) {
        this.name = requireNonNull(name, "name is null");
        this.refreshBudget = requireNonNull(refreshBudget, "refreshBudget is null");
        this.fresh = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(maxSize).ticker(ticker).build();
        this.lastKnown = Caffeine.newBuilder().maximumSize(maxSize).build();
    }

    StaleCache(String name, Duration ttl, Duration refreshBudget, int maxSize) {
        this(name, ttl, refreshBudget, maxSize, Ticker.systemTicker());
    }

    /** The cached value, loaded with {@code load} when it expired; the last value if the load finds its source down. */
    V get(K key, Function<? super K, ? extends V> load) {
        return fresh.get(key, k -> loadOrStale(k, load));
    }

    private V loadOrStale(K key, Function<? super K, ? extends V> load) {
        V stale = lastKnown.getIfPresent(key);
        try {
            V v = stale == null ? load.apply(key) : withBudget(key, load);
            lastKnown.put(key, v);
            return v;
        } catch (RuntimeException e) {
            if (stale == null || !Reachability.unreachable(e)) {
                throw e;
            }
            LOG.warn("event=serve_stale cache={} key={} reason=\"{}\"", name, key, e.getMessage());
            return stale;
        }
    }

    private V withBudget(K key, Function<? super K, ? extends V> load) {
        Context.CancellableContext ctx = Context.current().withDeadlineAfter(refreshBudget.toMillis(), TimeUnit.MILLISECONDS, TIMER);
        try {
            return ctx.call(() -> load.apply(key));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            ctx.cancel(null);
        }
    }

    /** Forgets the fresh entry (the next read asks the coordinator); the last answer stays as a fallback. */
    void invalidate(K key) {
        fresh.invalidate(key);
    }

    /** Forgets the key entirely (the thing it describes is gone or changed: a release, a drop). */
    void forget(K key) {
        fresh.invalidate(key);
        lastKnown.invalidate(key);
    }

    void forgetAll() {
        fresh.invalidateAll();
        lastKnown.invalidateAll();
    }
}
