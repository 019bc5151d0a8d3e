package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SystemInfoTest {
    @Test
    void replicaIsJudgedByItsOwnNodes() {
        // node 3 is in another replica and holds everything of that replica: it does not make this one unbalanced
        Map<Long, Long> rows = Map.of(1L, 10_000L, 2L, 9_000L, 3L, 19_000L);
        var b = SystemInfo.replicaBalance(List.of(1L, 2L), rows, Map.of("v0", 1L, "v1", 2L), 1_000);
        assertThat(b.get("verdict")).isEqualTo("balanced");
        assertThat(b.get("mean_rows")).isEqualTo(9_500L);
    }

    @Test
    void spreadOfOneSegmentIsTheFinestAMoveCanDo() {
        var b = SystemInfo.replicaBalance(List.of(1L, 2L), Map.of(1L, 6_000L, 2L, 2_000L), Map.of("v0", 1L, "v1", 2L), 4_000);
        assertThat(b.get("verdict")).isEqualTo("balanced");
        b = SystemInfo.replicaBalance(List.of(1L, 2L), Map.of(1L, 6_000L, 2L, 2_000L), Map.of("v0", 1L, "v1", 2L), 1_000);
        assertThat(b.get("verdict")).isEqualTo("unbalanced");
    }

    @Test
    void leadersPiledOnOneNodeAreUnbalanced() {
        var b = SystemInfo.replicaBalance(List.of(1L, 2L), Map.of(1L, 5_000L, 2L, 5_000L), Map.of("v0", 1L, "v1", 1L), 1_000);
        assertThat(b.get("verdict")).isEqualTo("unbalanced");
        assertThat(b.get("leaders_per_node")).isEqualTo(Map.of(1L, 2L, 2L, 0L));
    }
}
