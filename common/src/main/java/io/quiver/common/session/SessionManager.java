package io.quiver.common.session;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.proto.SessionInfo;
import io.quiver.storage.MetaKv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this process's roles in MetaKv under a lease ({@code <root>/session/<role>-<serverId>}) and
 * watches other roles' sessions (DESIGN section 5).
 *
 * <p>Design: server ids come from a compare-and-swap counter; the lease is kept alive every TTL/3; a
 * session whose lease was lost (a long GC pause, a network partition) is registered again under a new
 * lease instead of exiting the process (Milvus exits, a top user complaint). Watchers get the full live
 * set on every change, so they never depend on seeing individual events.
 */
public final class SessionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SessionManager.class);

    private final MetaKv kv;
    private final String prefix;
    private final Duration ttl;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
    private final List<MetaKv.Watch> watches = new CopyOnWriteArrayList<>();
    private volatile long leaseId;

    public SessionManager(MetaKv kv, String root, Duration ttl) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/session/";
        this.ttl = requireNonNull(ttl, "ttl is null");
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "session-keepalive");
            t.setDaemon(true);
            return t;
        });
        this.leaseId = kv.grantLease(ttl);
        long period = Math.max(100, ttl.toMillis() / 3);
        scheduler.scheduleWithFixedDelay(this::keepAlive, period, period, TimeUnit.MILLISECONDS);
    }

    /** A fresh, cluster-unique server id. */
    public long allocateServerId() {
        String key = prefix + "id";
        while (true) {
            var cur = kv.get(key);
            long next = cur.map(v -> Long.parseLong(new String(v.value(), StandardCharsets.UTF_8)) + 1).orElse(1L);
            byte[] val = Long.toString(next).getBytes(StandardCharsets.UTF_8);
            boolean ok = kv.txn(
                    List.of(cur.isPresent()
                            ? new MetaKv.Compare.ValueEquals(key, cur.get().value())
                            : new MetaKv.Compare.Absent(key)),
                    List.of(new MetaKv.Op.Put(key, val)), List.of());
            if (ok) {
                return next;
            }
        }
    }

    /**
     * Deletes every session record (not the id counter). Only for a process that owns the whole store
     * (standalone on embedded storage): sessions of its previous life can never come back, and must not be
     * mistaken for live roles until their leases expire.
     */
    public void clearAll() {
        for (var e : kv.scan(prefix).kvs()) {
            if (!e.key().equals(prefix + "id")) {
                kv.delete(e.key());
            }
        }
    }

    /** Registers a role; returns the session key. */
    public String register(SessionInfo info) {
        String key = prefix + info.getRole() + "-" + info.getServerId();
        registrations.put(key, new Registration(key, info));
        kv.put(key, info.toByteArray(), leaseId);
        LOG.info("session registered role={} serverId={} address={}", info.getRole(), info.getServerId(), info.getAddress());
        return key;
    }

    /** Marks a session stopping (graceful shutdown: coordinators move work away first). */
    public void markStopping(String key) {
        Registration r = registrations.get(key);
        if (r != null) {
            SessionInfo s = r.info.toBuilder().setStopping(true).build();
            registrations.put(key, new Registration(key, s));
            kv.put(key, s.toByteArray(), leaseId);
        }
    }

    public void unregister(String key) {
        registrations.remove(key);
        kv.delete(key);
    }

    /** Live sessions of a role. */
    public List<SessionInfo> list(String role) {
        List<SessionInfo> out = new ArrayList<>();
        for (var e : kv.scan(prefix + role + "-").kvs()) {
            parse(e.value(), out);
        }
        return out;
    }

    /** Calls {@code onChange} with the live set of a role now and after every change. */
    public void watch(String role, Consumer<List<SessionInfo>> onChange) {
        String p = prefix + role + "-";
        var scan = kv.scan(p);
        List<SessionInfo> initial = new ArrayList<>();
        scan.kvs().forEach(e -> parse(e.value(), initial));
        onChange.accept(initial);
        watches.add(kv.watch(p, scan.revision(), new MetaKv.WatchListener() {
            @Override
            public void onEvents(List<MetaKv.WatchEvent> events) {
                onChange.accept(list(role));
            }

            @Override
            public void onCompacted(long rev) {
                onChange.accept(list(role));
            }
        }));
    }

    private static void parse(byte[] value, List<SessionInfo> out) {
        try {
            out.add(SessionInfo.parseFrom(value));
        } catch (InvalidProtocolBufferException e) {
            LOG.warn("skipping unreadable session record: {}", e.getMessage());
        }
    }

    private void keepAlive() {
        try {
            if (kv.keepAlive(leaseId)) {
                return;
            }
            LOG.warn("session lease lost leaseId={}: registering again", leaseId);
            leaseId = kv.grantLease(ttl);
            for (Registration r : registrations.values()) {
                kv.put(r.key, r.info.toByteArray(), leaseId);
            }
        } catch (RuntimeException e) {
            LOG.warn("session keep-alive failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        watches.forEach(MetaKv.Watch::close);
        try {
            kv.revokeLease(leaseId);
        } catch (RuntimeException e) {
            LOG.debug("revoke on close failed: {}", e.toString());
        }
    }

    private record Registration(String key, SessionInfo info) {}
}
