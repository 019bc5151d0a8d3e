package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Context;
import io.grpc.Deadline;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.WalMessage;
import io.quiver.storage.Wal;
import io.quiver.storage.WalPosition;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WalFanoutTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    /** A WAL that records appends; channel "slow" waits for {@link #release}, channel "bad" fails. */
    private static final class FakeWal implements Wal {
        final Set<String> written = ConcurrentHashMap.newKeySet();
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public WalPosition produce(String channel, byte[] payload) {
            if (channel.equals("slow")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (channel.equals("bad")) {
                throw new IllegalStateException("disk full");
            }
            written.add(channel);
            return null;
        }

        @Override
        public Consumer subscribe(String channel, String subscription, StartPosition start) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void deleteSubscription(String channel, String subscription) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int compare(WalPosition a, WalPosition b) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<String> channels() {
            return List.of();
        }

        @Override
        public void close() {}
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static WalFanout.Message msg(String channel) {
        return new WalFanout.Message(channel, WalMessage.newBuilder().setInsert(InsertMsg.newBuilder().setVchannel(channel)).build());
    }

    @Test
    void everyMessageIsDurableWhenTheFutureCompletes() {
        FakeWal wal = new FakeWal();
        CompletableFuture<Void> durable = new WalFanout(wal, pool).produceAll(List.of(msg("a"), msg("b"), msg("c")));
        WalFanout.await(durable);
        assertThat(wal.written).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aFailureIsReportedOnlyAfterEveryAppendFinished() {
        FakeWal wal = new FakeWal();
        CompletableFuture<Void> durable = new WalFanout(wal, pool).produceAll(List.of(msg("slow"), msg("bad")));
        assertThat(durable).isNotDone();
        wal.release.countDown();
        assertThatThrownBy(() -> WalFanout.await(durable)).isInstanceOfSatisfying(QuiverException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.WAL_FAILED)).hasMessageContaining("disk full");
        assertThat(durable).isCompletedExceptionally();
    }

    @Test
    void waitingStopsAtTheDeadlineWhileTheAppendGoesOn() throws Exception {
        FakeWal wal = new FakeWal();
        CompletableFuture<Void> durable = new WalFanout(wal, pool).produceAll(List.of(msg("slow"), msg("a")));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Context.CancellableContext ctx = Context.current().withDeadline(Deadline.after(50, TimeUnit.MILLISECONDS), timer);
        try {
            assertThatThrownBy(() -> ctx.run(() -> WalFanout.await(durable))).isInstanceOfSatisfying(QuiverException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.TIMEOUT));
        } finally {
            ctx.cancel(null);
            timer.shutdownNow();
        }
        assertThat(durable).isNotDone();
        wal.release.countDown();
        durable.get(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
        assertThat(wal.written).containsExactlyInAnyOrder("slow", "a");
    }

    @Test
    void noMessagesIsDurableAtOnce() {
        assertThat(new WalFanout(new FakeWal(), pool).produceAll(List.of())).isDone();
    }
}
