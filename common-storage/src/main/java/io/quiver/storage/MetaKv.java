package io.quiver.storage;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A small, etcd-shaped key-value store for metadata and coordination (DESIGN section 4).
 *
 * <p>Keys are UTF-8 strings, values opaque bytes. Every mutation bumps a store-wide revision
 * (as etcd does); {@link #watch} can resume from any revision still retained. Implementations:
 * {@code LocalMetaKv} (journal + snapshot, standalone) and {@code EtcdMetaKv} (jetcd, cluster).
 * All methods are thread-safe. Failures of the backend surface as {@link StorageException}
 * (with {@link StorageException#retriable()} set for transient ones).
 */
public interface MetaKv extends AutoCloseable {

    Optional<KeyValue> get(String key);

    /** All keys starting with {@code prefix}, in key order, with the revision they were read at. */
    ScanResult scan(String prefix);

    /** Puts the value, returns the new store revision. */
    long put(String key, byte[] value);

    /** Puts the value attached to a lease: the key is deleted when the lease expires or is revoked. */
    long put(String key, byte[] value, long leaseId);

    /** Deletes one key; true if it existed. */
    boolean delete(String key);

    /** Deletes every key under the prefix; returns how many were deleted. */
    long deletePrefix(String prefix);

    /**
     * Atomically: if every comparison holds, apply {@code onSuccess}, else {@code onFailure}.
     * Returns whether the comparisons held.
     */
    boolean txn(List<Compare> compares, List<Op> onSuccess, List<Op> onFailure);

    /**
     * Watches every key under {@code prefix}, delivering events with revision &gt; {@code fromRevision}
     * (0 = from now on). Events of one watch are delivered in revision order on one thread.
     * If {@code fromRevision} is no longer retained, the listener receives
     * {@link WatchListener#onCompacted(long)} and should re-list with {@link #scan}.
     */
    Watch watch(String prefix, long fromRevision, WatchListener listener);

    /** Grants a lease of the given time to live; returns its id. */
    long grantLease(Duration ttl);

    /** Renews a lease; false if it had already expired or was revoked. */
    boolean keepAlive(long leaseId);

    /** Revokes a lease, deleting its keys. */
    void revokeLease(long leaseId);

    @Override
    void close();

    /** A stored key. {@code modRevision} is the revision of its last change; {@code version} counts puts since creation. */
    record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long leaseId) {}

    record ScanResult(List<KeyValue> kvs, long revision) {}

    /** A comparison of a transaction. */
    sealed interface Compare {
        String key();

        /** Holds when the key's value equals {@code value} (null: the key is absent). */
        record ValueEquals(String key, byte[] value) implements Compare {}

        /** Holds when the key's mod revision equals {@code modRevision} (0: the key is absent). */
        record ModRevisionEquals(String key, long modRevision) implements Compare {}

        /** Holds when the key does not exist. */
        record Absent(String key) implements Compare {}
    }

    /** An operation of a transaction. */
    sealed interface Op {
        record Put(String key, byte[] value, long leaseId) implements Op {
            public Put(String key, byte[] value) {
                this(key, value, 0);
            }
        }

        record Delete(String key) implements Op {}

        record DeletePrefix(String prefix) implements Op {}
    }

    enum EventType { PUT, DELETE }

    /**
     * One change. For DELETE, {@code kv} carries the key and the deleting revision as
     * {@code modRevision}; its value is empty and its other fields zero (as etcd reports it).
     */
    record WatchEvent(EventType type, KeyValue kv) {}

    interface WatchListener {
        void onEvents(List<WatchEvent> events);

        /** The requested start revision was compacted away: re-list and watch again. */
        default void onCompacted(long compactRevision) {}

        /** The watch ended abnormally (backend lost); the owner may re-watch. */
        default void onError(Throwable error) {}
    }

    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
