package io.quiver.server.ctl;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.Status;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code quiver loadtest --churn}: the churn benchmark of issue 10 (see {@link ChurnOptions#USAGE}). Sets up the
 * collection, runs rounds of upserts, deletes and inserts with Strong checks against the client's model
 * ({@link LiveRows}, {@link ChurnRound}), measures every --report-every rounds ({@link ChurnMeter}) and prints the
 * figures, the final table and the ratios ({@link ChurnReport}). Exit code 1 if any round was bad.
 */
public final class ChurnTest {
    /** Check-only passes behind the start, end and fresh measurements (so their latencies have a few samples). */
    static final int CHECK_PASSES = 3;
    private final ChurnOptions options;
    private final MilvusServiceBlockingStub stub;
    private final PrintStream out;
    private final List<ChurnReport.Row> rows = new ArrayList<>();
    private int badRounds;

    ChurnTest(ChurnOptions options, MilvusServiceBlockingStub stub, PrintStream out) {
        this.options = requireNonNull(options, "options is null");
        this.stub = requireNonNull(stub, "stub is null");
        this.out = requireNonNull(out, "out is null");
    }

    public static int main(String[] args, PrintStream out) throws Exception {
        ChurnOptions o;
        try {
            o = ChurnOptions.parse(args);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(ChurnOptions.USAGE);
            return 2;
        }
        if (o == null) {
            out.println(ChurnOptions.USAGE);
            return 0;
        }
        ManagedChannel ch = MilvusRpc.channel(o.address());
        try {
            return new ChurnTest(o, MilvusServiceGrpc.newBlockingStub(ch), out).run();
        } catch (IllegalStateException | StatusRuntimeException e) {
            out.println("churn benchmark failed: " + e.getMessage());
            return 1;
        } finally {
            ch.shutdownNow();
        }
    }

    int run() throws InterruptedException {
        ChurnClient client = new ChurnClient(stub, options.collection(), options.metric(), options.ef());
        LiveRows model = new LiveRows(options.seed(), options.dim(), 1);
        out.printf("churn: %s at %s, dim %d %s, preload %d, %d s, rounds of upsert %.2f %% / delete %.2f %% / insert %.2f %%, seed %d%n",
                options.collection(), options.address(), options.dim(), options.metric(), options.preload(), options.durationSeconds(),
                options.upsertPercent(), options.deletePercent(), options.insertPercent(), options.seed());
        model.inserted(model.newIds(options.preload()));
        if (!setUp(client, model)) {
            return 1;
        }
        ChurnMeter meter = new ChurnMeter(client, options);
        ChurnRound round = new ChurnRound(client, model, options);
        out.println(ChurnReport.HEADER);
        ChurnFigures start = checkAndMeasure("start", round, meter, model);
        int rounds = runRounds(round, meter, model);
        if (options.finalWaitSeconds() > 0) {
            out.printf("waiting %d s (--final-wait)%n", options.finalWaitSeconds());
            Thread.sleep(options.finalWaitSeconds() * 1000);
        }
        ChurnFigures end = checkAndMeasure("end", round, meter, model);
        String sources = meter.sources();
        ChurnFigures fresh = null;
        long freshBytes = -1;
        if (options.freshCompare()) {
            long before = ChurnMeter.bytesStored(options.measureDirs());
            fresh = fresh(client, model);
            freshBytes = fresh == null || before < 0 ? -1 : fresh.bytesStored() - before;
        }
        out.printf("%n%d rounds, %d bad%n", rounds, badRounds);
        ChurnReport.table(rows).forEach(out::println);
        out.println("sources: " + sources);
        if (fresh != null) {
            out.println("fresh storage: the bytes " + options.collection() + "_fresh added to the measured directories (" + freshBytes + ")");
        }
        out.println("ratios:");
        ChurnReport.ratios(start, end, fresh, freshBytes).forEach(r -> out.println(r.format()));
        return badRounds == 0 ? 0 : 1;
    }

    /** Recreates the collection, inserts the model's live rows, flushes, waits for the index and loads. */
    private boolean setUp(ChurnClient client, LiveRows model) throws InterruptedException {
        client.recreate(options.dim(), options.shards());
        long[] ids = model.liveIds();
        long t0 = System.nanoTime();
        for (int from = 0; from < ids.length; from += options.batch()) {
            long[] part = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + options.batch()));
            Status s = client.insert(model, part);
            MilvusRpc.check(s, "insert into " + client.collection());
        }
        out.printf("%s: inserted %d rows in %.1f s; flushing, indexing, loading%n", client.collection(), ids.length, (System.nanoTime() - t0) / 1e9);
        return (ids.length == 0 || MilvusRpc.flushAndWait(stub, client.collection(), out)) && MilvusRpc.loadAndWait(stub, client.collection(), 1, out);
    }

    /** Rounds until --duration is over; a report line every --report-every rounds and after the last round. */
    private int runRounds(ChurnRound round, ChurnMeter meter, LiveRows model) throws InterruptedException {
        long end = System.nanoTime() + options.durationSeconds() * 1_000_000_000L;
        OpStats counts = new OpStats(10_000);
        OpStats searches = new OpStats(100_000);
        int n = 0;
        long interval = (long) (options.roundIntervalSeconds() * 1e9);
        long nextStart = System.nanoTime();
        while (System.nanoTime() < end) {
            long wait = Math.min(nextStart, end) - System.nanoTime(); // --round-interval, never past --duration
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000);
            }
            if (System.nanoTime() >= end) {
                break;
            }
            nextStart = System.nanoTime() + interval;
            n++;
            record(round.run(), "round " + n, counts, searches);
            if (n % options.reportEvery() == 0 || System.nanoTime() >= end) {
                ChurnFigures f = meter.measure(model.written(), model, counts, searches, badRounds);
                print("round " + n, f);
                counts = new OpStats(10_000);
                searches = new OpStats(100_000);
            }
        }
        return n;
    }

    private void record(ChurnRound.Outcome o, String what, OpStats counts, OpStats searches) {
        if (o.countNanos() >= 0) {
            counts.record(o.countNanos(), true, 1);
        }
        for (long s : o.searchNanos()) {
            searches.record(s, true, 1);
        }
        if (!o.ok()) {
            badRounds++;
            out.println(what + " bad: " + String.join("; ", o.problems()));
        }
    }

    /** {@link #CHECK_PASSES} check-only passes (a failing one counts as a bad round), then a measurement. */
    private ChurnFigures checkAndMeasure(String label, ChurnRound round, ChurnMeter meter, LiveRows model) throws InterruptedException {
        OpStats counts = new OpStats(100);
        OpStats searches = new OpStats(10_000);
        for (int i = 0; i < CHECK_PASSES; i++) {
            record(round.check(new long[0], new ArrayList<>()), label + " check", counts, searches);
        }
        ChurnFigures f = meter.measure(label.equals("fresh") ? model.size() : model.written(), model, counts, searches, badRounds);
        print(label, f);
        return f;
    }

    private void print(String label, ChurnFigures f) {
        out.println(ChurnReport.line(label, f));
        out.flush();
        rows.add(new ChurnReport.Row(label, f));
    }

    /** Releases the churned collection and loads its live rows into a fresh one; null if that collection did not come up. */
    private ChurnFigures fresh(ChurnClient churned, LiveRows model) throws InterruptedException {
        churned.release();
        ChurnClient client = new ChurnClient(stub, options.collection() + "_fresh", options.metric(), options.ef());
        if (!setUp(client, model)) {
            return null;
        }
        return checkAndMeasure("fresh", new ChurnRound(client, model, options), new ChurnMeter(client, options), model);
    }
}
