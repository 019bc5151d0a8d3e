package io.quiver.common.metrics;

import static java.util.Objects.requireNonNull;

import io.quiver.common.metrics.MetricLabels.OpType;
import io.quiver.storage.MetaKv;
import io.quiver.storage.ObjectStore;
import io.quiver.storage.Wal;
import io.quiver.storage.WalPosition;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The three storage backends with Milvus' dependency families: {@code milvus_meta_*} (MetaKv: get, put, remove, txn),
 * {@code milvus_storage_*} (ObjectStore: get, put, remove, list, stat) and {@code milvus_msgstream_*} (the WAL is
 * Milvus' msgstream: produce is counted and timed; consume is counted per poll that returned messages, not timed,
 * since a poll's time is mostly the wait for a message). Watches, leases and subscriptions pass through uncounted.
 */
public final class MeteredStorage {
    private MeteredStorage() {
    }

    public static MetaKv metaKv(MetaKv kv, MetricsRegistry metrics) {
        return new Meta(kv, new OpMeter(metrics, MilvusMetric.META_OP_COUNT, MilvusMetric.META_REQUEST_LATENCY));
    }

    public static ObjectStore objectStore(ObjectStore store, MetricsRegistry metrics) {
        return new Store(store, new OpMeter(metrics, MilvusMetric.STORAGE_OP_COUNT, MilvusMetric.STORAGE_REQUEST_LATENCY));
    }

    public static Wal wal(Wal wal, MetricsRegistry metrics) {
        return new Stream(wal, new OpMeter(metrics, MilvusMetric.MSGSTREAM_OP_COUNT, MilvusMetric.MSGSTREAM_REQUEST_LATENCY));
    }

    private record Meta(MetaKv kv, OpMeter meter) implements MetaKv {
        Meta {
            requireNonNull(kv, "kv is null");
        }

        @Override
        public Optional<KeyValue> get(String key) {
            return meter.call(OpType.GET, () -> kv.get(key));
        }

        @Override
        public ScanResult scan(String prefix) {
            return meter.call(OpType.GET, () -> kv.scan(prefix));
        }

        @Override
        public long put(String key, byte[] value) {
            return meter.call(OpType.PUT, () -> kv.put(key, value));
        }

        @Override
        public long put(String key, byte[] value, long leaseId) {
            return meter.call(OpType.PUT, () -> kv.put(key, value, leaseId));
        }

        @Override
        public boolean delete(String key) {
            return meter.call(OpType.REMOVE, () -> kv.delete(key));
        }

        @Override
        public long deletePrefix(String prefix) {
            return meter.call(OpType.REMOVE, () -> kv.deletePrefix(prefix));
        }

        @Override
        public boolean txn(List<Compare> compares, List<Op> onSuccess, List<Op> onFailure) {
            return meter.call(OpType.TXN, () -> kv.txn(compares, onSuccess, onFailure));
        }

        @Override
        public Watch watch(String prefix, long fromRevision, WatchListener listener) {
            return kv.watch(prefix, fromRevision, listener);
        }

        @Override
        public long grantLease(Duration ttl) {
            return kv.grantLease(ttl);
        }

        @Override
        public boolean keepAlive(long leaseId) {
            return kv.keepAlive(leaseId);
        }

        @Override
        public void revokeLease(long leaseId) {
            kv.revokeLease(leaseId);
        }

        @Override
        public void close() {
            kv.close();
        }
    }

    private record Store(ObjectStore store, OpMeter meter) implements ObjectStore {
        Store {
            requireNonNull(store, "store is null");
        }

        @Override
        public void put(String key, byte[] data) {
            meter.run(OpType.PUT, () -> store.put(key, data));
        }

        @Override
        public void put(String key, InputStream in, long size) {
            meter.run(OpType.PUT, () -> store.put(key, in, size));
        }

        @Override
        public byte[] get(String key) {
            return meter.call(OpType.GET, () -> store.get(key));
        }

        @Override
        public byte[] getRange(String key, long offset, long length) {
            return meter.call(OpType.GET, () -> store.getRange(key, offset, length));
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return meter.call(OpType.STAT, () -> store.stat(key));
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return meter.call(OpType.LIST, () -> store.list(prefix));
        }

        @Override
        public List<ObjectInfo> list(String prefix, boolean recursive) {
            return meter.call(OpType.LIST, () -> store.list(prefix, recursive));
        }

        @Override
        public void delete(String key) {
            meter.run(OpType.REMOVE, () -> store.delete(key));
        }

        @Override
        public void close() {
            store.close();
        }
    }

    private record Stream(Wal wal, OpMeter meter) implements Wal {
        Stream {
            requireNonNull(wal, "wal is null");
        }

        @Override
        public WalPosition produce(String channel, byte[] payload) {
            return meter.call(OpType.PRODUCE, () -> wal.produce(channel, payload));
        }

        @Override
        public Consumer subscribe(String channel, String subscription, StartPosition start) {
            return new Consuming(wal.subscribe(channel, subscription, start), meter);
        }

        @Override
        public void deleteSubscription(String channel, String subscription) {
            wal.deleteSubscription(channel, subscription);
        }

        @Override
        public int compare(WalPosition a, WalPosition b) {
            return wal.compare(a, b);
        }

        @Override
        public List<String> channels() {
            return wal.channels();
        }

        @Override
        public void close() {
            wal.close();
        }
    }

    private record Consuming(Wal.Consumer consumer, OpMeter meter) implements Wal.Consumer {
        @Override
        public Wal.WalMessage poll(Duration timeout) {
            Wal.WalMessage m = consumer.poll(timeout);
            if (m != null) {
                meter.counted(OpType.CONSUME, true);
            }
            return m;
        }

        @Override
        public List<Wal.WalMessage> pollBatch(int max, Duration timeout) {
            List<Wal.WalMessage> batch = consumer.pollBatch(max, timeout);
            if (!batch.isEmpty()) {
                meter.counted(OpType.CONSUME, true);
            }
            return batch;
        }

        @Override
        public Optional<WalPosition> lastPosition() {
            return consumer.lastPosition();
        }

        @Override
        public void seek(Wal.StartPosition start) {
            consumer.seek(start);
        }

        @Override
        public void acknowledge(WalPosition position) {
            consumer.acknowledge(position);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
