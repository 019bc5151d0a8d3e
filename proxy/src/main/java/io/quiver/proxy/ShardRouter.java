package io.quiver.proxy;

import static io.grpc.Status.Code.CANCELLED;
import static io.grpc.Status.Code.DEADLINE_EXCEEDED;
import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.StatusRuntimeException;
import io.milvus.grpc.Status;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.ShardLeader;
import io.quiver.proto.ShardLeadersResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.annotation.concurrent.ThreadSafe;

/**
 * Sends one read to every shard of a collection and returns the shards' answers (Milvus' proxy {@code lb_policy.go}:
 * per channel pick a replica's shard leader, retry another on failure, refresh the leader cache when all failed).
 *
 * <p>Per shard the {@link ReplicaSelector} orders the replicas' leaders; the first is called, and a leader that fails
 * with an availability error is marked bad and the next one tried, with exponential backoff (20-200 ms). When every
 * cached leader failed, the leaders are fetched again and, if they name other nodes, those are tried (a leader
 * released while this proxy still had it cached). Everything is bounded by the request deadline: the gRPC context's
 * deadline when it is sooner than the configured timeout. Shards are called in parallel on virtual threads inside
 * the caller's gRPC context (its deadline and cancellation carry through); a collection with one shard is called on
 * the caller's thread, which saves a thread and a future per request.
 */
@ThreadSafe
final class ShardRouter {
    /** How long a read waits for a load that is still placing shard leaders (Milvus retries "no shard leader"). */
    static final long LEADER_WAIT_MS = 10_000;
    private static final long FIRST_BACKOFF_MS = 20;
    private static final long MAX_BACKOFF_MS = 200;

    /** The shard leaders of a collection, cached; {@link #invalidate} forgets them. */
    interface LeaderSource {
        ShardLeadersResponse leaders(long collectionId);

        void invalidate(long collectionId);
    }

    /** One shard request to the leader at {@code address}. */
    @FunctionalInterface
    interface ShardCall<T> {
        T call(String address, String vchannel);
    }

    /** Waits between retries (tests pass one that only advances a fake clock). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final LeaderSource leaderSource;
    private final ReplicaSelector selector;
    private final Duration timeout;
    private final InstantSource clock;
    private final Sleeper sleeper;
    private final ExecutorService shardCalls = Executors.newVirtualThreadPerTaskExecutor();

    ShardRouter(LeaderSource leaderSource, ReplicaSelector selector, Duration timeout, InstantSource clock, Sleeper sleeper) {
        this.leaderSource = requireNonNull(leaderSource, "leaderSource is null");
        this.selector = requireNonNull(selector, "selector is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
    }

    /** The request's deadline on {@link #clock}: the configured timeout, or the caller's gRPC deadline if sooner. */
    private long deadlineMs(long budgetMs) {
        long budget = budgetMs;
        Deadline d = Context.current().getDeadline();
        if (d != null) {
            budget = Math.min(budget, d.timeRemaining(TimeUnit.MILLISECONDS));
        }
        return clock.millis() + budget;
    }

