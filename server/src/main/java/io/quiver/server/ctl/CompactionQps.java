package io.quiver.server.ctl;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.SearchRequest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code quiver loadtest --compaction-qps}: search QPS before, while and after a manual compaction of a collection
 * with many deleted rows (issue 10, see {@link CompactionQpsOptions#USAGE}). Exit code 1 if a search failed, a
 * deleted id came back, count(*) was wrong, or the compaction did not finish in time.
 */
public final class CompactionQps {
    private static final int QUERIES = 256;
    private static final long POLL_MS = 500;
    private final CompactionQpsOptions options;
    private final MilvusServiceBlockingStub stub;
    private final PrintStream out;
    private final List<SearchSamples> all = new ArrayList<>();

    CompactionQps(CompactionQpsOptions options, MilvusServiceBlockingStub stub, PrintStream out) {
        this.options = requireNonNull(options, "options is null");
        this.stub = requireNonNull(stub, "stub is null");
        this.out = requireNonNull(out, "out is null");
    }

    public static int main(String[] args, PrintStream out) throws Exception {
        CompactionQpsOptions o;
        try {
            o = CompactionQpsOptions.parse(args);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(CompactionQpsOptions.USAGE);
            return 2;
        }
        if (o == null) {
            out.println(CompactionQpsOptions.USAGE);
            return 0;
        }
        return MilvusRpc.withStub(o.address(), "compaction QPS benchmark", out, stub -> new CompactionQps(o, stub, out).run());
    }

    /**
     * The ids to delete: each of {@code ids} with probability {@code pct} % (a seeded draw, so spread uniformly over
     * every segment), sorted.
     */
    static long[] pickDeletes(long[] ids, double pct, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return Arrays.stream(ids).filter(x -> r.nextDouble() * 100 < pct).sorted().toArray();
    }

    int run() throws InterruptedException {
        ChurnClient client = new ChurnClient(stub, options.collection(), options.metric(), options.ef());
        CompactionRpc rpc = new CompactionRpc(stub, options.collection());
        LiveRows model = new LiveRows(options.seed(), options.dim(), 1);
        out.printf("compaction-qps: %s at %s, dim %d %s, preload %d, %d threads, %d s phases, %s, top-%d ef %d, delete %.1f %%%n",
                options.collection(), options.address(), options.dim(), options.metric(), options.preload(), options.threads(),
                options.phaseSeconds(), options.consistency(), CompactionQpsOptions.TOPK, options.ef(), options.deletePercent());
        long[] ids = model.newIds(options.preload());
        model.inserted(ids);
        if (!setUp(client, model, ids)) {
            return 1;
        }
        List<SearchRequest> queries = new ArrayList<>();
        for (int i = 0; i < QUERIES; i++) {
            queries.add(client.searchRequest(model.randomVector(), CompactionQpsOptions.TOPK, options.consistency()));
        }
        CpuSampler cpu = options.metricsAddress() == null ? null : CpuSampler.start(options.metricsAddress());
        try {
            return measure(client, rpc, queries, ids, cpu);
        } finally {
            if (cpu != null) {
                cpu.stop();
            }
        }
    }

    private int measure(ChurnClient client, CompactionRpc rpc, List<SearchRequest> queries, long[] ids, CpuSampler cpu)
            throws InterruptedException {
        List<CompactionQpsReport.Phase> phases = new ArrayList<>();
        // warm-up (not reported): the first seconds of search load run before the JIT has compiled the search path,
        // which would make the idle baseline look slower than the later phases
        timedPhase("0 warm-up", client, queries, new BitSet(), cpu);
        CompactionQpsReport.Phase idle = timedPhase("1 idle", client, queries, new BitSet(), cpu);
        phases.add(idle);
        long[] deletes = pickDeletes(ids, options.deletePercent(), options.seed() + 1);
        BitSet deleted = new BitSet();
        Arrays.stream(deletes).forEach(x -> deleted.set((int) x));
        boolean ok = deleteAndWait(client, rpc, deletes);
        // the same idle load on the data the compaction starts from (deleted rows hidden, not yet removed): the
        // baseline that isolates what the compaction itself costs searches
        Set<Long> flushedBefore = rpc.segments().flushed();
        CompactionQpsReport.Phase idleDeleted = timedPhase("1b idle, deletes applied", client, queries, deleted, cpu);
        phases.add(idleDeleted);
        Set<Long> flushedAfterIdle = rpc.segments().flushed();
        if (!flushedAfterIdle.equals(flushedBefore)) {
            out.println("note: the flushed segments changed during phase 1b (an automatic compaction ran): 1b was not idle");
        }
        flushedBefore = flushedAfterIdle;
        SearchSamples samples = sampled();
        SearchLoad load = SearchLoad.start(client, queries, deleted, samples, options.threads());
        long t0 = System.nanoTime();
        CompactionRpc.Started started = rpc.manualCompaction(rpc.collectionId());
        out.printf("ManualCompaction: id %d, %d plan(s), %d flushed segments before%n", started.compactionId(), started.plans(), flushedBefore.size());
        CompactionProgress progress = new CompactionProgress(t0, options.settleSeconds() * 1_000_000_000L, flushedBefore, rpc.loaded());
        long deadline = t0 + options.timeoutSeconds() * 1_000_000_000L;
        while (!progress.settled() && System.nanoTime() < deadline) {
            Thread.sleep(POLL_MS);
            progress.observe(System.nanoTime(), rpc.executing(started.compactionId()), rpc.segments().flushed(), rpc.loaded());
        }
        long stopped = load.stop();
        boolean finished = progress.settled();
        long activityEnd = progress.activityEndNanos();
        double overlap = (activityEnd - Math.max(load.startNanos(), t0)) / 1e9;
        CompactionQpsReport.Phase during = phase("2 during compaction", samples, t0, activityEnd, cpu);
        phases.add(during);
        phases.add(phase("2 whole (incl. settle)", samples, load.startNanos(), stopped, cpu));
        out.printf("compaction: Executing for %.1f s, segments last changed / handed off after %.1f s (%s, %s); search overlap %.1f s%s%n",
                progress.executingSeconds(), (activityEnd - t0) / 1e9, progress.segmentsChanged() ? "segments changed" : "NO segment change",
                progress.handedOff() ? "loaded = flushed" : "loaded != flushed", overlap, finished ? "" : " (NOT finished in --timeout)");
        phases.add(timedPhase("3 after compaction", client, queries, deleted, cpu));
        long count = client.count();
        long expected = ids.length - deletes.length;
        out.println();
        CompactionQpsReport.table(phases).forEach(out::println);
        out.println(CompactionQpsReport.ratioLine(idle, during));
        out.println(CompactionQpsReport.ratioLine(idleDeleted, during));
        out.printf("count(*) after: %d (expected %d); deleted %d ids; server CPU: %s%n", count, expected, deletes.length,
                cpu == null ? "no --metrics-address" : CpuSampler.METRIC + " at " + options.metricsAddress() + " (share of all cores)");
        long failed = all.stream().mapToLong(SearchSamples::failedTotal).sum();
        long violations = all.stream().mapToLong(SearchSamples::violationsTotal).sum();
        ok &= failed == 0 && violations == 0 && count == expected && finished;
        out.println(ok ? "run OK" : "BAD RUN: " + failed + " failed searches, " + violations + " deleted ids in hits, count " + count + "/" + expected
                + (finished ? "" : ", compaction not finished"));
        return ok ? 0 : 1;
    }

    private SearchSamples sampled() {
        SearchSamples s = new SearchSamples();
        all.add(s);
        return s;
    }

    /** Recreates the collection, inserts every id in batches, flushes, waits for the index and loads. */
    private boolean setUp(ChurnClient client, LiveRows model, long[] ids) throws InterruptedException {
        client.recreate(options.dim(), options.shards());
        long t0 = System.nanoTime();
        for (int from = 0; from < ids.length; from += options.batch()) {
            long[] part = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + options.batch()));
            MilvusRpc.check(client.insert(model, part), "insert into " + client.collection());
        }
        out.printf("inserted %d rows in %.1f s; flushing, indexing%n", ids.length, (System.nanoTime() - t0) / 1e9);
        return MilvusRpc.flushIndexAndLoad(stub, client.collection(), out);
    }

    /** Deletes in batches, flushes and waits (bounded) until no L0 segment is left; false if it did not happen in time. */
    private boolean deleteAndWait(ChurnClient client, CompactionRpc rpc, long[] deletes) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int from = 0; from < deletes.length; from += options.deleteBatch()) {
            MilvusRpc.check(client.delete(Arrays.copyOfRange(deletes, from, Math.min(deletes.length, from + options.deleteBatch()))), "delete");
        }
        out.printf("deleted %d ids in %.1f s; flushing%n", deletes.length, (System.nanoTime() - t0) / 1e9);
        if (!MilvusRpc.flushAndWait(stub, client.collection(), out)) {
            return false;
        }
        long t1 = System.nanoTime();
        long until = t1 + options.deleteWaitSeconds() * 1_000_000_000L;
        int l0;
        while ((l0 = rpc.segments().liveL0()) > 0 && System.nanoTime() < until) {
            Thread.sleep(1000);
        }
        out.printf(l0 == 0 ? "deletes applied (no L0 segment left) after %.1f s%n" : "%.1f s later still " + l0 + " L0 segment(s): going on%n",
                (System.nanoTime() - t1) / 1e9);
        out.flush();
        return true;
    }

    /** Runs the search load for --phase-seconds. */
    private CompactionQpsReport.Phase timedPhase(String label, ChurnClient client, List<SearchRequest> queries, BitSet deleted, CpuSampler cpu)
            throws InterruptedException {
        SearchSamples samples = sampled();
        SearchLoad load = SearchLoad.start(client, queries, deleted, samples, options.threads());
        Thread.sleep(options.phaseSeconds() * 1000);
        long stopped = load.stop();
        CompactionQpsReport.Phase p = phase(label, samples, load.startNanos(), stopped, cpu);
        out.println(CompactionQpsReport.line(p));
        out.flush();
        return p;
    }

    /** The figures of {@code samples} in [{@code from}, {@code to}) and the server's mean CPU share then (NaN without a sampler). */
    static CompactionQpsReport.Phase phase(String label, SearchSamples samples, long from, long to, CpuSampler cpu) {
        return new CompactionQpsReport.Phase(label, samples.window(from, to), cpu == null ? Double.NaN : cpu.mean(from, to));
    }
}
