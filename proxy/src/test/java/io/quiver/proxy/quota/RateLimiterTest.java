package io.quiver.proxy.quota;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void startsWithOneSecondOfTokensAndRefusesOnlyInDebt() {
        RateLimiter l = new RateLimiter(clock, 10);
        for (int i = 0; i < 10; i++) {
            assertThat(l.tryAcquire(1)).as("request %d", i).isTrue();
        }
        assertThat(l.tryAcquire(1)).as("bucket empty but not in debt: admitted").isTrue();
        assertThat(l.tryAcquire(1)).as("in debt").isFalse();
        clock.advance(Duration.ofMillis(99));
        assertThat(l.tryAcquire(1)).as("debt of 1 not yet paid").isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(l.tryAcquire(1)).isTrue();
    }

    @Test
    void aLargeRequestIsAdmittedAndPunishesTheNextOnes() {
        RateLimiter l = new RateLimiter(clock, 10);
        assertThat(l.tryAcquire(40)).isTrue();   // 10 - 40 = -30: three seconds of debt
        clock.advance(Duration.ofMillis(2_999));
        assertThat(l.tryAcquire(1)).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(l.tryAcquire(1)).isTrue();
    }

    @Test
    void longRunAdmissionIsTheRatePlusOneBurstUnderAnyDemand() {
        RateLimiter l = new RateLimiter(clock, 50);
        long admitted = 0;
        for (int ms = 0; ms < 100_000; ms++) {       // 100 s, demand 4 requests per ms = 4000/s, 80x the limit
            for (int k = 0; k < 4; k++) {
                admitted += l.tryAcquire(1) ? 1 : 0;
            }
            clock.advance(Duration.ofMillis(1));
        }
        assertThat(admitted).isBetween(50L * 100, 50L * 100 + 50 + 1);
    }

    @Test
    void refillNeverExceedsOneSecond() {
        RateLimiter l = new RateLimiter(clock, 5);
        clock.advance(Duration.ofHours(1));
        int admitted = 0;
        while (l.tryAcquire(1)) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(6); // 5 tokens, then one more while not in debt
    }

    @Test
    void refundGivesBackWhatWasTaken() {
        RateLimiter l = new RateLimiter(clock, 2);
        assertThat(l.tryAcquire(3)).isTrue();
        assertThat(l.tryAcquire(1)).isFalse();
        l.refund(3);
        assertThat(l.tryAcquire(1)).isTrue();
    }

    @Test
    void setRateKeepsEarnedTokensUpToTheNewBurst() {
        RateLimiter l = new RateLimiter(clock, 100);
        l.setRate(2);
        assertThat(l.rate()).isEqualTo(2);
        assertThat(l.tryAcquire(2)).isTrue();
        assertThat(l.tryAcquire(1)).isTrue();
        assertThat(l.tryAcquire(1)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        l.setRate(Double.POSITIVE_INFINITY);
        for (int i = 0; i < 1000; i++) {
            assertThat(l.tryAcquire(1_000_000)).isTrue();
        }
    }

    @Test
    void zeroRateAdmitsNothing() {
        RateLimiter l = new RateLimiter(clock, 0);
        clock.advance(Duration.ofSeconds(10));
        assertThat(l.tryAcquire(1)).isFalse();
    }
}
