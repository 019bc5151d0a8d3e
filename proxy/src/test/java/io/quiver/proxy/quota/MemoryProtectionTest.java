package io.quiver.proxy.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.quiver.common.config.QuotaConfig;
import io.quiver.proxy.quota.MemoryProtection.NodeMemory;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryProtectionTest {
    private static final QuotaConfig.MemProtection ON = new QuotaConfig.MemProtection(true, new QuotaConfig.WaterLevels(0.5, 0.9),
            new QuotaConfig.WaterLevels(0.85, 0.95));

    @Test
    void belowLowIsOneAboveHighIsZeroBetweenIsLinear() {
        assertThat(MemoryProtection.writeFactor(ON, List.of(new NodeMemory(true, 80, 100)))).isEqualTo(1.0);
        assertThat(MemoryProtection.writeFactor(ON, List.of(new NodeMemory(true, 95, 100)))).isEqualTo(0.0);
        assertThat(MemoryProtection.writeFactor(ON, List.of(new NodeMemory(true, 90, 100)))).isCloseTo(0.5, within(1e-9));
        assertThat(MemoryProtection.writeFactor(ON, List.of(new NodeMemory(false, 80, 100)))).as("datanode levels 0.5/0.9")
                .isCloseTo(0.25, within(1e-9));
    }

    @Test
    void theFullestNodeDecides() {
        var nodes = List.of(new NodeMemory(true, 10, 100), new NodeMemory(false, 70, 100), new NodeMemory(true, 99, 100));
        assertThat(MemoryProtection.writeFactor(ON, nodes)).isZero();
        assertThat(MemoryProtection.writeFactor(ON, nodes.subList(0, 2))).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void disabledOrNoNodesOrNoBudgetNeverSlowsWrites() {
        var off = new QuotaConfig.MemProtection(false, ON.dataNode(), ON.queryNode());
        assertThat(MemoryProtection.writeFactor(off, List.of(new NodeMemory(true, 100, 100)))).isEqualTo(1.0);
        assertThat(MemoryProtection.writeFactor(ON, List.of())).isEqualTo(1.0);
        assertThat(MemoryProtection.writeFactor(ON, List.of(new NodeMemory(true, 100, 0)))).isEqualTo(1.0);
    }
}
