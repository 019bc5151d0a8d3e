package io.quiver.proxy.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.common.config.QuiverConfig;
import io.quiver.common.config.QuotaConfig;
import io.quiver.proxy.quota.MemoryProtection.NodeMemory;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class QuotaMonitorTest {
    private final QuotaConfig config = QuiverConfig.defaultsOnly().quota();

    /** Signals a test sets; a null node list makes the read fail. */
    private static final class FakeSignals implements QuotaMonitor.Signals {
        volatile int proxies = 1;
        final AtomicReference<List<NodeMemory>> nodes = new AtomicReference<>(List.of());

        @Override
        public int liveProxies() {
            return proxies;
        }

        @Override
        public List<NodeMemory> nodeMemory() {
            List<NodeMemory> n = nodes.get();
            if (n == null) {
                throw new IllegalStateException("session store unavailable");
            }
            return n;
        }
    }

    @Test
    void refreshCarriesProxiesAndTheMemoryFactorToTheLimiter() {
        QuotaLimiter limiter = new QuotaLimiter(config, new ManualClock());
        FakeSignals signals = new FakeSignals();
        QuotaMonitor monitor = new QuotaMonitor(limiter, config.memProtection(), signals);
        signals.proxies = 2;
        signals.nodes.set(List.of(new NodeMemory(true, 90, 100), new NodeMemory(false, 10, 100)));
        monitor.refresh();
        assertThat(limiter.state().proxies()).isEqualTo(2);
        assertThat(limiter.state().writeFactor()).isCloseTo(0.5, within(1e-9));

        signals.nodes.set(List.of(new NodeMemory(false, 96, 100)));
        monitor.refresh();
        assertThat(limiter.check(RateType.DML_INSERT, "default", 0, 1)).isInstanceOf(QuotaLimiter.Denied.class);

        signals.nodes.set(List.of(new NodeMemory(false, 50, 100)));
        monitor.refresh();
        assertThat(limiter.check(RateType.DML_INSERT, "default", 0, 1)).as("writes resume below the low-water level")
                .isInstanceOf(QuotaLimiter.Allowed.class);
    }

    @Test
    void aFailedReadKeepsThePreviousState() {
        QuotaLimiter limiter = new QuotaLimiter(config, new ManualClock());
        FakeSignals signals = new FakeSignals();
        QuotaMonitor monitor = new QuotaMonitor(limiter, config.memProtection(), signals);
        signals.nodes.set(List.of(new NodeMemory(true, 99, 100)));
        monitor.refresh();
        signals.nodes.set(null);
        monitor.refresh();
        assertThat(limiter.state().writeFactor()).isZero();
    }

    @Test
    void disabledMemoryProtectionDoesNotReadNodes() {
        QuotaConfig.MemProtection off = new QuotaConfig.MemProtection(false, config.memProtection().dataNode(), config.memProtection().queryNode());
        QuotaLimiter limiter = new QuotaLimiter(config, new ManualClock());
        FakeSignals signals = new FakeSignals();
        signals.nodes.set(List.of(new NodeMemory(true, 99, 100)));
        new QuotaMonitor(limiter, off, signals).refresh();
        assertThat(limiter.state()).isEqualTo(new QuotaLimiter.State(1, 1.0));
    }
}
