package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StaleCacheTest {
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final StaleCache<Long, String> cache = new StaleCache<>("test", Duration.ofSeconds(3), Duration.ofMillis(500), 100, ticker);
    private final AtomicInteger loads = new AtomicInteger();

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    private String answer(long key) {
        loads.incrementAndGet();
        return "v" + key + "#" + loads.get();
    }

    private String down(long key) {
        loads.incrementAndGet();
        throw new QuiverException(ErrorCode.SERVICE_NOT_READY, "querycoord is not registered yet");
    }

    @Test
    void freshForOneTtlThenReloaded() {
        assertThat(cache.get(1L, this::answer)).isEqualTo("v1#1");
        advance(Duration.ofSeconds(2));
        assertThat(cache.get(1L, this::answer)).isEqualTo("v1#1");
        advance(Duration.ofSeconds(2));
        assertThat(cache.get(1L, this::answer)).isEqualTo("v1#2");
    }

    @Test
    void servesTheLastAnswerWhileTheSourceIsUnreachableAndAsksOncePerTtl() {
        cache.get(1L, this::answer);
        advance(Duration.ofSeconds(4));
        assertThat(cache.get(1L, this::down)).isEqualTo("v1#1");
        assertThat(loads).hasValue(2);
        advance(Duration.ofSeconds(1));
        assertThat(cache.get(1L, this::down)).as("re-armed: not asked again within the TTL").isEqualTo("v1#1");
        assertThat(loads).hasValue(2);
        advance(Duration.ofSeconds(3));
        assertThat(cache.get(1L, k -> {
            loads.incrementAndGet();
            throw Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();
        })).isEqualTo("v1#1");
        advance(Duration.ofSeconds(4));
        assertThat(cache.get(1L, this::answer)).as("back: fresh answers again").isEqualTo("v1#4");
    }

    @Test
    void anAnswerThatIsAnErrorIsPassedOnNotHiddenByTheLastValue() {
        cache.get(1L, this::answer);
        advance(Duration.ofSeconds(4));
        assertThatThrownBy(() -> cache.get(1L, k -> {
            throw new QuiverException(ErrorCode.COLLECTION_NOT_LOADED, "collectionID=1");
        })).isInstanceOfSatisfying(QuiverException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.COLLECTION_NOT_LOADED));
    }

    @Test
    void noLastAnswerMeansTheFailureIsPassedOn() {
        assertThatThrownBy(() -> cache.get(1L, this::down)).isInstanceOfSatisfying(QuiverException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SERVICE_NOT_READY));
    }

    @Test
    void forgetDropsTheFallbackInvalidateKeepsIt() {
        cache.get(1L, this::answer);
        cache.invalidate(1L);
        assertThat(cache.get(1L, this::down)).isEqualTo("v1#1");
        cache.forget(1L);
        assertThatThrownBy(() -> cache.get(1L, this::down)).isInstanceOf(QuiverException.class);
    }

    @Test
    void aRefreshWithAFallbackRunsUnderTheBudgetNotTheCallersDeadline() throws Exception {
        cache.get(1L, this::answer);
        advance(Duration.ofSeconds(4));
        AtomicLong budgetMs = new AtomicLong(-1);
        String v = Context.current().withDeadline(Deadline.after(30, TimeUnit.SECONDS), Executors.newSingleThreadScheduledExecutor())
                .call(() -> cache.get(1L, k -> {
                    budgetMs.set(Context.current().getDeadline().timeRemaining(TimeUnit.MILLISECONDS));
                    throw Status.DEADLINE_EXCEEDED.asRuntimeException(); // a paused coordinator: no answer in time
                }));
        assertThat(v).isEqualTo("v1#1");
        assertThat(budgetMs.get()).isBetween(0L, 500L);
    }
}
