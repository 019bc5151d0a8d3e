package io.quiver.datanode;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.util.Threads;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.SegmentInfo;
import io.quiver.storage.ObjectStore;
import io.quiver.storage.Wal;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The datanode's channels: one {@link ChannelWriter} thread per watched vchannel. */
public final class DataNode implements AutoCloseable {
    private final Wal wal;
    private final ObjectStore store;
    private final SyncTarget target;
    private final InstantSource clock;
    private final long syncBufferBytes;
    private final Duration syncPeriod;
    private final long nodeId;
    private final Map<String, ChannelWriter> channels = new ConcurrentHashMap<>();
    private final DataNodeMetrics metrics;
    private final ExecutorService threads = Executors.newCachedThreadPool(Threads.daemon("datanode-channel"));

    public DataNode(Wal wal, ObjectStore store, SyncTarget target, InstantSource clock, long syncBufferBytes, Duration syncPeriod, long nodeId,
                    DataNodeMetrics metrics) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.wal = requireNonNull(wal, "wal is null");
        this.store = requireNonNull(store, "store is null");
        this.target = requireNonNull(target, "target is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.syncBufferBytes = syncBufferBytes;
        this.syncPeriod = requireNonNull(syncPeriod, "syncPeriod is null");
        this.nodeId = nodeId;
    }

    /** Starts consuming a vchannel; watching one already watched is a no-op. */
    public synchronized void watch(CollectionInfo collection, String vchannel, MsgPosition seek, List<SegmentInfo> growing,
                                   List<SegmentInfo> recentL0) {
        if (channels.containsKey(vchannel)) {
            return;
        }
        ChannelWriter w = new ChannelWriter(collection, vchannel, seek, growing, recentL0, wal, store, target, clock, syncBufferBytes, syncPeriod, nodeId,
                metrics);
        channels.put(vchannel, w);
        threads.execute(w);
    }

    public synchronized void unwatch(String vchannel, boolean drop) {
        ChannelWriter w = channels.remove(vchannel);
        if (w != null) {
            w.stop(drop);
        }
    }

    public void flush(String vchannel, List<Long> segmentIds, long flushTs) {
        ChannelWriter w = channels.get(vchannel);
        if (w == null) {
            throw new QuiverException(ErrorCode.CHANNEL_NOT_AVAILABLE, "datanode " + nodeId + " does not watch " + vchannel);
        }
        w.requestFlush(segmentIds, flushTs);
    }

    public List<String> vchannels() {
        return List.copyOf(channels.keySet());
    }

    @Override
    public void close() {
        channels.values().forEach(w -> w.stop(false));
        threads.shutdown();
    }
}
