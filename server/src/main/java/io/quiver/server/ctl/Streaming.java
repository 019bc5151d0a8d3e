package io.quiver.server.ctl;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.MilvusServiceGrpc.MilvusServiceBlockingStub;
import io.milvus.grpc.SearchRequest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code quiver loadtest --streaming}: search QPS idle and while rows stream in at a fixed rate (issue 13, see
 * {@link StreamingOptions#USAGE}). Exit code 1 if a search or an insert failed.
 */
final class Streaming {
    private static final int QUERIES = 256;
    private final StreamingOptions options;
    private final MilvusServiceBlockingStub stub;
    private final PrintStream out;

    private Streaming(StreamingOptions options, MilvusServiceBlockingStub stub, PrintStream out) {
        this.options = requireNonNull(options, "options is null");
        this.stub = requireNonNull(stub, "stub is null");
        this.out = requireNonNull(out, "out is null");
    }

    static int main(String[] args, PrintStream out) throws InterruptedException {
        StreamingOptions o;
        int[] exit = {0};
        try {
            o = StreamingOptions.parse(args, out, exit);
        } catch (IllegalArgumentException e) {
            out.println(e.getMessage());
            out.println(StreamingOptions.USAGE);
            return 2;
        }
        if (o == null) {
            return exit[0];
        }
        return MilvusRpc.withStub(o.address(), "streaming benchmark", out, stub -> new Streaming(o, stub, out).run());
    }

    private int run() throws InterruptedException {
        ChurnClient client = new ChurnClient(stub, options.collection(), "L2", options.ef());
        LiveRows model = new LiveRows(options.seed(), options.dim(), 1);
        out.printf("streaming: %s at %s, dim %d, preload %d, %d search threads, %d s phases, insert %d rows/s in batches of %d%n",
                options.collection(), options.address(), options.dim(), options.preload(), options.threads(), options.phaseSeconds(),
                options.rate(), options.insertBatch());
        if (!preload(client, model)) {
            return 1;
        }
        List<SearchRequest> queries = new ArrayList<>();
        for (int i = 0; i < QUERIES; i++) {
            queries.add(client.searchRequest(model.randomVector(), StreamingOptions.TOPK, ConsistencyLevel.Bounded));
        }
        CpuSampler cpu = options.metricsAddress().isEmpty() ? null : CpuSampler.start(options.metricsAddress());
        try {
            searchPhase(client, queries, options.warmupSeconds(), cpu, "0 warm-up");
            CompactionQpsReport.Phase idle = searchPhase(client, queries, options.phaseSeconds(), cpu, "1 idle");
            SearchSamples samples = new SearchSamples();
            SearchLoad load = SearchLoad.start(client, queries, new BitSet(), samples, options.threads());
            PacedInserter inserter = new PacedInserter(n -> client.insert(model, newRows(model, n)).getCode() == 0, options.insertBatch(),
                    options.rate(), System::nanoTime, nanos -> TimeUnit.NANOSECONDS.sleep(nanos));
            PacedInserter.Result inserted = inserter.run(load.startNanos() + options.phaseSeconds() * 1_000_000_000L);
            long stopped = load.stop();
            CompactionQpsReport.Phase streaming = CompactionQps.phase("2 streaming inserts", samples, load.startNanos(), stopped, cpu);
            out.println();
            StreamingReport.lines(idle, streaming, new StreamingReport.Inserts(options.rate(), inserted, inserter.percentileMs(0.5),
                    inserter.percentileMs(0.99))).forEach(out::println);
            long failed = idle.window().failed() + streaming.window().failed() + inserted.failedBatches();
            out.println(failed == 0 ? "run OK" : "BAD RUN: " + failed + " failed searches or inserts");
            return failed == 0 ? 0 : 1;
        } finally {
            if (cpu != null) {
                cpu.stop();
            }
        }
    }

    private static long[] newRows(LiveRows model, int n) {
        long[] ids = model.newIds(n);
        model.inserted(ids);
        return ids;
    }

    /** Recreates the collection, inserts --preload rows, flushes, waits for the index and loads. */
    private boolean preload(ChurnClient client, LiveRows model) throws InterruptedException {
        client.recreate(options.dim(), options.shards());
        long t0 = System.nanoTime();
        for (int done = 0; done < options.preload(); done += options.batch()) {
            long[] ids = newRows(model, Math.min(options.batch(), options.preload() - done));
            MilvusRpc.check(client.insert(model, ids), "insert into " + client.collection());
        }
        out.printf("inserted %d rows in %.1f s; flushing, indexing%n", options.preload(), (System.nanoTime() - t0) / 1e9);
        return MilvusRpc.flushIndexAndLoad(stub, client.collection(), out);
    }

    private CompactionQpsReport.Phase searchPhase(ChurnClient client, List<SearchRequest> queries, long seconds, CpuSampler cpu, String label)
            throws InterruptedException {
        SearchSamples samples = new SearchSamples();
        SearchLoad load = SearchLoad.start(client, queries, new BitSet(), samples, options.threads());
        Thread.sleep(seconds * 1000);
        long stopped = load.stop();
        CompactionQpsReport.Phase p = CompactionQps.phase(label, samples, load.startNanos(), stopped, cpu);
        out.println(CompactionQpsReport.line(p));
        out.flush();
        return p;
    }
}
