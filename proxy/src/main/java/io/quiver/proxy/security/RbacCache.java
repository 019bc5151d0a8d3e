package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.RbacState;
import io.quiver.storage.MetaKv;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxy's copy of the RBAC document (rootcoord writes it; see {@code RbacTable}), compiled into a
 * {@link PolicyIndex}. It reads the document once and then follows a MetaKv watch on its key, which delivers every
 * new version with its value: a grant, revoke or role change made through any proxy applies here as soon as the
 * watch delivers it (milliseconds on etcd and the local store), with no polling and no call to rootcoord per check.
 *
 * <p>Fails closed: if the watch ends it is re-established from a fresh read; while it cannot be, every check reads
 * the document from MetaKv (retrying the watch at most once per second), and if that read fails the check fails
 * (the caller refuses the call), so a revoke is never missed by serving a copy nobody keeps up to date.
 */
@ThreadSafe
public final class RbacCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RbacCache.class);
    private static final Duration REWATCH_INTERVAL = Duration.ofSeconds(1);

    private final MetaKv kv;
    private final String key;
    private final InstantSource clock;
    /** Up to date while {@link #watch} is set; null otherwise. */
    private volatile PolicyIndex index;
    @GuardedBy("this") private MetaKv.Watch watch;
    @GuardedBy("this") private long lastWatchAttemptMs = Long.MIN_VALUE;
    @GuardedBy("this") private boolean closed;
    private volatile long versions;

    public RbacCache(MetaKv kv, String metaRoot, InstantSource clock) {
        this.kv = requireNonNull(kv, "kv is null");
        this.key = CredentialKeys.rbacDocument(requireNonNull(metaRoot, "metaRoot is null"));
        this.clock = requireNonNull(clock, "clock is null");
        ensureWatch();
    }

    /** The current policy; code 2 (service unavailable) when it can be neither followed nor read. */
    public PolicyIndex current() {
        PolicyIndex i = index;
        if (i != null) {
            return i;
        }
        ensureWatch();
        i = index;
        if (i != null) {
            return i;
        }
        try {
            return PolicyIndex.of(kv.get(key).map(e -> RbacState.parse(e.value())).orElse(RbacState.EMPTY));
        } catch (RuntimeException e) {
            throw new QuiverException(ErrorCode.SERVICE_UNAVAILABLE, "the RBAC metadata cannot be read: " + e.getMessage(), e);
        }
    }

    /** How many document versions the watch delivered (tests wait on it). */
    long versions() {
        return versions;
    }

    private synchronized void ensureWatch() {
        if (watch != null || closed) {
            return;
        }
        long now = clock.millis();
        if (lastWatchAttemptMs != Long.MIN_VALUE && now - lastWatchAttemptMs < REWATCH_INTERVAL.toMillis()) {
            return;
        }
        lastWatchAttemptMs = now;
        try {
            MetaKv.ScanResult r = kv.scan(key);
            RbacState s = r.kvs().stream().filter(e -> e.key().equals(key)).findFirst()
                    .map(e -> RbacState.parse(e.value())).orElse(RbacState.EMPTY);
            watch = kv.watch(key, r.revision(), new Listener());
            index = PolicyIndex.of(s);
        } catch (RuntimeException e) {
            LOG.warn("rbac watch could not start, reading the document on every check until it does: {}", e.toString());
        }
    }

    private synchronized void watchEnded(String why) {
        LOG.warn("rbac watch ended ({}), re-watching", why);
        index = null;
        if (watch != null) {
            watch.close();
        }
        watch = null;
        lastWatchAttemptMs = Long.MIN_VALUE;
        ensureWatch();
    }

    private synchronized void apply(RbacState s) {
        if (watch != null) {
            index = PolicyIndex.of(s);
            versions++;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        index = null;
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }

    private final class Listener extends WatchEndListener {
        @Override
        public void onEvents(List<MetaKv.WatchEvent> events) {
            for (MetaKv.WatchEvent e : events) {
                if (!e.kv().key().equals(key)) {
                    continue;
                }
                try {
                    apply(e.type() == MetaKv.EventType.DELETE ? RbacState.EMPTY : RbacState.parse(e.kv().value()));
                } catch (RuntimeException ex) {
                    watchEnded("unreadable document: " + ex.getMessage());
                }
            }
        }

        @Override
        void ended(String why) {
            watchEnded(why);
        }
    }
}
