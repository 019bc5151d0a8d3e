package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.IndexState;
import io.quiver.common.binlog.SegmentPaths;
import io.quiver.common.config.QuiverConfig.GcConfig;
import io.quiver.proto.Binlog;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentManifest;
import io.quiver.proto.SegmentState;
import io.quiver.storage.ObjectNotFoundException;
import io.quiver.storage.ObjectStore;
import io.quiver.storage.ObjectStore.ObjectInfo;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes object-store files and meta records nothing needs any more (docs/architecture.md, "Compaction, TTL
 * and garbage collection"). One {@link #runOnce()} per {@code dataCoord.gc.interval}, in three passes:
 * <ol>
 *   <li>Dropped segments, {@code dropTolerance} after the drop, not held by any querynode, and whose compaction
 *       result (if any) is handed off: every file under their prefixes and named by their manifest, then their
 *       meta record.</li>
 *   <li>Index builds of segments that are gone and of dropped indexes (unless the segment is held by a
 *       querynode): the files under {@code index_files/<buildId>/}, then the build record.</li>
 *   <li>Orphans: objects under the data prefixes that no live segment's current manifest and no index build
 *       names, that belong to no segment in use and to no Dropped segment still waiting for pass 1, and that
 *       are older than {@code missingTolerance} (superseded manifests, uploads of a crashed sync).</li>
 * </ol>
 * Safety over progress: if the querynodes' distributions or a live segment's manifest cannot be read, the
 * round deletes nothing. A file named by the current manifest of a live segment is never deleted.
 */
@ThreadSafe
public final class GarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
    private static final List<String> DATA_PREFIXES = List.of(SegmentPaths.INSERT_LOG, SegmentPaths.STATS_LOG,
            SegmentPaths.DELTA_LOG, SegmentPaths.MANIFEST, SegmentPaths.INDEX_FILES);
    /** Partition under which L0 segments (partition -1 in meta) file their objects (datanode ChannelWriter). */
    private static final long L0_PATH_PARTITION = 0;

    /** What the collector needs from the rest of datacoord (implemented over SegmentManager and querycoord). */
    public interface Port {
        /** Every segment record in meta, Dropped ones included, of every collection (dropped collections too). */
        List<SegmentInfo> segments();

        /**
         * The union of the segment ids in every querynode's distribution (sealed and growing, loading included).
         * Must throw if any querynode (or querycoord) cannot be asked: the round is then skipped.
         */
        Set<Long> inUseSegmentIds();

        /** True when this live segment is flushed and servable, i.e. recovery info shows it instead of its inputs. */
        boolean isHandedOff(long segmentId);

        /** Removes the meta record of a Dropped segment; no-op if it is gone or no longer Dropped. */
        void removeSegment(long segmentId);
    }

    /** What one round removed (or why it was skipped). */
    public record RoundReport(String skipped, int segments, long segmentFiles, long segmentBytes, int indexBuilds,
                              long indexFiles, long indexBytes, long orphanFiles, long orphanBytes) {
        static RoundReport skip(String reason) {
            return new RoundReport(reason, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        public boolean wasSkipped() {
            return !skipped.isEmpty();
        }

        public long files() {
            return segmentFiles + indexFiles + orphanFiles;
        }

        public long bytes() {
            return segmentBytes + indexBytes + orphanBytes;
        }
    }

    private final Port port;
    private final IndexManager indexes;
    private final ObjectStore store;
    private final InstantSource clock;
    private final GcConfig config;
    @GuardedBy("this") private Map<String, SegmentManifest> manifestCache = new HashMap<>();
    private final AtomicLong removedSegments = new AtomicLong();
    private final AtomicLong removedIndexBuilds = new AtomicLong();
    private final AtomicLong removedFiles = new AtomicLong();
    private final AtomicLong removedBytes = new AtomicLong();
    private final AtomicLong skippedRounds = new AtomicLong();

    public GarbageCollector(Port port, IndexManager indexes, ObjectStore store, InstantSource clock, GcConfig config) {
        this.port = requireNonNull(port, "port is null");
        this.indexes = requireNonNull(indexes, "indexes is null");
        this.store = requireNonNull(store, "store is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.config = requireNonNull(config, "config is null");
    }

    /** Files and bytes deleted in one pass. */
    private static final class Tally {
        long files;
        long bytes;

        void add(ObjectInfo o) {
            files++;
            bytes += o.size();
        }
    }

    /** One round; never throws for a storage or peer failure (the round is reported as skipped). */
    public synchronized RoundReport runOnce() {
        if (!config.enabled()) {
            return RoundReport.skip("disabled");
        }
        RoundReport r;
        try {
            r = round();
        } catch (RuntimeException e) {
            r = RoundReport.skip(e.toString());
        }
        if (r.wasSkipped()) {
            skippedRounds.incrementAndGet();
            LOG.warn("gc round skipped reason=\"{}\"", r.skipped());
        } else {
            removedSegments.addAndGet(r.segments());
            removedIndexBuilds.addAndGet(r.indexBuilds());
            removedFiles.addAndGet(r.files());
            removedBytes.addAndGet(r.bytes());
            LOG.info("gc round segments={} segmentFiles={} segmentBytes={} indexBuilds={} indexFiles={} indexBytes={} "
                    + "orphanFiles={} orphanBytes={}", r.segments(), r.segmentFiles(), r.segmentBytes(), r.indexBuilds(),
                    r.indexFiles(), r.indexBytes(), r.orphanFiles(), r.orphanBytes());
        }
        return r;
    }

    @GuardedBy("this")
    private RoundReport round() {
        long now = clock.millis();
        // builds before segments: a build names a segment that existed when the build was planned, so a build of
        // this snapshot whose segment is missing from the later segment snapshot is truly gone
        List<SegmentIndex> builds = indexes.allBuilds();
        List<SegmentInfo> all = port.segments();
        Set<Long> inUse;
        try {
            inUse = Set.copyOf(port.inUseSegmentIds());
        } catch (RuntimeException e) {
            return RoundReport.skip("segments in use unknown: " + e);
        }
        Map<String, SegmentManifest> cache = new HashMap<>();
        Set<String> liveRefs = new HashSet<>();   // current manifests of live segments and every file they name
        Set<String> droppedRefs = new HashSet<>(); // the same for Dropped segments not yet collected
        for (SegmentInfo s : all) {
            boolean dropped = s.getState() == SegmentState.DROPPED;
            Optional<SegmentManifest> m = manifest(s, cache, !dropped); // a live manifest that cannot be read throws
            Set<String> refs = dropped ? droppedRefs : liveRefs;
            if (!s.getManifestPath().isEmpty()) {
                refs.add(s.getManifestPath());
            }
            m.ifPresent(x -> addFiles(x, refs));
        }
        manifestCache = cache; // keeps only manifests still current: the cache is bounded by the live segments
        Map<Long, SegmentInfo> byId = new HashMap<>();
        all.forEach(s -> byId.put(s.getSegmentId(), s));

        Tally seg = new Tally();
        List<Long> collected = all.stream().filter(s -> collectable(s, byId, inUse, now))
                .filter(s -> deleteSegmentFiles(s, cache, liveRefs, seg)).map(SegmentInfo::getSegmentId).toList();
        for (long id : collected) {
            SegmentInfo s = byId.remove(id);
            port.removeSegment(id);
            LOG.info("gc segment removed segmentId={} collectionId={} compactedTo={}", id, s.getCollectionId(), s.getCompactedTo());
        }
        Tally idx = new Tally();
        Map<String, Long> indexRefs = new HashMap<>();
        Set<Long> activeBuilds = new HashSet<>();
        int removedBuilds = collectBuilds(builds, byId, inUse, liveRefs, indexRefs, activeBuilds, idx);

        Tally orphans = new Tally();
        long cutoff = now - config.missingTolerance().toMillis();
        for (String prefix : DATA_PREFIXES) {
            for (ObjectInfo o : store.list(prefix)) {
                if (o.lastModifiedMillis() > cutoff || liveRefs.contains(o.key()) || droppedRefs.contains(o.key())
                        || indexRefs.containsKey(o.key()) || owned(o.key(), byId, inUse, activeBuilds)) {
                    continue;
                }
                store.delete(o.key());
                orphans.add(o);
                LOG.debug("gc orphan removed key={} size={}", o.key(), o.size());
            }
        }
        return new RoundReport("", collected.size(), seg.files, seg.bytes, removedBuilds, idx.files, idx.bytes,
                orphans.files, orphans.bytes);
    }

    /**
     * Pass 2: builds of segments that are gone ({@code byId} no longer has them) or of dropped indexes, unless a
     * querynode holds the segment. Fills {@code indexRefs} (file -> build) and {@code activeBuilds} with what stays.
     */
    private int collectBuilds(List<SegmentIndex> builds, Map<Long, SegmentInfo> byId, Set<Long> inUse, Set<String> liveRefs,
                              Map<String, Long> indexRefs, Set<Long> activeBuilds, Tally t) {
        builds.forEach(b -> b.getIndexFilesList().forEach(f -> indexRefs.put(f, b.getBuildId())));
        int removed = 0;
        for (SegmentIndex b : builds) {
            boolean garbage = !byId.containsKey(b.getSegmentId()) || indexes.isDropped(b.getIndexId());
            if (garbage && !inUse.contains(b.getSegmentId())) {
                deleteBuildFiles(b, liveRefs, indexRefs, t);
                indexes.removeBuild(b.getBuildId());
                b.getIndexFilesList().forEach(indexRefs::remove);
                removed++;
            } else if (b.getState() == IndexState.Unissued || b.getState() == IndexState.InProgress) {
                activeBuilds.add(b.getBuildId()); // an indexnode may be writing under index_files/<buildId>/ now
            }
        }
        indexes.purgeDroppedIndexes();
        return removed;
    }

    /** Dropped long enough, held by no querynode, and replaced (if compacted) by a segment that is handed off. */
    private boolean collectable(SegmentInfo s, Map<Long, SegmentInfo> byId, Set<Long> inUse, long now) {
        if (s.getState() != SegmentState.DROPPED || inUse.contains(s.getSegmentId())) {
            return false;
        }
        if (s.getDroppedMs() + config.dropTolerance().toMillis() > now) {
            return false;
        }
        // follow the lineage through results that were themselves compacted again, up to a live segment
        Set<Long> seen = new HashSet<>();
        long next = s.getCompactedTo();
        while (next != 0 && seen.add(next)) {
            SegmentInfo r = byId.get(next);
            if (r == null) {
                return true; // collected already, which needed its own replacement handed off
            }
            if (r.getState() != SegmentState.DROPPED) {
                return port.isHandedOff(next);
            }
            next = r.getCompactedTo(); // 0: dropped with its collection or partition, nothing to hand off
        }
        return next == 0;
    }

    /** Deletes every file of a Dropped segment not named by a live manifest; false if a storage call failed. */
    private boolean deleteSegmentFiles(SegmentInfo s, Map<String, SegmentManifest> cache, Set<String> liveRefs, Tally t) {
        try {
            Set<String> keys = new HashSet<>();
            Map<String, Long> sizes = new HashMap<>();
            Set<Long> parts = new HashSet<>(List.of(Math.max(0, s.getPartitionId())));
            if (s.getLevel() == SegmentLevel.L0) {
                parts.add(L0_PATH_PARTITION);
            }
            for (long part : parts) {
                for (String prefix : SegmentPaths.segmentPrefixes(s.getCollectionId(), part, s.getSegmentId())) {
                    for (ObjectInfo o : store.list(prefix)) {
                        keys.add(o.key());
                        sizes.put(o.key(), o.size());
                    }
                }
            }
            Optional<SegmentManifest> m = manifest(s, cache, false);
            m.ifPresent(x -> addFiles(x, keys)); // files the manifest names outside the segment's own prefixes
            for (String key : keys) {
                if (liveRefs.contains(key)) {
                    LOG.warn("gc kept a file of dropped segment {} that a live manifest names: {}", s.getSegmentId(), key);
                    continue;
                }
                Long size = sizes.get(key);
                if (size == null) {
                    Optional<ObjectInfo> st = store.stat(key);
                    if (st.isEmpty()) {
                        continue;
                    }
                    size = st.get().size();
                }
                store.delete(key);
                t.add(new ObjectInfo(key, size, 0));
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warn("gc could not delete files of segmentId={}, kept for the next round: {}", s.getSegmentId(), e.toString());
            return false;
        }
    }

    private void deleteBuildFiles(SegmentIndex b, Set<String> liveRefs, Map<String, Long> indexRefs, Tally t) {
        Map<String, Long> files = new HashMap<>();
        for (ObjectInfo o : store.list(SegmentPaths.INDEX_FILES + b.getBuildId() + "/")) {
            files.put(o.key(), o.size());
        }
        for (String f : b.getIndexFilesList()) {
            if (!files.containsKey(f)) {
                store.stat(f).ifPresent(o -> files.put(f, o.size()));
            }
        }
        files.forEach((key, size) -> {
            Long owner = indexRefs.get(key);
            if (liveRefs.contains(key) || (owner != null && owner != b.getBuildId())) {
                return; // never shared today; guarded anyway
            }
            store.delete(key);
            t.add(new ObjectInfo(key, size, 0));
        });
        LOG.info("gc index build removed buildId={} segmentId={} indexId={} files={}", b.getBuildId(), b.getSegmentId(),
                b.getIndexId(), files.size());
    }

    /**
     * True when the key belongs to something that keeps its files: a segment in use, a Dropped segment still
     * waiting for pass 1, or an index build still running. Keys are {@code <kind>/<coll>/<part>/<seg>/...} and
     * {@code index_files/<buildId>/<version>/<part>/<seg>/<file>}.
     */
    private static boolean owned(String key, Map<Long, SegmentInfo> byId, Set<Long> inUse, Set<Long> activeBuilds) {
        String[] p = key.substring(SegmentPaths.ROOT.length()).split("/");
        boolean index = key.startsWith(SegmentPaths.INDEX_FILES);
        long seg = id(p, index ? 4 : 3);
        if (index && activeBuilds.contains(id(p, 1))) {
            return true;
        }
        if (seg < 0) {
            return false; // not a key we write: nothing owns it
        }
        SegmentInfo s = byId.get(seg);
        return inUse.contains(seg) || (s != null && s.getState() == SegmentState.DROPPED);
    }

    private static long id(String[] parts, int i) {
        if (i >= parts.length) {
            return -1;
        }
        try {
            return Long.parseLong(parts[i]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void addFiles(SegmentManifest m, Set<String> out) {
        for (FieldBinlog fb : m.getBinlogsList()) {
            fb.getBinlogsList().forEach(b -> out.add(b.getPath()));
        }
        for (FieldBinlog fb : m.getStatslogsList()) {
            fb.getBinlogsList().forEach(b -> out.add(b.getPath()));
        }
        m.getDeltalogsList().stream().map(Binlog::getPath).forEach(out::add);
    }

    /**
     * The segment's current manifest, from the cache (paths are immutable) or the store. For a live segment
     * ({@code required}) a missing or unreadable manifest throws, which skips the round: its files are unknown.
     */
    @GuardedBy("this")
    private Optional<SegmentManifest> manifest(SegmentInfo s, Map<String, SegmentManifest> cache, boolean required) {
        String path = s.getManifestPath();
        if (path.isEmpty()) {
            return Optional.empty();
        }
        SegmentManifest m = cache.get(path);
        if (m == null) {
            m = manifestCache.get(path);
        }
        if (m == null) {
            try {
                m = SegmentManifest.parseFrom(store.get(path));
            } catch (ObjectNotFoundException | InvalidProtocolBufferException e) {
                if (required) {
                    throw new IllegalStateException("manifest of live segment " + s.getSegmentId() + " unreadable: " + path, e);
                }
                return Optional.empty();
            }
        }
        cache.put(path, m);
        return Optional.of(m);
    }

    public long removedSegmentsTotal() {
        return removedSegments.get();
    }

    public long removedIndexBuildsTotal() {
        return removedIndexBuilds.get();
    }

    public long removedFilesTotal() {
        return removedFiles.get();
    }

    public long removedBytesTotal() {
        return removedBytes.get();
    }

    public long skippedRoundsTotal() {
        return skippedRounds.get();
    }
}
