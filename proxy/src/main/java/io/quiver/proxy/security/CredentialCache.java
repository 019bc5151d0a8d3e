package io.quiver.proxy.security;

import static java.util.Objects.requireNonNull;

import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.PasswordHasher;
import io.quiver.storage.MetaKv;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A proxy's cache of verified credentials. On a miss it reads the user's bcrypt hash (through rootcoord) and runs
 * bcrypt; a success is remembered as a salted SHA-256 digest of the password, which later calls compare in
 * constant time (Milvus' proxy does the same with an unsalted one). The hash is never logged, the password never
 * kept.
 *
 * <p>Invalidation is pushed, not timed: the cache watches the credential keys in MetaKv, and any change of a user
 * (password update, delete, re-create, made through any proxy) drops that user's entry as soon as the watch delivers
 * it (milliseconds for etcd and the local store). Race: a call may read a hash, then the user changes, then the call
 * stores its result; every invalidation bumps {@link #epoch} before removing, and a call stores its result only if
 * the epoch did not move since it started reading, re-checking after the put, so a stale entry never survives.
 * If the watch fails it is re-established first and the cache is cleared after, so no change falls between; while
 * no watch can be established nothing is cached and every call runs bcrypt (retried at most once per second).
 */
@ThreadSafe
public final class CredentialCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialCache.class);
    private static final Duration REWATCH_INTERVAL = Duration.ofSeconds(1);

    /** Where a user's stored bcrypt hash is read (rootcoord in a running proxy). */
    @FunctionalInterface
    public interface HashSource {
        Optional<String> hash(String username);
    }

    private record Verified(byte[] digest) {}

    private final MetaKv kv;
    private final String prefix;
    private final HashSource source;
    private final PasswordHasher hasher;
    private final InstantSource clock;
    private final byte[] salt = new byte[16];
    /** A hash nobody's password matches, verified for unknown users so that they cost what a wrong password costs. */
    private final String decoyHash;
    private final Map<String, Verified> entries = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();
    @GuardedBy("this") private MetaKv.Watch watch;
    @GuardedBy("this") private long lastWatchAttemptMs = Long.MIN_VALUE;
    @GuardedBy("this") private boolean closed;

    public CredentialCache(MetaKv kv, String metaRoot, HashSource source, PasswordHasher hasher, SecureRandom random, InstantSource clock) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = CredentialKeys.usersPrefix(requireNonNull(metaRoot, "metaRoot is null"));
        this.source = requireNonNull(source, "source is null");
        this.hasher = requireNonNull(hasher, "hasher is null");
        this.clock = requireNonNull(clock, "clock is null");
        random.nextBytes(salt);
        byte[] decoy = new byte[24];
        random.nextBytes(decoy);
        this.decoyHash = hasher.hash(new String(decoy, StandardCharsets.ISO_8859_1));
        ensureWatch();
    }

    /** Whether {@code password} is {@code username}'s current password. */
    public boolean verify(String username, String password) {
        byte[] digest = digest(username, password);
        Verified known = entries.get(username);
        if (known != null) {
            return MessageDigest.isEqual(known.digest(), digest);
        }
        boolean cacheable = ensureWatch();
        long startEpoch = epoch.get();
        Optional<String> hash = source.hash(username);
        if (hash.isEmpty()) {
            hasher.verify(password, decoyHash);
            return false;
        }
        if (!hasher.verify(password, hash.get())) {
            return false;
        }
        if (cacheable && epoch.get() == startEpoch) {
            Verified v = new Verified(digest);
            entries.put(username, v);
            if (epoch.get() != startEpoch) {
                entries.remove(username, v);
            }
        }
        return true;
    }

    /** Drops one user's entry (a change seen through the watch). */
    void invalidate(String username) {
        epoch.incrementAndGet();
        entries.remove(username);
    }

    private void invalidateAll() {
        epoch.incrementAndGet();
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    /** Moves on every invalidation (tests wait on it to know a watch event was delivered). */
    long epoch() {
        return epoch.get();
    }

    /** True when a watch is up; otherwise tries to start one (at most once per second). */
    private synchronized boolean ensureWatch() {
        if (watch != null || closed) {
            return watch != null;
        }
        long now = clock.millis();
        if (lastWatchAttemptMs != Long.MIN_VALUE && now - lastWatchAttemptMs < REWATCH_INTERVAL.toMillis()) {
            return false;
        }
        lastWatchAttemptMs = now;
        try {
            watch = kv.watch(prefix, 0, new Listener());
        } catch (RuntimeException e) {
            LOG.warn("credential watch could not start, verifying every call until it does: {}", e.toString());
            return false;
        }
        invalidateAll(); // anything cached before this watch may have missed a change
        return true;
    }

    private synchronized void watchEnded(String why) {
        LOG.warn("credential watch ended ({}), re-watching", why);
        if (watch != null) {
            watch.close();
        }
        watch = null;
        lastWatchAttemptMs = Long.MIN_VALUE;
        if (!ensureWatch()) {
            invalidateAll();
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }

    private byte[] digest(String username, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            sha.update(username.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(password.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private final class Listener extends WatchEndListener {
        @Override
        public void onEvents(List<MetaKv.WatchEvent> events) {
            for (MetaKv.WatchEvent e : events) {
                invalidate(e.kv().key().substring(prefix.length()));
            }
        }

        @Override
        void ended(String why) {
            watchEnded(why);
        }
    }
}
