package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
    private static final Retry QUICK = new Retry(10, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5));

    @Test
    void aRetriableFailureIsRetriedUntilItPasses() {
        AtomicInteger calls = new AtomicInteger();
        String v = QUICK.call("op", () -> {
            if (calls.incrementAndGet() < 4) {
                throw new StorageException("connection reset", true);
            }
            return "ok";
        });
        assertThat(v).isEqualTo("ok");
        assertThat(calls).hasValue(4);
    }

    @Test
    void aNonRetriableFailurePropagatesAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> QUICK.call("op", () -> {
            calls.incrementAndGet();
            throw new StorageException("access denied", false);
        })).isInstanceOf(StorageException.class).hasMessage("access denied");
        assertThat(calls).hasValue(1);
    }

    @Test
    void attemptsAreBoundedAndTheLastFailureStaysRetriable() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> QUICK.call("op", () -> {
            calls.incrementAndGet();
            throw new StorageException("down", true);
        })).isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retriable()).isTrue());
        assertThat(calls).hasValue(10);
    }

    @Test
    void startUpWaitsMinutesNotSecondsButNotForever() {
        assertThat(Retry.STARTUP.maxTotal()).isEqualTo(Duration.ofMinutes(2));
        assertThat(Retry.STARTUP.maxBackoff()).isEqualTo(Duration.ofSeconds(5));
        assertThat(Retry.DEFAULT.maxTotal()).isEqualTo(Duration.ofSeconds(5));
    }
}
