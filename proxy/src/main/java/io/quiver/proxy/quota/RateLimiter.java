package io.quiver.proxy.quota;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.InstantSource;

/**
 * A token bucket with Milvus' "punishment" rule (pkg/util/ratelimitutil/limiter.go): a request is admitted while the
 * bucket is not in debt, whatever its cost, and takes its whole cost, so one large request may leave the bucket
 * negative and later requests wait until the refill pays the debt. The bucket holds at most one second of tokens
 * (Milvus uses the rate as the burst). Over any long window the admitted cost is at most {@code rate * seconds +
 * one burst + the largest single cost}, which is what lets a limit of N hold under any demand.
 *
 * <p>Thread-safe: every method is synchronized (one short critical section per request and level). The clock is
 * injected so tests drive time.
 */
final class RateLimiter {
    /** Refills are sums of fractions: a debt paid to within rounding counts as paid. */
    private static final double ROUNDING = 1e-9;

    private final InstantSource clock;
    private double rate;       // tokens per second; +inf: unlimited
    private double tokens;
    private long lastNanos;

    RateLimiter(InstantSource clock, double rate) {
        this.clock = requireNonNull(clock, "clock is null");
        this.lastNanos = nanos(clock.instant());
        this.rate = rate;
        this.tokens = burst(rate);
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static double burst(double rate) {
        return Double.isInfinite(rate) ? 0 : rate;
    }

    /** Admits a request of {@code cost} tokens and takes them, or refuses it and changes nothing. */
    synchronized boolean tryAcquire(double cost) {
        if (Double.isInfinite(rate)) {
            return true;
        }
        if (rate <= 0) {
            return false;
        }
        advance();
        if (tokens < -ROUNDING) {
            return false;
        }
        tokens -= cost;
        return true;
    }

    /** Gives back what an admitted request took (a later level refused it). */
    synchronized void refund(double cost) {
        if (!Double.isInfinite(rate)) {
            tokens = Math.min(burst(rate), tokens + cost);
        }
    }

    /** Changes the rate, keeping the tokens earned so far (at most one second of the new rate). */
    synchronized void setRate(double newRate) {
        if (newRate == rate) {
            return;
        }
        advance();
        rate = newRate;
        tokens = Math.min(tokens, burst(newRate));
    }

    synchronized double rate() {
        return rate;
    }

    private void advance() {
        long now = nanos(clock.instant());
        long elapsed = now - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst(rate), tokens + elapsed / 1e9 * rate);
            lastNanos = now;
        }
    }
}
