package io.quiver.proxy;

import io.quiver.proto.ShardLeader;
import io.quiver.proto.ShardLeadersResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Picks which replica's shard leader serves a shard request (DESIGN section 11, the seeds' load-balancing
 * policies): least outstanding requests (default), round robin, weighted round robin (weights by node id, e.g.
 * for bigger machines) or consistent hashing on a request key (the same key goes to the same replica, for cache
 * locality). The order it returns is the retry order: a replica that failed is marked bad for a short while and
 * goes last.
 */
public final class ReplicaSelector {
    public enum Policy { LEAST_OUTSTANDING, ROUND_ROBIN, WEIGHTED_ROUND_ROBIN, CONSISTENT_HASHING }

    static final long BAD_FOR_MS = 2000;
    private final Policy policy;
    private final Map<Long, Integer> weights;
    private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final Map<String, Long> badUntil = new ConcurrentHashMap<>();
    private final AtomicLong rr = new AtomicLong();

    public ReplicaSelector(Policy policy, Map<Long, Integer> weights) {
        this.policy = policy;
        this.weights = Map.copyOf(weights);
    }

    public static Policy parse(String s) {
        return switch (s.trim().toLowerCase().replace('-', '_')) {
            case "round_robin" -> Policy.ROUND_ROBIN;
            case "weighted_round_robin", "weighted" -> Policy.WEIGHTED_ROUND_ROBIN;
            case "consistent_hashing", "consistent_hash" -> Policy.CONSISTENT_HASHING;
            case "least_outstanding", "least_outstanding_requests", "" -> Policy.LEAST_OUTSTANDING;
            default -> throw new IllegalArgumentException("unknown replica selection policy '" + s
                    + "' (least_outstanding, round_robin, weighted_round_robin, consistent_hashing)");
        };
    }

    /** The leaders of a vchannel (one per replica) in the order to try them. */
    public List<ShardLeader> order(ShardLeadersResponse leaders, String vchannel, String requestKey) {
        List<ShardLeader> all = new ArrayList<>(leaders.getLeadersList().stream().filter(l -> l.getVchannel().equals(vchannel)).toList());
        if (all.size() <= 1) {
            return all;
        }
        all.sort(Comparator.comparingLong(ShardLeader::getReplicaId));
        switch (policy) {
            case ROUND_ROBIN -> rotate(all, (int) (rr.getAndIncrement() % all.size()));
            case WEIGHTED_ROUND_ROBIN -> {
                int total = all.stream().mapToInt(l -> weights.getOrDefault(l.getNodeId(), 1)).sum();
                long ticket = rr.getAndIncrement() % Math.max(1, total);
                int at = 0;
                for (int i = 0; i < all.size(); i++) {
                    ticket -= weights.getOrDefault(all.get(i).getNodeId(), 1);
                    if (ticket < 0) {
                        at = i;
                        break;
                    }
                }
                rotate(all, at);
            }
            case CONSISTENT_HASHING -> rotate(all, Math.floorMod(requestKey == null ? 0 : requestKey.hashCode() * 0x9E3779B9, all.size()));
            case LEAST_OUTSTANDING -> all.sort(Comparator.comparingInt((ShardLeader l) -> inFlight(l.getAddress()))
                    .thenComparingLong(l -> rr.get() % 2 == 0 ? l.getReplicaId() : -l.getReplicaId()));
        }
        long now = System.currentTimeMillis();
        List<ShardLeader> healthy = new ArrayList<>();
        List<ShardLeader> bad = new ArrayList<>();
        for (ShardLeader l : all) {
            (badUntil.getOrDefault(l.getAddress(), 0L) > now ? bad : healthy).add(l);
        }
        healthy.addAll(bad);
        return healthy;
    }

    private static void rotate(List<ShardLeader> l, int by) {
        java.util.Collections.rotate(l, -by);
    }

    int inFlight(String address) {
        AtomicInteger a = outstanding.get(address);
        return a == null ? 0 : a.get();
    }

    void begin(String address) {
        outstanding.computeIfAbsent(address, k -> new AtomicInteger()).incrementAndGet();
        rr.incrementAndGet();
    }

    void end(String address) {
        outstanding.computeIfAbsent(address, k -> new AtomicInteger()).decrementAndGet();
    }

    void markBad(String address) {
        badUntil.put(address, System.currentTimeMillis() + BAD_FOR_MS);
    }
}
