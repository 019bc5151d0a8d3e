package io.quiver.datacoord;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.CompactionType;
import java.time.Duration;

/**
 * Compaction metrics with Milvus' names: {@code milvus_datacoord_compaction_task_num{task_type,task_state}} counts
 * tasks by the state they reached (planned, completed, failed, timeout) and
 * {@code milvus_datacoord_compaction_latency{task_type}} times them from plan to commit.
 */
public final class CompactionMetrics {
    private final MeterRegistry registry;

    public CompactionMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** Metrics that go nowhere (tests). */
    static CompactionMetrics discard() {
        return new CompactionMetrics(new SimpleMeterRegistry());
    }

    void planned(CompactionType type) {
        counter(type, "planned").increment();
    }

    void finished(CompactionType type, CompactionTaskState state, long millis) {
        counter(type, state.name().toLowerCase()).increment();
        if (state == CompactionTaskState.COMPLETED) {
            Timer.builder("milvus_datacoord_compaction_latency").tag("task_type", typeName(type))
                    .publishPercentileHistogram().register(registry).record(Duration.ofMillis(millis));
        }
    }

    private Counter counter(CompactionType type, String state) {
        return Counter.builder("milvus_datacoord_compaction_task_num").tag("task_type", typeName(type)).tag("task_state", state)
                .register(registry);
    }

    private static String typeName(CompactionType type) {
        return type == CompactionType.L0_COMPACTION ? "Level0DeleteCompaction" : "MixCompaction";
    }
}
