package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.ShardLeader;
import io.quiver.proto.ShardLeadersResponse;
import io.quiver.proto.ShardQueryResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The shard router's routing, failover, refresh and deadline decisions, with fake leaders and shard clients. */
class ShardRouterTest {
    private static final CollectionInfo ONE_SHARD = CollectionInfo.newBuilder().setCollectionId(7).setName("c").addVchannels("v0").build();
    private static final CollectionInfo TWO_SHARDS = ONE_SHARD.toBuilder().addVchannels("v1").build();

    /** A clock that moves only when the router sleeps. */
    private static final class FakeClock implements InstantSource {
        final AtomicLong millis = new AtomicLong(1_000_000);
        final AtomicLong slept = new AtomicLong();

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        void sleep(long ms) {
            slept.addAndGet(ms);
            millis.addAndGet(ms);
        }
    }

    /** Leader answers handed out in order (the last one repeats); counts invalidations. */
    private static final class FakeLeaders implements ShardRouter.LeaderSource {
        final Deque<ShardLeadersResponse> answers = new ArrayDeque<>();
        final AtomicInteger invalidations = new AtomicInteger();
        QuiverException failure;

        @Override
        public synchronized ShardLeadersResponse leaders(long collectionId) {
            if (failure != null) {
                throw failure;
            }
            return answers.size() > 1 ? answers.poll() : answers.peek();
        }

        @Override
        public void invalidate(long collectionId) {
            invalidations.incrementAndGet();
        }
    }

    /** Shard clients by address: an answer's status, or an exception; every call is recorded. */
    private static final class FakeShards implements ShardRouter.ShardCall<ShardQueryResponse> {
        final Map<String, ErrorCode> failing = new ConcurrentHashMap<>();
        final Map<String, Status> throwing = new ConcurrentHashMap<>();
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public ShardQueryResponse call(String address, String vchannel) {
            calls.add(address + "/" + vchannel);
            Status thrown = throwing.get(address);
            if (thrown != null) {
                throw new StatusRuntimeException(thrown);
            }
            ErrorCode code = failing.get(address);
            return ShardQueryResponse.newBuilder().setStatus(code == null ? Statuses.success() : Statuses.of(code, address + " failed"))
                    .setCount(address.hashCode()).build();
        }
    }

    private static ShardLeader leader(String vchannel, String address, long replica) {
        return ShardLeader.newBuilder().setVchannel(vchannel).setAddress(address).setNodeId(replica).setReplicaId(replica).build();
    }

    private static ShardLeadersResponse leaders(ShardLeader... l) {
        return ShardLeadersResponse.newBuilder().setStatus(Statuses.success()).addAllLeaders(List.of(l)).build();
    }

    private final FakeClock clock = new FakeClock();
    private final FakeLeaders leaderSource = new FakeLeaders();
    private final FakeShards shards = new FakeShards();

    private ShardRouter router(long timeoutMs) {
        return new ShardRouter(leaderSource, new ReplicaSelector(ReplicaSelector.Policy.ROUND_ROBIN, Map.of()), Duration.ofMillis(timeoutMs),
                clock, clock::sleep);
    }

    private List<ShardQueryResponse> call(ShardRouter router, CollectionInfo c) {
        return router.call(c, router.leaders(c), shards, ShardQueryResponse::getStatus);
    }

    @Test
    void everyShardAnswersInVchannelOrder() {
        leaderSource.answers.add(leaders(leader("v1", "b", 1), leader("v0", "a", 1)));
        List<ShardQueryResponse> out = call(router(5000), TWO_SHARDS);
        assertThat(out).extracting(ShardQueryResponse::getCount).containsExactly((long) "a".hashCode(), (long) "b".hashCode());
        assertThat(shards.calls).containsExactlyInAnyOrder("a/v0", "b/v1");
    }

    @Test
    void aFailedReplicaIsMarkedBadAndTheNextOneServes() {
        leaderSource.answers.add(leaders(leader("v0", "a", 1), leader("v0", "b", 2)));
        shards.failing.put("a", ErrorCode.NODE_NOT_AVAILABLE);
        ShardRouter router = router(5000);
        for (int i = 0; i < 4; i++) {
            assertThat(call(router, ONE_SHARD).get(0).getCount()).isEqualTo("b".hashCode());
        }
        // "a" was tried once, then went last while marked bad
        assertThat(shards.calls.stream().filter(c -> c.startsWith("a/")).count()).isEqualTo(1);
        assertThat(clock.slept.get()).isEqualTo(20);
    }

