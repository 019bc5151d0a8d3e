package io.quiver.server.ctl;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.SearchRequest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A search load of {@code threads} platform threads cycling through prepared requests until {@link #stop()}, each
 * search recorded in a {@link SearchSamples}. Every hit is checked against the ids deleted before the load started
 * (the set must not change while the load runs): a deleted id in the hits is a violation.
 */
final class SearchLoad {
    private final ChurnClient client;
    private final List<SearchRequest> queries;
    private final BitSet deleted;
    private final SearchSamples samples;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> workers = new ArrayList<>();
    private final long startNanos;

    private SearchLoad(ChurnClient client, List<SearchRequest> queries, BitSet deleted, SearchSamples samples) {
        this.client = requireNonNull(client, "client is null");
        this.queries = List.copyOf(queries);
        this.deleted = requireNonNull(deleted, "deleted is null");
        this.samples = requireNonNull(samples, "samples is null");
        this.startNanos = System.nanoTime();
    }

    /** Starts the load; {@code deleted} holds the ids (all >= 0) that no hit may name. */
    static SearchLoad start(ChurnClient client, List<SearchRequest> queries, BitSet deleted, SearchSamples samples, int threads) {
        SearchLoad load = new SearchLoad(client, queries, deleted, samples);
        for (int t = 0; t < threads; t++) {
            int first = t * queries.size() / threads;
            load.workers.add(Thread.ofPlatform().name("search-load-" + t).start(() -> load.work(first)));
        }
        return load;
    }

    long startNanos() {
        return startNanos;
    }

    private void work(int first) {
        for (int i = first; running.get(); i++) {
            long t0 = System.nanoTime();
            try {
                long[] hits = client.hits(queries.get(i % queries.size()));
                long end = System.nanoTime();
                samples.ok(end, end - t0);
                for (long id : hits) {
                    if (id >= 0 && id <= Integer.MAX_VALUE && deleted.get((int) id)) {
                        samples.violation(end);
                    }
                }
            } catch (RuntimeException e) {
                samples.failed(System.nanoTime());
                if (samples.failedTotal() <= 5) {
                    System.err.println("search failed: " + e.getMessage());
                }
            }
        }
    }

    /** Stops the load and waits for the searches in flight (each has a deadline); returns the time it was told to stop. */
    long stop() throws InterruptedException {
        long at = System.nanoTime();
        running.set(false);
        for (Thread w : workers) {
            w.join();
        }
        return at;
    }
}
