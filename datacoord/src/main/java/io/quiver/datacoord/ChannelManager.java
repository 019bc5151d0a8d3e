package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.SessionInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import io.quiver.storage.MetaKv;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which datanode consumes which vchannel ({@code <root>/datacoord/channel/<vchannel>} = collection info and
 * owner). A vchannel whose datanode's session ended moves to the live datanode with the fewest channels; the
 * new owner resumes from the channel checkpoint and rebuilds the unflushed segments from the WAL.
 */
@ThreadSafe
public final class ChannelManager {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelManager.class);

    /** Starts/stops consumption of a vchannel on a datanode. */
    public interface Watcher {
        void watch(SessionInfo node, CollectionInfo collection, String vchannel);

        void unwatch(SessionInfo node, String vchannel);
    }

    private final MetaKv kv;
    private final String prefix;
    private final Watcher watcher;
    @GuardedBy("this") private final Map<String, CollectionInfo> channels = new HashMap<>();
    @GuardedBy("this") private final Map<String, Long> owners = new HashMap<>();
    @GuardedBy("this") private Map<Long, SessionInfo> liveNodes = Map.of();

    public ChannelManager(MetaKv kv, String root, Watcher watcher) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/datacoord/channel/";
        this.watcher = requireNonNull(watcher, "watcher is null");
        for (var e : kv.scan(prefix).kvs()) {
            try {
                CollectionInfo c = CollectionInfo.parseFrom(e.value());
                String ch = e.key().substring(prefix.length());
                channels.put(ch, c);
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException("corrupt channel record " + e.key(), ex);
            }
        }
    }

    public synchronized List<CollectionInfo> collections() {
        Map<Long, CollectionInfo> m = new HashMap<>();
        channels.values().forEach(c -> m.put(c.getCollectionId(), c));
        return List.copyOf(m.values());
    }

    public synchronized void addCollection(CollectionInfo c) {
        for (String ch : c.getVchannelsList()) {
            kv.put(prefix + ch, c.toByteArray());
            channels.put(ch, c);
        }
    }

    public void removeCollection(long collectionId) {
        List<Map.Entry<String, SessionInfo>> toUnwatch = new ArrayList<>();
        synchronized (this) {
            for (String ch : List.copyOf(channels.keySet())) {
                if (channels.get(ch).getCollectionId() == collectionId) {
                    kv.delete(prefix + ch);
                    channels.remove(ch);
                    Long owner = owners.remove(ch);
                    SessionInfo s = owner == null ? null : liveNodes.get(owner);
                    if (s != null) {
                        toUnwatch.add(Map.entry(ch, s));
                    }
                }
            }
        }
        for (var e : toUnwatch) {
            try {
                watcher.unwatch(e.getValue(), e.getKey());
            } catch (RuntimeException ex) {
                LOG.warn("unwatch failed vchannel={} node={}: {}", e.getKey(), e.getValue().getServerId(), ex.toString());
            }
        }
    }

    public synchronized void nodesChanged(List<SessionInfo> nodes) {
        liveNodes = nodes.stream().filter(n -> !n.getStopping()).collect(Collectors.toMap(SessionInfo::getServerId, n -> n, (a, b) -> a));
        owners.keySet().removeIf(ch -> !liveNodes.containsKey(owners.get(ch)));
    }

    public synchronized String ownerAddress(String vchannel) {
        Long o = owners.get(vchannel);
        SessionInfo s = o == null ? null : liveNodes.get(o);
        return s == null ? null : s.getAddress();
    }

    /** Assigns every unowned channel to a live datanode (called on changes and periodically). */
    public void reconcile() {
        List<Object[]> work = new ArrayList<>();
        synchronized (this) {
            if (liveNodes.isEmpty()) {
                return;
            }
            Map<Long, Integer> load = new HashMap<>();
            liveNodes.keySet().forEach(id -> load.put(id, 0));
            owners.values().forEach(id -> load.merge(id, 1, Integer::sum));
            for (String ch : channels.keySet().stream().sorted().toList()) {
                if (owners.containsKey(ch)) {
                    continue;
                }
                long node = load.entrySet().stream().min(Comparator.comparingInt((Map.Entry<Long, Integer> e) -> e.getValue())
                        .thenComparingLong(Map.Entry::getKey)).orElseThrow().getKey();
                work.add(new Object[] {liveNodes.get(node), channels.get(ch), ch});
                load.merge(node, 1, Integer::sum);
            }
        }
        for (Object[] w : work) {
            SessionInfo node = (SessionInfo) w[0];
            String ch = (String) w[2];
            try {
                watcher.watch(node, (CollectionInfo) w[1], ch);
                synchronized (this) {
                    if (channels.containsKey(ch)) {
                        owners.put(ch, node.getServerId());
                    }
                }
                LOG.info("vchannel assigned vchannel={} datanode={}", ch, node.getServerId());
            } catch (RuntimeException e) {
                LOG.warn("watch failed vchannel={} datanode={}: {}", ch, node.getServerId(), e.toString());
            }
        }
    }

    public synchronized Set<String> vchannels() {
        return Set.copyOf(channels.keySet());
    }
}