    @Test
    void anErrorThatNoReplicaCanFixIsNotRetried() {
        leaderSource.answers.add(leaders(leader("v0", "a", 1), leader("v0", "b", 2)));
        shards.failing.put("a", ErrorCode.PARAMETER_INVALID);
        shards.failing.put("b", ErrorCode.PARAMETER_INVALID);
        assertThatThrownBy(() -> call(router(5000), ONE_SHARD)).isInstanceOf(QuiverException.class)
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID);
        assertThat(shards.calls).hasSize(1);
        assertThat(clock.slept.get()).isZero();
    }

    @Test
    void aShardDeadlineIsATimeoutNotAFailover() {
        leaderSource.answers.add(leaders(leader("v0", "a", 1), leader("v0", "b", 2)));
        shards.throwing.put("a", Status.DEADLINE_EXCEEDED);
        shards.throwing.put("b", Status.DEADLINE_EXCEEDED);
        assertThatThrownBy(() -> call(router(5000), ONE_SHARD)).extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(shards.calls).hasSize(1);
    }

    @Test
    void whenEveryCachedLeaderFailedFreshLeadersAreTried() {
        ShardRouter router = router(5000);
        leaderSource.answers.add(leaders(leader("v0", "a", 1)));
        ShardLeadersResponse cached = router.leaders(ONE_SHARD);
        leaderSource.answers.clear();
        leaderSource.answers.add(leaders(leader("v0", "c", 1)));
        shards.throwing.put("a", Status.UNAVAILABLE);
        List<ShardQueryResponse> out = router.call(ONE_SHARD, cached, shards, ShardQueryResponse::getStatus);
        assertThat(out.get(0).getCount()).isEqualTo("c".hashCode());
        assertThat(shards.calls).containsExactly("a/v0", "a/v0", "c/v0");
        assertThat(leaderSource.invalidations.get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void failoverStopsAtTheDeadline() {
        leaderSource.answers.add(leaders(leader("v0", "a", 1), leader("v0", "b", 2), leader("v0", "c", 3), leader("v0", "d", 4)));
        for (String a : List.of("a", "b", "c", "d")) {
            shards.throwing.put(a, Status.UNAVAILABLE);
        }
        assertThatThrownBy(() -> call(router(50), ONE_SHARD)).isInstanceOf(QuiverException.class)
                .hasMessageContaining("every replica of shard v0 failed")
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.NODE_NOT_AVAILABLE);
        // 20 + 40 would pass the 50 ms deadline: two calls, one wait
        assertThat(shards.calls).hasSize(2);
        assertThat(clock.slept.get()).isEqualTo(20);
    }

    @Test
    void aLoadStillPlacingLeadersIsWaitedFor() {
        leaderSource.answers.add(leaders(leader("v0", "a", 1)));
        leaderSource.answers.add(leaders(leader("v0", "a", 1)));
        leaderSource.answers.add(leaders(leader("v0", "a", 1), leader("v1", "b", 1)));
        assertThat(router(5000).leaders(TWO_SHARDS).getLeadersCount()).isEqualTo(2);
        assertThat(clock.slept.get()).isEqualTo(20 + 40);
        assertThat(leaderSource.invalidations.get()).isEqualTo(2);
    }

    @Test
    void aLoadThatNeverCompletesFailsAtTheWaitBound() {
        leaderSource.answers.add(leaders(leader("v0", "a", 1)));
        assertThatThrownBy(() -> router(60_000).leaders(TWO_SHARDS)).hasMessageContaining("is still loading")
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.CHANNEL_NOT_AVAILABLE);
        assertThat(clock.slept.get()).isLessThanOrEqualTo(ShardRouter.LEADER_WAIT_MS);
    }

    @Test
    void aQuerycoordThatDoesNotKnowTheLeadersYetIsWaitedForThenItsErrorPassedOn() {
        leaderSource.failure = new QuiverException(ErrorCode.SERVICE_NOT_READY, "querycoord is not registered yet");
        assertThatThrownBy(() -> router(60_000).leaders(ONE_SHARD)).hasMessageContaining("querycoord is not registered yet")
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.SERVICE_NOT_READY);
        assertThat(clock.slept.get()).isPositive().isLessThanOrEqualTo(ShardRouter.LEADER_WAIT_MS);
    }

    @Test
    void aCollectionThatIsNotLoadedFailsAtOnce() {
        leaderSource.failure = new QuiverException(ErrorCode.COLLECTION_NOT_LOADED, "x");
        assertThatThrownBy(() -> router(5000).leaders(ONE_SHARD)).hasMessageContaining("collection=c: load it before search or query")
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.COLLECTION_NOT_LOADED);
        assertThat(clock.slept.get()).isZero();
    }

    @Test
    void aShardWithoutLeaderFailsAsStillLoading() {
        ShardLeadersResponse onlyV0 = leaders(leader("v0", "a", 1));
        assertThatThrownBy(() -> router(5000).call(TWO_SHARDS, onlyV0, shards, ShardQueryResponse::getStatus))
                .extracting(e -> ((QuiverException) e).errorCode()).isEqualTo(ErrorCode.CHANNEL_NOT_AVAILABLE);
        assertThat(shards.calls).isEmpty();
    }
}
