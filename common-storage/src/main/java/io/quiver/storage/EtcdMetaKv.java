package io.quiver.storage;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MetaKv} on etcd v3 through jetcd (cluster mode, DESIGN section 4).
 *
 * <ul>
 *   <li><b>Revisions</b> are etcd's own store revisions; a key's create/mod revision, version and
 *       lease come straight from etcd, so they match {@link LocalMetaKv}'s model exactly.</li>
 *   <li><b>Bounded calls.</b> Every call waits at most {@code callTimeout} for its future; a timeout,
 *       an unavailable/overloaded server or a lost connection surfaces as a retriable
 *       {@link StorageException}. Reads (get, scan) and lease keep-alive/revoke are retried with
 *       {@link Retry}; writes are not replayed (a put or txn whose answer was lost may or may not
 *       have applied), they fail with a retriable status for the caller to decide.</li>
 *   <li><b>Watches</b> start at {@code fromRevision + 1}; "from now" (0) first reads the current
 *       revision, so a write made after {@link #watch} returns is always delivered, as with the
 *       local store. Events are handed to the listener on one thread per watch (never on jetcd's
 *       network threads), in revision order, so a slow listener stalls only its own watch. If the
 *       start revision was compacted away the listener gets {@link WatchListener#onCompacted} and the
 *       watch ends (re-list with {@link #scan} and watch again from the scan's revision); other
 *       terminal failures go to {@link WatchListener#onError}. jetcd itself resumes a watch after a
 *       transient disconnect from the last delivered revision.</li>
 *   <li><b>Leases</b> are etcd leases: TTLs are rounded up to whole seconds and etcd enforces a
 *       minimum (about 2 s with default election settings); {@link #keepAlive} is one keep-alive
 *       round trip (false once the lease has expired or was revoked). Expiry is decided by the
 *       etcd leader's clock, not an injected one.</li>
 * </ul>
 * Thread-safe.
 */
public final class EtcdMetaKv implements MetaKv {
    private static final Logger log = LoggerFactory.getLogger(EtcdMetaKv.class);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] NUL = {0};
    private static final AtomicInteger WATCH_THREADS = new AtomicInteger();
    private static final Set<ErrorCode> RETRIABLE = Set.of(ErrorCode.UNAVAILABLE, ErrorCode.DEADLINE_EXCEEDED,
            ErrorCode.RESOURCE_EXHAUSTED, ErrorCode.ABORTED, ErrorCode.CANCELLED, ErrorCode.UNKNOWN, ErrorCode.INTERNAL);

    private final Client client;
    private final KV kv;
    private final Lease leases;
    private final long timeoutMillis;
    private final Retry retry;
    private final Set<EtcdWatch> watches = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** {@code endpoints}: comma-separated URLs, e.g. {@code http://127.0.0.1:2379}. */
    public EtcdMetaKv(String endpoints) {
        this(endpoints, DEFAULT_CALL_TIMEOUT, Retry.DEFAULT);
    }

    public EtcdMetaKv(String endpoints, Duration callTimeout, Retry retry) {
        this(endpoints, callTimeout, retry, EtcdSecurity.NONE);
    }

    /** As above, reaching etcd over TLS and/or with a user and password. */
    public EtcdMetaKv(String endpoints, Duration callTimeout, Retry retry, EtcdSecurity security) {
        requireNonNull(endpoints, "endpoints");
        requireNonNull(security, "security is null");
        String[] eps = Arrays.stream(endpoints.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
        if (eps.length == 0) {
            throw new IllegalArgumentException("no etcd endpoint in '" + endpoints + "'");
        }
        this.timeoutMillis = callTimeout.toMillis();
        this.retry = requireNonNull(retry, "retry");
        ClientBuilder builder = Client.builder()
                .endpoints(eps)
                .connectTimeout(Duration.ofSeconds(5))
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5))
                .retryDelay(50)
                .retryMaxDelay(1000)
                .retryMaxDuration(callTimeout);
        security.applyTo(builder);
        this.client = builder.build();
        this.kv = client.getKVClient();
        this.leases = client.getLeaseClient();
    }

    // ------------------------------------------------------------------ helpers

    private static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static ByteSequence bs(byte[] b) {
        return ByteSequence.from(b);
    }

    private static KeyValue convert(io.etcd.jetcd.KeyValue k) {
        return new KeyValue(k.getKey().toString(StandardCharsets.UTF_8), k.getValue().getBytes(), k.getCreateRevision(),
                k.getModRevision(), k.getVersion(), k.getLease());
    }

    /** Key and options selecting every key under {@code prefix} ("" = the whole key space). */
    private static ByteSequence prefixKey(String prefix) {
        return prefix.isEmpty() ? bs(NUL) : bs(prefix);
    }

    private static GetOption.Builder prefixGet(String prefix) {
        GetOption.Builder b = GetOption.builder()
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND);
        return prefix.isEmpty() ? b.withRange(bs(NUL)) : b.isPrefix(true);
    }

    private static DeleteOption prefixDelete(String prefix) {
        return prefix.isEmpty() ? DeleteOption.builder().withRange(bs(NUL)).build() : DeleteOption.builder().isPrefix(true).build();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StorageException("EtcdMetaKv is closed", false);
        }
    }

    private <T> T await(String op, CompletableFuture<T> f) {
        checkOpen();
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new StorageException("etcd " + op + " timed out after " + timeoutMillis + " ms", true, e);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted during etcd " + op, true, e);
        } catch (ExecutionException | CompletionException e) {
            throw failure(op, e.getCause() == null ? e : e.getCause());
        }
    }

    static StorageException failure(String op, Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof StorageException se) {
            return se;
        }
        boolean retriable;
        if (t instanceof ClosedClientException) {
            retriable = false;
        } else if (t instanceof EtcdException ee) {
            retriable = RETRIABLE.contains(ee.getErrorCode());
        } else if (t instanceof StatusRuntimeException sre) {
            Status.Code c = sre.getStatus().getCode();
            retriable = c == Status.Code.UNAVAILABLE || c == Status.Code.DEADLINE_EXCEEDED
                    || c == Status.Code.RESOURCE_EXHAUSTED || c == Status.Code.ABORTED || c == Status.Code.UNKNOWN;
        } else {
            retriable = t instanceof java.io.IOException || t instanceof TimeoutException;
        }
        return new StorageException("etcd " + op + " failed: " + t.getMessage(), retriable, t);
    }

    private static boolean leaseNotFound(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException || t instanceof StorageException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return (t instanceof EtcdException ee && ee.getErrorCode() == ErrorCode.NOT_FOUND)
                || (t != null && t.getMessage() != null && t.getMessage().contains("lease not found"));
    }

    // ------------------------------------------------------------------ kv

    @Override
    public Optional<KeyValue> get(String key) {
        requireNonNull(key, "key");
        return retry.call("get", () -> {
            GetResponse r = await("get", kv.get(bs(key)));
            return r.getKvs().isEmpty() ? Optional.<KeyValue>empty() : Optional.of(convert(r.getKvs().getFirst()));
        });
    }

    @Override
    public ScanResult scan(String prefix) {
        requireNonNull(prefix, "prefix");
        return retry.call("scan", () -> {
            GetResponse r = await("scan", kv.get(prefixKey(prefix), prefixGet(prefix).build()));
            List<KeyValue> out = new ArrayList<>(r.getKvs().size());
            for (io.etcd.jetcd.KeyValue k : r.getKvs()) {
                out.add(convert(k));
            }
            return new ScanResult(List.copyOf(out), r.getHeader().getRevision());
        });
    }

    @Override
    public long put(String key, byte[] value) {
        return put(key, value, 0);
    }

    @Override
    public long put(String key, byte[] value, long leaseId) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        PutOption opt = leaseId == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(leaseId).build();
        return await("put", kv.put(bs(key), bs(value), opt)).getHeader().getRevision();
    }

    @Override
    public boolean delete(String key) {
        requireNonNull(key, "key");
        return await("delete", kv.delete(bs(key))).getDeleted() > 0;
    }

    @Override
    public long deletePrefix(String prefix) {
        requireNonNull(prefix, "prefix");
        return await("deletePrefix", kv.delete(prefixKey(prefix), prefixDelete(prefix))).getDeleted();
    }

    @Override
    public boolean txn(List<Compare> compares, List<Op> onSuccess, List<Op> onFailure) {
        Cmp[] cmps = compares.stream().map(EtcdMetaKv::toCmp).toArray(Cmp[]::new);
        io.etcd.jetcd.op.Op[] then = onSuccess.stream().map(EtcdMetaKv::toOp).toArray(io.etcd.jetcd.op.Op[]::new);
        io.etcd.jetcd.op.Op[] otherwise = onFailure.stream().map(EtcdMetaKv::toOp).toArray(io.etcd.jetcd.op.Op[]::new);
        TxnResponse r = await("txn", kv.txn().If(cmps).Then(then).Else(otherwise).commit());
        return r.isSucceeded();
    }

    private static Cmp toCmp(Compare c) {
        ByteSequence key = bs(requireNonNull(c.key(), "compare key"));
        return switch (c) {
            case Compare.ValueEquals v -> v.value() == null
                    ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))
                    : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.value(bs(v.value())));
            case Compare.ModRevisionEquals m -> new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(m.modRevision()));
            case Compare.Absent a -> new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0));
        };
    }

    private static io.etcd.jetcd.op.Op toOp(Op op) {
        return switch (op) {
            case Op.Put p -> io.etcd.jetcd.op.Op.put(bs(p.key()), bs(requireNonNull(p.value(), "value")),
                    p.leaseId() == 0 ? PutOption.DEFAULT : PutOption.builder().withLeaseId(p.leaseId()).build());
            case Op.Delete d -> io.etcd.jetcd.op.Op.delete(bs(d.key()), DeleteOption.DEFAULT);
            case Op.DeletePrefix d -> io.etcd.jetcd.op.Op.delete(prefixKey(d.prefix()), prefixDelete(d.prefix()));
        };
    }

    // ------------------------------------------------------------------ watch

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        requireNonNull(prefix, "prefix");
        requireNonNull(listener, "listener");
        if (fromRevision < 0) {
            throw new IllegalArgumentException("fromRevision < 0: " + fromRevision);
        }
        long start = fromRevision;
        if (start == 0) {
            // "from now": pin "now" to a revision, so nothing written after this call returns is missed
            start = retry.call("watch", () -> await("watch", kv.get(prefixKey(prefix),
                    prefixGet(prefix).withCountOnly(true).build())).getHeader().getRevision());
        }
        EtcdWatch w = new EtcdWatch(prefix, listener);
        watches.add(w);
        WatchOption.Builder opt = WatchOption.builder().withRevision(start + 1);
        if (prefix.isEmpty()) {
            opt.withRange(bs(NUL));
        } else {
            opt.isPrefix(true);
        }
        try {
            w.watcher = client.getWatchClient().watch(prefixKey(prefix), opt.build(),
                    io.etcd.jetcd.Watch.listener(w::onNext, w::onError, w::onCompleted));
        } catch (RuntimeException e) {
            w.close();
            throw failure("watch", e);
        }
        return w;
    }

    private final class EtcdWatch implements Watch {
        final String prefix;
        final WatchListener listener;
        final ExecutorService dispatcher;
        final AtomicBoolean done = new AtomicBoolean();
        volatile io.etcd.jetcd.Watch.Watcher watcher;

        EtcdWatch(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
            this.dispatcher = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "etcd-watch-" + WATCH_THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }

        void onNext(WatchResponse r) {
            List<WatchEvent> batch = new ArrayList<>(r.getEvents().size());
            for (io.etcd.jetcd.watch.WatchEvent e : r.getEvents()) {
                io.etcd.jetcd.KeyValue k = e.getKeyValue();
                switch (e.getEventType()) {
                    case PUT -> batch.add(new WatchEvent(EventType.PUT, convert(k)));
                    case DELETE -> batch.add(new WatchEvent(EventType.DELETE,
                            new KeyValue(k.getKey().toString(StandardCharsets.UTF_8), new byte[0], 0, k.getModRevision(), 0, 0)));
                    default -> log.warn("event=etcd_watch_unknown_event prefix={} type={}", prefix, e.getEventType());
                }
            }
            if (!batch.isEmpty()) {
                deliver(() -> listener.onEvents(List.copyOf(batch)));
            }
        }

        void onError(Throwable t) {
            Throwable c = t;
            while (c != null && !(c instanceof CompactedException)) {
                c = c.getCause();
            }
            if (c instanceof CompactedException ce) {
                log.info("event=etcd_watch_compacted prefix={} compactRevision={}", prefix, ce.getCompactedRevision());
                deliver(() -> listener.onCompacted(ce.getCompactedRevision()));
            } else {
                if (done.get()) {
                    return; // our own close
                }
                log.warn("event=etcd_watch_failed prefix={} error=\"{}\"", prefix, t.toString());
                deliver(() -> listener.onError(failure("watch", t)));
            }
            finish();
        }

        void onCompleted() {
            finish();
        }

        private void deliver(Runnable r) {
            if (done.get()) {
                return;
            }
            try {
                dispatcher.execute(() -> {
                    if (done.get()) {
                        return;
                    }
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        log.warn("event=etcd_watch_listener_failed prefix={}", prefix, e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException ignored) {
                // closed meanwhile
            }
        }

        /** Ends the watch after already-queued notifications have run. */
        private void finish() {
            watches.remove(this);
            io.etcd.jetcd.Watch.Watcher w = watcher;
            if (w != null) {
                try {
                    w.close();
                } catch (RuntimeException ignored) {
                    // already closed
                }
            }
            dispatcher.shutdown();
        }

        @Override
        public void close() {
            if (done.compareAndSet(false, true)) {
                watches.remove(this);
                io.etcd.jetcd.Watch.Watcher w = watcher;
                if (w != null) {
                    try {
                        w.close();
                    } catch (RuntimeException e) {
                        log.debug("event=etcd_watch_close_failed prefix={}", prefix, e);
                    }
                }
                dispatcher.shutdown();
            }
        }
    }

    // ------------------------------------------------------------------ leases

    @Override
    public long grantLease(Duration ttl) {
        requireNonNull(ttl, "ttl");
        if (ttl.toMillis() <= 0) {
            throw new IllegalArgumentException("lease ttl must be positive: " + ttl);
        }
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        return await("grantLease", leases.grant(seconds)).getID();
    }

    @Override
    public boolean keepAlive(long leaseId) {
        try {
            return retry.call("keepAlive", () -> {
                try {
                    LeaseKeepAliveResponse r = await("keepAlive", leases.keepAliveOnce(leaseId));
                    return r.getTTL() > 0;
                } catch (StorageException e) {
                    if (leaseNotFound(e)) {
                        return false;
                    }
                    throw e;
                }
            });
        } catch (StorageException e) {
            if (leaseNotFound(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void revokeLease(long leaseId) {
        retry.run("revokeLease", () -> {
            try {
                await("revokeLease", leases.revoke(leaseId));
            } catch (StorageException e) {
                if (!leaseNotFound(e)) {
                    throw e;
                }
            }
        });
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            for (EtcdWatch w : List.copyOf(watches)) {
                w.close();
            }
            client.close();
        }
    }
}
