package io.quiver.datanode.compaction;

import static java.util.Objects.requireNonNull;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionTaskState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs compaction plans in a fixed number of slots ({@code dataNode.slot.slotCap}) and keeps their results by
 * plan id until datacoord drops them.
 *
 * <p>A plan takes a slot from {@link #submit} until its run ends (also when it was dropped meanwhile: the thread
 * is busy until the run notices its cancel flag), so {@link #freeSlots} never promises a slot the pool does not
 * have. Submitting with no free slot fails with the retriable RESOURCE_INSUFFICIENT; submitting a plan id already
 * known is a no-op, so datacoord may retry a Compact call whose answer it lost.
 * Thread safety: the task map and the busy count are guarded by {@code this}; a task's result is a volatile field
 * written once by the thread that runs it.
 */
public final class CompactionExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(CompactionExecutor.class);

    /** What a slot runs: a plan and its cancel flag in, a result out (normally {@link Compactor#execute}). */
    @FunctionalInterface
    public interface PlanRunner {
        CompactionResult run(CompactionPlan plan, BooleanSupplier cancelled);
    }

    private static final class Task {
        final AtomicBoolean cancelled = new AtomicBoolean();
        volatile CompactionResult result;

        Task(long planId) {
            result = CompactionResult.newBuilder().setPlanId(planId).setState(CompactionTaskState.EXECUTING).build();
        }
    }

    private final PlanRunner runner;
    private final int slots;
    private final Executor pool;
    private final Map<Long, Task> tasks = new LinkedHashMap<>(); // guarded by this
    private int busy;                                             // guarded by this

    /** @param pool runs the plans; it must be able to run {@code slots} plans at once (e.g. a fixed pool of that size) */
    public CompactionExecutor(PlanRunner runner, int slots, Executor pool) {
        this.runner = requireNonNull(runner, "runner is null");
        this.pool = requireNonNull(pool, "pool is null");
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        }
        this.slots = slots;
    }

    /** Accepts a plan into a free slot; a plan id already held is accepted again without running twice. */
    public void submit(CompactionPlan plan) {
        requireNonNull(plan, "plan is null");
        long id = plan.getPlanId();
        Task task;
        synchronized (this) {
            if (tasks.containsKey(id)) {
                return;
            }
            if (busy >= slots) {
                throw QuiverException.of(ErrorCode.RESOURCE_INSUFFICIENT, "no free compaction slot (%d of %d busy) for plan %d", busy, slots, id);
            }
            task = new Task(id);
            tasks.put(id, task);
            busy++;
        }
        LOG.info("compaction plan accepted planId={} type={} segments={} l0Segments={}", id, plan.getType(),
                plan.getSegmentsCount(), plan.getL0SegmentsCount());
        try {
            pool.execute(() -> run(plan, task));
        } catch (RuntimeException e) {
            synchronized (this) {
                tasks.remove(id);
                busy--;
            }
            throw QuiverException.of(ErrorCode.RESOURCE_INSUFFICIENT, "compaction pool refused plan %d: %s", id, e);
        }
    }

    private void run(CompactionPlan plan, Task task) {
        try {
            task.result = runner.run(plan, task.cancelled::get);
        } catch (RuntimeException | Error e) {
            if (!task.cancelled.get()) {
                LOG.warn("compaction plan failed planId={}: {}", plan.getPlanId(), e.toString(), e);
            }
            task.result = CompactionResult.newBuilder().setPlanId(plan.getPlanId()).setState(CompactionTaskState.FAILED)
                    .setFailReason(e.getMessage() == null ? e.toString() : e.getMessage()).build();
        } finally {
            synchronized (this) {
                busy--;
            }
        }
    }

    /** Results of the given plans (every plan held when {@code planIds} is empty); a plan not held reports FAILED. */
    public List<CompactionResult> results(Collection<Long> planIds) {
        List<CompactionResult> out = new ArrayList<>();
        synchronized (this) {
            if (planIds.isEmpty()) {
                tasks.values().forEach(t -> out.add(t.result));
                return out;
            }
            for (long id : planIds) {
                Task t = tasks.get(id);
                out.add(t != null ? t.result : CompactionResult.newBuilder().setPlanId(id).setState(CompactionTaskState.FAILED)
                        .setFailReason("compaction plan " + id + " is not known on this datanode").build());
            }
        }
        return out;
    }

    /** Forgets the plans' results and cancels those still running (their slots free up when their runs stop). */
    public void dropPlans(Collection<Long> planIds) {
        synchronized (this) {
            for (long id : planIds) {
                Task t = tasks.remove(id);
                if (t != null) {
                    t.cancelled.set(true);
                }
            }
        }
    }

    public int totalSlots() {
        return slots;
    }

    public synchronized int freeSlots() {
        return slots - busy;
    }
}
