package io.quiver.querycoord;

import io.quiver.proto.VchannelRecoveryInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shard leaders of one replica (Milvus ChannelChecker + LeaderChecker): a leader per vchannel on one of the replica's
 * nodes; leader balance, one handoff per replica at a time (the new leader warms up while the old one serves, the
 * switch, the old one released after a grace period for the proxies' caches); release of second watchers.
 * Pure: every method returns what it decided and the actions it plans.
 */
final class LeaderChecker {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderChecker.class);
    private final long releaseGraceMs;

    LeaderChecker(long releaseGraceMs) {
        this.releaseGraceMs = releaseGraceMs;
    }

    /**
     * The shards of a replica after this checker: who leads each, who watches each (planned watches included), the
     * handoffs in progress, the channels each node of the round watches, progress and planned actions.
     */
    record Leaders(Map<String, Long> leaderOf, Map<String, List<Long>> watchers, Map<String, LeaderMove> moves,
                   Map<Long, Integer> channelsOnNode, int done, String reason, List<Action> actions) {}

    /**
     * A leader for every vchannel: the current one, the target of a handoff once it is serviceable, or a new one on
     * the node leading the fewest shards of this collection in the replica, then the fewest channels overall.
     *
     * @param current        vchannel -> the leader of the previous round
     * @param moves          vchannel -> the handoff in progress
     * @param channelsOnNode channels each node leads over all collections (shared by the collections of a round)
     */
    Leaders check(ReplicaView view, CollectionTarget target, Map<String, Long> current, Map<String, LeaderMove> moves,
                  Map<Long, Integer> channelsOnNode, long nowMs) {
        Map<String, Long> leaderOf = new HashMap<>();
        Map<String, List<Long>> watchers = copy(view.channelHolders());
        Map<String, LeaderMove> mv = new HashMap<>(moves);
        Map<Long, Integer> channels = new HashMap<>(channelsOnNode);
        List<Action> actions = new ArrayList<>();
        int done = 0;
        String reason = "";
        for (VchannelRecoveryInfo ch : target.channels()) {
            String v = ch.getVchannel();
            List<Long> hs = watchers.getOrDefault(v, List.of());
            LeaderMove m = mv.get(v);
            if (m != null && !hs.contains(m.to())) {
                mv.remove(v); // the handoff target left the replica or lost the channel: forget the handoff
                LOG.info("shard leader handoff abandoned vchannel={} replica={} from={} to={}", v, view.replicaId(), m.from(), m.to());
                m = null;
            }
            Long leader;
            if (m != null) {
                if (m.switchedAtMs() == 0 && view.serviceableOn(v, m.to())) {
                    m = new LeaderMove(m.from(), m.to(), nowMs);
                    mv.put(v, m);
                    LOG.info("shard leader handoff switched vchannel={} replica={} from={} to={}", v, view.replicaId(), m.from(), m.to());
                }
                leader = m.switchedAtMs() != 0 || !hs.contains(m.from()) ? m.to() : m.from();
            } else {
                Long cur = current.get(v);
                leader = cur != null && hs.contains(cur) ? cur
                        : hs.stream().filter(n -> view.serviceableOn(v, n)).findFirst().orElse(hs.isEmpty() ? null : hs.get(0));
            }
            if (leader != null) {
                leaderOf.put(v, leader);
                if (view.serviceableOn(v, leader)) {
                    done++;
                } else {
                    reason = "shard leader of " + v + " is catching up with the WAL";
                }
                continue;
            }
            Map<Long, Integer> led = ledPerNode(view.members(), leaderOf);
            long node = view.members().stream().min(Comparator.comparingInt((Long n) -> led.get(n))
                    .thenComparingInt((Long n) -> channels.getOrDefault(n, 0)).thenComparingLong(n -> n)).orElseThrow();
            actions.add(new Action.WatchChannel(new ShardNode(view.collectionId(), v, node), view.replicaId(), target, ch));
            channels.merge(node, 1, Integer::sum);
            watchers.computeIfAbsent(v, k -> new ArrayList<>()).add(node);
            leaderOf.put(v, node);
            reason = "shard leader of " + v + " starting on querynode " + node;
            LOG.info("shard leader assigned vchannel={} replica={} node={}", v, view.replicaId(), node);
        }
        return new Leaders(leaderOf, watchers, mv, channels, done, reason, actions);
    }

    /**
     * Leader balance: one handoff at a time per replica, from a node leading more of this collection's shards to one
     * leading fewer, when they differ by two, or by one while the nodes' channels of every collection differ by two
     * (both strictly even things out, so moves end). The caller runs it only once the replica is fully placed.
     */
    Leaders balance(ReplicaView view, CollectionTarget target, Leaders in) {
        if (view.members().size() < 2 || !in.moves().isEmpty()) {
            return in;
        }
        Map<Long, Integer> channels = in.channelsOnNode();
        Map<Long, Integer> led = ledPerNode(view.members(), in.leaderOf());
        long to = view.members().stream().min(Comparator.comparingInt((Long n) -> led.get(n))
                .thenComparingInt((Long n) -> channels.getOrDefault(n, 0)).thenComparingLong(n -> n)).orElseThrow();
        VchannelRecoveryInfo move = null;
        long from = -1;
        for (VchannelRecoveryInfo ch : target.channels()) {
            Long l = in.leaderOf().get(ch.getVchannel());
            if (l == null || l == to || in.watchers().getOrDefault(ch.getVchannel(), List.of()).size() != 1) {
                continue;
            }
            int collDiff = led.get(l) - led.get(to);
            boolean worth = collDiff >= 2 || collDiff == 1 && channels.getOrDefault(l, 0) - channels.getOrDefault(to, 0) >= 2;
            if (worth && (move == null || led.get(l) > led.get(from))) {
                move = ch;
                from = l;
            }
        }
        if (move == null) {
            return in;
        }
        String v = move.getVchannel();
        LOG.info("balance: shard leader of {} moving from querynode {} to {} (leads {} vs {} of the collection, {} vs {} channels in all)",
                v, from, to, led.get(from), led.get(to), channels.getOrDefault(from, 0), channels.getOrDefault(to, 0));
        Map<String, List<Long>> watchers = copy(in.watchers());
        watchers.computeIfAbsent(v, k -> new ArrayList<>()).add(to);
        Map<String, LeaderMove> moves = new HashMap<>(in.moves());
        moves.put(v, new LeaderMove(from, to, 0));
        Map<Long, Integer> ch = new HashMap<>(channels);
        ch.merge(to, 1, Integer::sum);
        ch.merge(from, -1, Integer::sum);
        List<Action> actions = new ArrayList<>(in.actions());
        actions.add(new Action.WatchChannel(new ShardNode(view.collectionId(), v, to), view.replicaId(), target, move));
        return new Leaders(in.leaderOf(), watchers, moves, ch, in.done(), in.reason(), actions);
    }

    /** What {@link #release} decided: unwatches, and the handoffs left in progress. */
    record Release(List<Action> actions, Map<String, LeaderMove> moves) {}

    /**
     * Second watchers of a shard inside the replica are released: an old leader once its grace period after the
     * switch is over, any other one (a handoff abandoned, a leftover) once the leader serves.
     */
    Release release(ReplicaView view, CollectionTarget target, Leaders in, long nowMs) {
        List<Action> actions = new ArrayList<>();
        Map<String, LeaderMove> moves = new HashMap<>(in.moves());
        for (VchannelRecoveryInfo ch : target.channels()) {
            String v = ch.getVchannel();
            Long leader = in.leaderOf().get(v);
            if (leader == null || !view.serviceableOn(v, leader)) {
                continue;
            }
            LeaderMove mv = moves.get(v);
            for (long h : in.watchers().getOrDefault(v, List.of())) {
                if (h == leader || mv != null && h == mv.to()) {
                    continue;
                }
                if (mv != null && h == mv.from() && nowMs - mv.switchedAtMs() < releaseGraceMs) {
                    continue;
                }
                actions.add(new Action.UnwatchChannel(new ShardNode(view.collectionId(), v, h)));
                LOG.info("shard leader released vchannel={} replica={} node={} (led by {})", v, view.replicaId(), h, leader);
            }
            if (mv != null && mv.switchedAtMs() != 0 && nowMs - mv.switchedAtMs() >= releaseGraceMs) {
                moves.remove(v);
                LOG.info("shard leader handoff finished vchannel={} replica={} from={} to={}", v, view.replicaId(), mv.from(), mv.to());
            }
        }
        return new Release(actions, moves);
    }

    /** How many of the shards in {@code leaderOf} each member leads. */
    private static Map<Long, Integer> ledPerNode(List<Long> members, Map<String, Long> leaderOf) {
        Map<Long, Integer> led = new HashMap<>();
        members.forEach(n -> led.put(n, 0));
        leaderOf.values().forEach(n -> led.computeIfPresent(n, (k, x) -> x + 1));
        return led;
    }

    private static Map<String, List<Long>> copy(Map<String, List<Long>> m) {
        Map<String, List<Long>> c = new HashMap<>();
        m.forEach((k, v) -> c.put(k, new ArrayList<>(v)));
        return c;
    }
}
