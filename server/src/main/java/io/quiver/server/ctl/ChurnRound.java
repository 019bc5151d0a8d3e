package io.quiver.server.ctl;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * One churn round: upsert, delete and insert a share of the live rows, then check the collection against the client's
 * model with Strong reads. The model follows only the writes the server acknowledged (a failed insert counts its ids as
 * never written; a failed upsert leaves those ids one version ahead until they are upserted again).
 */
final class ChurnRound {
    /** What a round (or a check-only pass) found: its problems (none: good) and the latencies of its checks. */
    record Outcome(List<String> problems, long countNanos, long[] searchNanos) {
        boolean ok() {
            return problems.isEmpty();
        }
    }

    private static final int SHOWN = 5;
    private final ChurnClient client;
    private final LiveRows model;
    private final ChurnOptions options;

    ChurnRound(ChurnClient client, LiveRows model, ChurnOptions options) {
        this.client = requireNonNull(client, "client is null");
        this.model = requireNonNull(model, "model is null");
        this.options = requireNonNull(options, "options is null");
    }

    /** Runs one round: the writes of a fresh plan, then every check on the upserted ids. */
    Outcome run() {
        LiveRows.Plan plan = model.plan(options.upsertPercent(), options.deletePercent(), options.insertPercent());
        List<String> problems = new ArrayList<>();
        model.upserted(plan.upserts());
        write("upsert", plan.upserts(), ids -> client.upsert(model, ids), problems);
        if (write("delete", plan.deletes(), client::delete, problems)) {
            model.deleted(plan.deletes());
        }
        model.inserted(plan.inserts());
        if (!write("insert", plan.inserts(), ids -> client.insert(model, ids), problems)) {
            model.deleted(plan.inserts());
        }
        return check(plan.upserts(), problems);
    }

    /** Writes {@code ids} in batches of {@code --batch}; false (and a problem) if any batch failed. */
    private boolean write(String what, long[] ids, Function<long[], Status> op, List<String> problems) {
        boolean ok = true;
        for (int from = 0; from < ids.length; from += options.batch()) {
            long[] part = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + options.batch()));
            try {
                Status s = op.apply(part);
                if (s.getCode() != 0) {
                    problems.add(what + " of " + part.length + " rows failed: " + s.getReason());
                    ok = false;
                }
            } catch (RuntimeException e) {
                problems.add(what + " of " + part.length + " rows failed: " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    /**
     * The checks: count(*) equals the model; sampled deleted ids are absent; sampled {@code upserted} ids (random live
     * ids when none) return one row with the latest ver and are top-1 when searched by their own vector.
     */
    Outcome check(long[] upserted, List<String> problems) {
        long countNanos = -1;
        long t0 = System.nanoTime();
        try {
            long count = client.count();
            countNanos = System.nanoTime() - t0;
            if (count != model.size()) {
                problems.add("count(*) = " + count + ", expected " + model.size() + " live rows");
            }
        } catch (RuntimeException e) {
            problems.add("count(*) failed: " + e.getMessage());
        }
        checkDeleted(problems);
        long[] sample = upserted.length == 0 ? model.sampleLive(options.sample()) : model.pick(upserted, options.sample());
        checkVersions(sample, problems);
        long[] searchNanos = selfSearch(sample, problems);
        return new Outcome(List.copyOf(problems), countNanos, searchNanos);
    }

    private void checkDeleted(List<String> problems) {
        long[] gone = model.sampleDeleted(options.sample());
        if (gone.length == 0) {
            return;
        }
        try {
            Map<Long, List<Long>> found = client.versions(gone);
            if (!found.isEmpty()) {
                problems.add(found.size() + " of " + gone.length + " deleted ids still returned, e.g. " + first(found.keySet().stream().toList()));
            }
        } catch (RuntimeException e) {
            problems.add("query of deleted ids failed: " + e.getMessage());
        }
    }

    private void checkVersions(long[] sample, List<String> problems) {
        if (sample.length == 0) {
            return;
        }
        try {
            Map<Long, List<Long>> found = client.versions(sample);
            List<String> wrong = new ArrayList<>();
            for (long id : sample) {
                List<Long> vers = found.getOrDefault(id, List.of());
                if (vers.size() != 1 || vers.get(0) != model.version(id)) {
                    wrong.add(id + " -> ver " + vers + " (want " + model.version(id) + ")");
                }
            }
            if (!wrong.isEmpty()) {
                problems.add(wrong.size() + " of " + sample.length + " upserted ids not exactly one row at the latest ver, e.g. " + first(wrong));
            }
        } catch (RuntimeException e) {
            problems.add("query of upserted ids failed: " + e.getMessage());
        }
    }

    private long[] selfSearch(long[] sample, List<String> problems) {
        long[] nanos = new long[sample.length];
        List<String> misses = new ArrayList<>();
        int n = 0;
        for (long id : sample) {
            long t0 = System.nanoTime();
            try {
                OptionalLong top = client.top1(model.vector(id), ConsistencyLevel.Strong);
                nanos[n++] = System.nanoTime() - t0;
                if (top.isEmpty() || top.getAsLong() != id) {
                    misses.add(id + " -> " + (top.isEmpty() ? "nothing" : top.getAsLong()));
                }
            } catch (RuntimeException e) {
                misses.add(id + " -> " + e.getMessage());
            }
        }
        if (!misses.isEmpty()) {
            problems.add(misses.size() + " of " + sample.length + " self-searches not top-1, e.g. " + first(misses));
        }
        return Arrays.copyOf(nanos, n);
    }

    private static <T> List<T> first(List<T> xs) {
        return xs.subList(0, Math.min(SHOWN, xs.size()));
    }
}