    /**
     * The shard leaders of a loaded collection. A load that is still placing leaders (a collection loaded a moment
     * ago, a leader moving) or a querycoord that does not know them yet (restarting, not registered, and no earlier
     * answer cached) is waited for, with backoff, up to {@link #LEADER_WAIT_MS} within the request deadline; a
     * collection that is not loaded fails at once.
     */
    ShardLeadersResponse leaders(CollectionInfo c) {
        long deadline = deadlineMs(Math.min(LEADER_WAIT_MS, timeout.toMillis()));
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            QuiverException notYet;
            try {
                ShardLeadersResponse r = leaderSource.leaders(c.getCollectionId());
                if (everyShardLed(c, r)) {
                    return r;
                }
                notYet = new QuiverException(ErrorCode.CHANNEL_NOT_AVAILABLE, "collection " + c.getName()
                        + " is still loading: not every shard has a leader yet");
            } catch (QuiverException e) {
                if (e.errorCode() == ErrorCode.COLLECTION_NOT_LOADED) {
                    throw new QuiverException(ErrorCode.COLLECTION_NOT_LOADED, "collection=" + c.getName() + ": load it before search or query");
                }
                if (e.errorCode() != ErrorCode.SERVICE_NOT_READY) {
                    throw e;
                }
                notYet = e; // querycoord restarting or not registered yet, and no earlier answer to serve: wait for it
            }
            leaderSource.invalidate(c.getCollectionId());
            if (clock.millis() + backoff > deadline || Context.current().isCancelled()) {
                throw notYet;
            }
            pause(backoff);
            backoff = Math.min(500, backoff * 2);
        }
    }

    private static boolean everyShardLed(CollectionInfo c, ShardLeadersResponse r) {
        Set<String> led = new HashSet<>();
        for (ShardLeader l : r.getLeadersList()) {
            led.add(l.getVchannel());
        }
        return led.containsAll(c.getVchannelsList());
    }

    private void pause(long millis) {
        try {
            sleeper.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuiverException(ErrorCode.CANCELED, "interrupted");
        }
    }

    /** Calls every shard of {@code c} (see the class comment); the answers in the collection's vchannel order. */
    <T> List<T> call(CollectionInfo c, ShardLeadersResponse leaders, ShardCall<T> call, Function<T, Status> statusOf) {
        long deadline = deadlineMs(timeout.toMillis());
        List<String> vchannels = c.getVchannelsList();
        List<List<ShardLeader>> candidates = new ArrayList<>(vchannels.size());
        for (String vchannel : vchannels) {
            List<ShardLeader> order = selector.order(leaders, vchannel, vchannel);
            if (order.isEmpty()) {
                leaderSource.invalidate(c.getCollectionId());
                throw new QuiverException(ErrorCode.CHANNEL_NOT_AVAILABLE, "no shard leader for " + vchannel + " yet: the collection is still loading");
            }
            candidates.add(order);
        }
        if (vchannels.size() == 1) {
            return List.of(callWithRefresh(c, vchannels.get(0), candidates.get(0), call, statusOf, deadline));
        }
        List<Future<T>> futures = new ArrayList<>(vchannels.size());
        for (int i = 0; i < vchannels.size(); i++) {
            String vchannel = vchannels.get(i);
            List<ShardLeader> order = candidates.get(i);
            futures.add(shardCalls.submit(Context.current().wrap(() -> callWithRefresh(c, vchannel, order, call, statusOf, deadline))));
        }
        return join(futures, deadline);
    }

    private <T> List<T> join(List<Future<T>> futures, long deadline) {
        List<T> out = new ArrayList<>(futures.size());
        for (Future<T> f : futures) {
            try {
                out.add(f.get(Math.max(0, deadline - clock.millis()), TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new QuiverException(ErrorCode.CANCELED, "interrupted");
            } catch (TimeoutException e) {
                futures.forEach(x -> x.cancel(true));
                throw new QuiverException(ErrorCode.TIMEOUT, "shards did not answer in " + timeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                futures.forEach(x -> x.cancel(true));
                if (e.getCause() instanceof QuiverException q) {
                    throw q;
                }
                throw new QuiverException(ErrorCode.NODE_NOT_AVAILABLE, String.valueOf(e.getCause()), e.getCause());
            }
        }
        return out;
    }

    static boolean failoverWorthy(ErrorCode code) {
        return code.retriable() || code == ErrorCode.SEGMENT_NOT_FOUND || code == ErrorCode.CHANNEL_NOT_AVAILABLE
                || code == ErrorCode.NODE_NOT_AVAILABLE || code == ErrorCode.NODE_NOT_FOUND;
    }

    /**
     * {@link #callWithFailover} on the cached leaders; when every one of them failed, once more on leaders fetched
     * fresh if they name other nodes.
     */
    private <T> T callWithRefresh(CollectionInfo c, String vchannel, List<ShardLeader> candidates, ShardCall<T> call,
                                  Function<T, Status> statusOf, long deadline) {
        try {
            return callWithFailover(c, vchannel, candidates, call, statusOf, deadline);
        } catch (QuiverException e) {
            if (e.errorCode() != ErrorCode.NODE_NOT_AVAILABLE || Context.current().isCancelled() || clock.millis() >= deadline) {
                throw e;
            }
            leaderSource.invalidate(c.getCollectionId());
            List<ShardLeader> fresh = selector.order(leaders(c), vchannel, vchannel);
            Set<String> before = new HashSet<>();
            candidates.forEach(l -> before.add(l.getAddress()));
            if (fresh.isEmpty() || fresh.stream().allMatch(l -> before.contains(l.getAddress()))) {
                throw e;
            }
            return callWithFailover(c, vchannel, fresh, call, statusOf, deadline);
        }
    }

    private <T> T callWithFailover(CollectionInfo c, String vchannel, List<ShardLeader> candidates, ShardCall<T> call,
                                   Function<T, Status> statusOf, long deadline) {
        String last = "";
        long backoff = FIRST_BACKOFF_MS;
        int attempts = candidates.size() + 1;
        for (int i = 0; i < attempts; i++) {
            String addr = candidates.get(i % candidates.size()).getAddress();
            selector.begin(addr);
            try {
                T r = call.call(addr, vchannel);
                Status st = statusOf.apply(r);
                if (Statuses.isOk(st)) {
                    return r;
                }
                QuiverException q = Statuses.toException(st);
                if (!failoverWorthy(q.errorCode())) {
                    throw q;
                }
                last = q.getMessage();
            } catch (StatusRuntimeException e) {
                var code = e.getStatus().getCode();
                if (code == DEADLINE_EXCEEDED || code == CANCELLED) {
                    throw new QuiverException(ErrorCode.TIMEOUT, "shard " + vchannel + ": " + e.getMessage());
                }
                last = e.getMessage();
            } finally {
                selector.end(addr);
            }
            selector.markBad(addr);
            if (Context.current().isCancelled() || i + 1 == attempts || clock.millis() + backoff > deadline) {
                break;
            }
            try {
                sleeper.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        }
        leaderSource.invalidate(c.getCollectionId());
        throw new QuiverException(ErrorCode.NODE_NOT_AVAILABLE, "every replica of shard " + vchannel + " failed, last: " + last);
    }
}
