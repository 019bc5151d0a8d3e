package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import io.quiver.common.config.QuiverConfig.CompactionConfig;
import io.quiver.proto.ChannelCheckpoint;
import io.quiver.proto.CompactionType;
import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Decides which compactions to run (issue 10; docs/architecture.md "Compaction, TTL and garbage collection"):
 * a pure function of one collection's segment records and channel checkpoints, so every rule is unit-tested
 * without a cluster. {@link CompactionManager} turns the planned compactions into datanode plans.
 *
 * <p>L0 (per vchannel): the L0 segments whose deletes all lie at or below the channel's safe bound are applied to
 * every flushed L1 segment of the channel. The bound is the channel checkpoint's time tick (rows not yet synced lie
 * after the checkpoint, so their timestamps are above its tick, and unflushed segments already hold the deletes
 * that hide their synced rows in their own deltalogs), lowered below the first delete of every L0 segment left
 * out, so that the new delete floor is exact. Channels with a mix compaction running, or
 * with a compaction result not yet handed off to the read path, wait.
 *
 * <p>Mix (per partition and vchannel): segments whose deleted ratio or estimated expired ratio (TTL) passes the
 * threshold are rewritten, and small segments are merged, bin-packed by live rows into groups of at most the
 * maximum rows; a manual compaction packs every servable flushed segment. Channels with an L0 compaction running
 * wait, no segment is in two compactions, and a compaction result joins another compaction only once it is handed off
 * (servable), so chains never reach back to inputs that are still served.
 */
final class CompactionPlanner {
    /** How a round was started. */
    enum Trigger { AUTO, MANUAL }

    /** One collection as the planner sees it: segments (all states) and the checkpoints of its channels. */
    record CollectionView(long collectionId, List<String> vchannels, long maxRows, long expireTs, List<SegmentInfo> segments,
                          Map<String, ChannelCheckpoint> checkpoints) {}

    /** What already runs: no second compaction may touch these. */
    /**
     * What running compactions hold, and ({@code deferred}, filled by the planner) the shards where a manual mix plan
     * left a lone segment alone because a compaction result there is not servable yet.
     */
    record Busy(Set<String> l0Channels, Set<String> channels, Set<Long> segments, Set<Shard> deferred) {
        static Busy none() {
            return new Busy(new HashSet<>(), new HashSet<>(), new HashSet<>(), new HashSet<>());
        }
    }

    /** A partition's part of a vchannel: the unit mix compaction merges within. */
    record Shard(long partitionId, String vchannel) {}

    /** A compaction to run. For L0, {@code inputs} are the targets and {@code deleteFloor} the bound to apply and record. */
    record Planned(CompactionType type, long collectionId, long partitionId, String vchannel, List<SegmentInfo> inputs,
                   List<SegmentInfo> l0, long deleteFloor) {}

    private final CompactionConfig config;

    CompactionPlanner(CompactionConfig config) {
        this.config = requireNonNull(config, "config is null");
    }

    /** Plans L0 compactions first (they unblock the delete buffers), then mix; updates {@code busy} with what it plans. */
    List<Planned> plan(CollectionView view, Busy busy, Predicate<SegmentInfo> servable, long nowMs, Trigger trigger) {
        return plan(view, busy, servable, nowMs, trigger, true);
    }

    /** As {@link #plan(CollectionView, Busy, Predicate, long, Trigger)}; without L0 when {@code withL0} is false. */
    List<Planned> plan(CollectionView view, Busy busy, Predicate<SegmentInfo> servable, long nowMs, Trigger trigger, boolean withL0) {
        List<Planned> out = new ArrayList<>();
        for (String ch : withL0 ? view.vchannels() : List.<String>of()) {
            Planned p = planL0(view, ch, busy, servable, nowMs, trigger);
            if (p != null) {
                out.add(p);
                busy.l0Channels().add(ch);
                busy.channels().add(ch);
            }
        }
        out.addAll(planMix(view, busy, servable, trigger));
        return out;
    }

    Planned planL0(CollectionView view, String ch, Busy busy, Predicate<SegmentInfo> servable, long nowMs, Trigger trigger) {
        ChannelCheckpoint cp = view.checkpoints().get(ch);
        if (cp == null || busy.channels().contains(ch)) {
            return null;
        }
        List<SegmentInfo> l0 = new ArrayList<>();
        List<SegmentInfo> targets = new ArrayList<>();
        long bound = cp.getPosition().getTimestamp();
        for (SegmentInfo s : view.segments()) {
            if (!s.getVchannel().equals(ch)) {
                continue;
            }
            boolean flushed = s.getState() == SegmentState.FLUSHED;
            if (s.getLevel() == SegmentLevel.L0) {
                if (flushed) {
                    l0.add(s);
                }
            } else if (flushed) {
                if (s.getCompactedFromCount() > 0 && !servable.test(s)) {
                    return null; // a result not yet handed off: its inputs are still served from older manifests
                }
                targets.add(s);
            }
            // unflushed segments do not lower the bound: their datanode writes every delete that hides one of their rows
            // into their own deltalog in the same channel sync as the L0 segment holding it (GrowingDeletes)
        }
        if (l0.isEmpty()) {
            return null;
        }
        // the floor must be exact: below the first delete of every L0 segment left out (their deletes stay buffered)
        long floor = bound;
        while (true) {
            long next = bound;
            for (SegmentInfo s : l0) {
                if (s.getMaxTs() == 0 || s.getMaxTs() > floor) {
                    next = Math.min(next, s.getMinTs() == 0 ? 0 : s.getMinTs() - 1);
                }
            }
            if (next == floor) {
                break;
            }
            floor = next;
        }
        final long f = floor;
        List<SegmentInfo> chosen = l0.stream().filter(s -> s.getMaxTs() != 0 && s.getMaxTs() <= f).toList();
        if (chosen.isEmpty() || !(trigger == Trigger.MANUAL || l0Due(chosen, nowMs))) {
            return null;
        }
        return new Planned(CompactionType.L0_COMPACTION, view.collectionId(), -1, ch, targets, chosen, floor);
    }

