package io.quiver.storage;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounded retries with exponential backoff and full jitter for transient backend failures
 * ({@link StorageException#retriable()}). Non-retriable failures propagate at once; once the
 * attempts or the total time are used up the last failure propagates, still marked retriable, so the
 * caller (and ultimately the client) can decide to try again later. Nothing is retried forever.
 *
 * <p>Only wrap operations that are safe to repeat (reads, idempotent puts and deletes): a write
 * that may or may not have been applied must not be blindly replayed (e.g. a transaction).
 */
public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxTotal) {
    private static final Logger log = LoggerFactory.getLogger(Retry.class);

    /** 5 attempts, 50 ms doubling to 1 s, at most 5 s in all. */
    public static final Retry DEFAULT = new Retry(5, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(5));

    /**
     * A dependency a process needs before it can serve (the S3 bucket at start-up): waited for with backoff up to 5 s,
     * at most 2 minutes in all, instead of exiting while it restarts or its link is cut.
     */
    public static final Retry STARTUP = new Retry(Integer.MAX_VALUE, Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMinutes(2));

    /** Do not retry. */
    public static final Retry NONE = new Retry(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public Retry {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
    }

    public <T> T call(String what, Supplier<T> op) {
        long deadline = System.nanoTime() + maxTotal.toNanos();
        long backoff = Math.max(1, initialBackoff.toMillis());
        for (int attempt = 1; ; attempt++) {
            try {
                return op.get();
            } catch (StorageException e) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (!e.retriable() || attempt >= maxAttempts || left <= 0) {
                    throw e;
                }
                long sleep = Math.min(left, ThreadLocalRandom.current().nextLong(backoff + 1));
                if (attempt % 5 == 0) { // a long wait (a dependency restarting) is visible; a blip is not
                    log.warn("event=storage_retry op={} attempt={} sleepMs={} error=\"{}\"", what, attempt, sleep, e.getMessage());
                } else {
                    log.debug("event=storage_retry op={} attempt={} sleepMs={} error=\"{}\"", what, attempt, sleep, e.getMessage());
                }
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    e.addSuppressed(ie);
                    throw e;
                }
                backoff = Math.min(backoff * 2, Math.max(1, maxBackoff.toMillis()));
            }
        }
    }

    public void run(String what, Runnable op) {
        call(what, () -> {
            op.run();
            return null;
        });
    }
}
