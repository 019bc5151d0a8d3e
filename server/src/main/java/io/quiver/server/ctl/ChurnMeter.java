package io.quiver.server.ctl;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.SearchRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes the churn benchmark's measurements of one collection: querynode entities and memory, bytes stored, flushed
 * segments and a fixed search phase. Remembers which source each figure came from ({@link #sources()}).
 */
final class ChurnMeter {
    static final String MEMORY_METRIC = "quiver_querynode_memory_bytes";
    private static final int QPS_QUERIES = 256;
    private final ChurnClient client;
    private final ChurnOptions options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String memorySource = "?";
    private String segmentSource = "?";
    private int loadedCollections;

    ChurnMeter(ChurnClient client, ChurnOptions options) {
        this.client = requireNonNull(client, "client is null");
        this.options = requireNonNull(options, "options is null");
    }

    /** Measures now; {@code countMs} and {@code searchP99Ms} come from the caller's checks of the period. */
    ChurnFigures measure(long rowsWritten, LiveRows model, OpStats counts, OpStats searches, int badRounds) throws InterruptedException {
        long sealedRows = -1;
        long sealedSegments = -1;
        try {
            long[] s = client.sealedRowsAndSegments();
            sealedRows = s[0];
            sealedSegments = s[1];
        } catch (RuntimeException e) {
            System.err.println("GetQuerySegmentInfo failed: " + e.getMessage());
        }
        ServerFigures server = null;
        try {
            server = ServerFigures.fromSystemInfo(client.systemInfo());
            loadedCollections = server.loadedCollections();
        } catch (RuntimeException e) {
            System.err.println("GetMetrics(system_info) failed: " + e.getMessage());
        }
        long entities = sealedRows < 0 || server == null ? -1 : sealedRows + server.growingRows();
        OptionalLong flushed = client.flushedSegments();
        segmentSource = flushed.isPresent() ? "GetPersistentSegmentInfo (Flushed, not L0)" : "GetQuerySegmentInfo (loaded sealed segments)";
        return new ChurnFigures(rowsWritten, model.size(), entities, memory(server), bytesStored(options.measureDirs()),
                flushed.orElse(sealedSegments), counts.percentile(0.5) / 1e6, searches.percentile(0.99) / 1e6, searchQps(model), badRounds);
    }

    private long memory(ServerFigures server) throws InterruptedException {
        if (options.metricsAddress() != null) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + options.metricsAddress() + "/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                long v = ServerFigures.sumPrometheus(r.body(), MEMORY_METRIC);
                if (v >= 0) {
                    memorySource = MEMORY_METRIC + " at " + options.metricsAddress();
                    return v;
                }
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("metrics scrape failed: " + e.getMessage());
            }
        }
        memorySource = "system_info memory_bytes of the querynodes";
        return server == null ? -1 : server.memoryBytes();
    }

    /** Sum of the sizes of the regular files under {@code dirs}; files that vanish during the walk are skipped. */
    static long bytesStored(List<Path> dirs) {
        if (dirs.isEmpty()) {
            return -1;
        }
        AtomicLong total = new AtomicLong();
        for (Path d : dirs) {
            try {
                Files.walkFileTree(d, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile()) {
                            total.addAndGet(attrs.size());
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                System.err.println("cannot measure " + d + ": " + e.getMessage());
            }
        }
        return total.get();
    }

    /** The QPS of --qps-threads threads searching random vectors (top-10, Eventually) for --qps-seconds; -1 if disabled. */
    double searchQps(LiveRows model) throws InterruptedException {
        if (options.qpsSeconds() <= 0) {
            return -1;
        }
        List<SearchRequest> queries = new ArrayList<>();
        for (int i = 0; i < QPS_QUERIES; i++) {
            queries.add(client.searchRequest(model.randomVector(), 10, ConsistencyLevel.Eventually));
        }
        AtomicLong ok = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (options.qpsSeconds() * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < options.qpsThreads(); t++) {
            int first = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = first; System.nanoTime() < end; i++) {
                    try {
                        if (client.searchOk(queries.get(i % queries.size()))) {
                            ok.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        // an error is not counted as a query
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return ok.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Which source each figure came from (as of the last measurement), for the report. */
    String sources() {
        return "querynode entities: sealed rows of the collection (GetQuerySegmentInfo) + growing rows of all loaded collections"
                + " (system_info: querynode rows - rows_per_querynode; " + loadedCollections + " collection(s) loaded)"
                + "; querynode memory: " + memorySource + "; flushed segments: " + segmentSource
                + "; bytes stored: " + (options.measureDirs().isEmpty() ? "no --measure-dir" : "files under " + options.measureDirs());
    }
}