    private boolean l0Due(List<SegmentInfo> l0, long nowMs) {
        long bytes = 0;
        long oldest = Long.MAX_VALUE;
        for (SegmentInfo s : l0) {
            bytes += s.getSizeBytes();
            oldest = Math.min(oldest, s.getCreatedMs());
        }
        return bytes >= config.l0MinBytes() || l0.size() >= config.l0MinSegments() || nowMs - oldest >= config.l0MaxAge().toMillis();
    }

    List<Planned> planMix(CollectionView view, Busy busy, Predicate<SegmentInfo> servable, Trigger trigger) {
        Map<Shard, List<SegmentInfo>> byShard = new LinkedHashMap<>();
        Set<Shard> waiting = new HashSet<>();
        for (SegmentInfo s : view.segments()) {
            if (s.getLevel() != SegmentLevel.L1 || s.getState() != SegmentState.FLUSHED || busy.l0Channels().contains(s.getVchannel())
                    || busy.segments().contains(s.getSegmentId())) {
                continue;
            }
            if (s.getCompactedFromCount() > 0 && !servable.test(s)) {
                waiting.add(new Shard(s.getPartitionId(), s.getVchannel()));
                continue;
            }
            byShard.computeIfAbsent(new Shard(s.getPartitionId(), s.getVchannel()), k -> new ArrayList<>()).add(s);
        }
        List<Planned> out = new ArrayList<>();
        byShard.forEach((shard, segs) -> {
            List<SegmentInfo> wanted = new ArrayList<>();
            Set<Long> needsRewrite = new HashSet<>();
            for (SegmentInfo s : segs) {
                boolean rewrite = deletedRatio(s) >= config.deletedRatioThreshold() && s.getDeletedRows() > 0
                        || expiredRatio(s, view.expireTs()) >= config.deletedRatioThreshold();
                boolean small = liveRows(s) < config.smallProportion() * view.maxRows();
                if (trigger == Trigger.MANUAL || rewrite || small) {
                    wanted.add(s);
                }
                if (rewrite) {
                    needsRewrite.add(s.getSegmentId());
                }
            }
            // a manual compaction rewrites a lone segment (it may hold repeated keys) only when nothing else of the shard
            // waits to become servable: otherwise that rewrite would be an unservable result in turn, and two segments
            // could take turns for ever without merging; the shard is merged by a later call instead
            boolean manualRewrite = trigger == Trigger.MANUAL && !waiting.contains(shard);
            for (List<SegmentInfo> group : pack(wanted, view.maxRows())) {
                boolean needed = manualRewrite || group.stream().anyMatch(s -> needsRewrite.contains(s.getSegmentId()));
                boolean worth = group.size() >= 2 || needed;
                if (!worth && trigger == Trigger.MANUAL) {
                    busy.deferred().add(shard);
                }
                if (worth) {
                    out.add(new Planned(CompactionType.MIX_COMPACTION, view.collectionId(), shard.partitionId(), shard.vchannel(),
                            group, List.of(), 0));
                    group.forEach(s -> busy.segments().add(s.getSegmentId()));
                    busy.channels().add(shard.vchannel());
                }
            }
        });
        return out;
    }

    static long liveRows(SegmentInfo s) {
        return Math.max(0, s.getNumRows() - s.getDeletedRows());
    }

    static double deletedRatio(SegmentInfo s) {
        return s.getNumRows() == 0 ? 1.0 : (double) s.getDeletedRows() / s.getNumRows();
    }

    /** The share of a segment's rows older than {@code expireTs}, assuming row timestamps spread evenly over [min, max]. */
    static double expiredRatio(SegmentInfo s, long expireTs) {
        if (expireTs == 0 || s.getMinTs() == 0 || s.getMinTs() >= expireTs) {
            return 0;
        }
        if (s.getMaxTs() < expireTs) {
            return 1;
        }
        return (double) (expireTs - s.getMinTs()) / Math.max(1, s.getMaxTs() - s.getMinTs());
    }

    /** First-fit decreasing by live rows into groups of at most {@code maxRows} live rows (a larger segment stands alone). */
    static List<List<SegmentInfo>> pack(List<SegmentInfo> segments, long maxRows) {
        List<SegmentInfo> sorted = new ArrayList<>(segments);
        sorted.sort(Comparator.comparingLong(CompactionPlanner::liveRows).reversed().thenComparingLong(SegmentInfo::getSegmentId));
        List<List<SegmentInfo>> groups = new ArrayList<>();
        List<Long> sums = new ArrayList<>();
        for (SegmentInfo s : sorted) {
            long live = liveRows(s);
            int at = -1;
            for (int i = 0; i < groups.size(); i++) {
                if (sums.get(i) + live <= maxRows) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                groups.add(new ArrayList<>());
                sums.add(0L);
                at = groups.size() - 1;
            }
            groups.get(at).add(s);
            sums.set(at, sums.get(at) + live);
        }
        return groups;
    }
}
