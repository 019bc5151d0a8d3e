package io.quiver.datanode.compaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionTaskState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class CompactionExecutorTest {
    /** Runs submitted work only when the test says so: no threads, no timing. */
    private static final class ManualExecutor implements Executor {
        final Queue<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            queued.add(r);
        }

        void runNext() {
            queued.remove().run();
        }
    }

    private final ManualExecutor pool = new ManualExecutor();
    private final List<Long> ran = new ArrayList<>();
    private final List<BooleanSupplier> cancelFlags = new ArrayList<>();

    private CompactionResult run(CompactionPlan plan, BooleanSupplier cancelled) {
        ran.add(plan.getPlanId());
        cancelFlags.add(cancelled);
        if (plan.getPlanId() == 99) {
            throw QuiverException.invalid("plan %d is broken", plan.getPlanId());
        }
        return CompactionResult.newBuilder().setPlanId(plan.getPlanId()).setState(CompactionTaskState.COMPLETED).setDroppedDeleted(3).build();
    }

    private static CompactionPlan plan(long id) {
        return CompactionPlan.newBuilder().setPlanId(id).build();
    }

    @Test
    void runsPlansInSlotsAndRefusesWhenAllAreBusy() {
        CompactionExecutor ex = new CompactionExecutor(this::run, 2, pool);
        assertThat(ex.totalSlots()).isEqualTo(2);
        ex.submit(plan(1));
        ex.submit(plan(2));
        assertThat(ex.freeSlots()).isZero();
        assertThatThrownBy(() -> ex.submit(plan(3))).isInstanceOfSatisfying(QuiverException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.RESOURCE_INSUFFICIENT);
            assertThat(e.errorCode().retriable()).isTrue();
        });
        assertThat(ex.results(List.of(1L, 2L))).extracting(CompactionResult::getState)
                .containsExactly(CompactionTaskState.EXECUTING, CompactionTaskState.EXECUTING);

        pool.runNext();
        assertThat(ex.freeSlots()).isEqualTo(1);
        CompactionResult done = ex.results(List.of(1L)).get(0);
        assertThat(done.getState()).isEqualTo(CompactionTaskState.COMPLETED);
        assertThat(done.getDroppedDeleted()).isEqualTo(3);
        ex.submit(plan(3));
        assertThat(ex.freeSlots()).isZero();
        assertThat(ex.results(List.of())).extracting(CompactionResult::getPlanId).containsExactly(1L, 2L, 3L);
    }

    @Test
    void resubmittingAKnownPlanIsANoOp() {
        CompactionExecutor ex = new CompactionExecutor(this::run, 1, pool);
        ex.submit(plan(1));
        ex.submit(plan(1)); // a slot is busy, yet the known plan is accepted
        assertThat(pool.queued).hasSize(1);
        pool.runNext();
        ex.submit(plan(1)); // completed: still known, not run again
        assertThat(pool.queued).isEmpty();
        assertThat(ran).containsExactly(1L);
        assertThat(ex.results(List.of(1L)).get(0).getState()).isEqualTo(CompactionTaskState.COMPLETED);
    }

    @Test
    void failedPlanReportsItsReasonAndFreesItsSlot() {
        CompactionExecutor ex = new CompactionExecutor(this::run, 1, pool);
        ex.submit(plan(99));
        pool.runNext();
        CompactionResult r = ex.results(List.of(99L)).get(0);
        assertThat(r.getState()).isEqualTo(CompactionTaskState.FAILED);
        assertThat(r.getFailReason()).contains("plan 99 is broken");
        assertThat(ex.freeSlots()).isEqualTo(1);
    }

    @Test
    void unknownPlanReportsFailed() {
        CompactionExecutor ex = new CompactionExecutor(this::run, 1, pool);
        CompactionResult r = ex.results(List.of(5L)).get(0);
        assertThat(r.getPlanId()).isEqualTo(5);
        assertThat(r.getState()).isEqualTo(CompactionTaskState.FAILED);
        assertThat(r.getFailReason()).contains("not known");
    }

    @Test
    void droppingAPlanForgetsItAndCancelsItsRunWhoseSlotStaysBusyUntilItStops() {
        CompactionExecutor ex = new CompactionExecutor(this::run, 1, pool);
        ex.submit(plan(1));
        ex.dropPlans(List.of(1L));
        assertThat(ex.results(List.of(1L)).get(0).getState()).isEqualTo(CompactionTaskState.FAILED);
        assertThat(ex.freeSlots()).isZero();
        pool.runNext();
        assertThat(cancelFlags.get(0).getAsBoolean()).isTrue();
        assertThat(ex.freeSlots()).isEqualTo(1);
        assertThat(ex.results(List.of())).isEmpty();

        ex.submit(plan(2));
        pool.runNext();
        ex.dropPlans(List.of(2L, 7L));
        assertThat(ex.results(List.of())).isEmpty();
        assertThat(cancelFlags.get(1).getAsBoolean()).isTrue();
    }
}
