package io.quiver.tests.bench;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.FloatVec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A search-rate quota as SDK users see it: {@code --threads} Java SDK v2 clients with the SDK's default retry policy
 * (code 8 is retried with backoff) search an existing loaded collection for {@code --seconds}, more demand than the
 * server's {@code quotaAndLimits.dql.searchRate.max}; prints the searches completed per second (what the quota
 * admitted) and the calls that gave up. Run against a server started with a search rate, e.g. after
 * {@code quiver loadtest} created the collection:
 *
 * <pre>
 * ./mvnw -q -pl tests exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.quiver.tests.bench.RateLimitBench \
 *   -Dexec.args="http://127.0.0.1:19530 loadtest 128 16 60"
 * </pre>
 * Arguments: uri, collection, dimension, threads, seconds.
 */
public final class RateLimitBench {
    private RateLimitBench() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String coll = args[1];
        int dim = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        long seconds = Long.parseLong(args[4]);
        AtomicLong done = new AtomicLong();
        AtomicLong gaveUp = new AtomicLong();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int seed = t;
            workers.add(Thread.ofPlatform().start(() -> {
                MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri(uri).build());
                Random r = new Random(seed);
                try {
                    while (System.nanoTime() < end) {
                        float[] q = new float[dim];
                        for (int i = 0; i < dim; i++) q[i] = r.nextFloat();
                        try {
                            c.search(SearchReq.builder().collectionName(coll).data(List.of(new FloatVec(q))).topK(10).annsField("vector")
                                    .consistencyLevel(ConsistencyLevel.EVENTUALLY).build());
                            done.incrementAndGet();
                        } catch (MilvusClientException e) {
                            gaveUp.incrementAndGet();
                        }
                    }
                } finally {
                    c.close();
                }
            }));
        }
        for (Thread w : workers) {
            w.join();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("{\"threads\":%d,\"seconds\":%.1f,\"searches\":%d,\"per_second\":%.2f,\"gave_up\":%d}%n", threads, secs, done.get(),
                done.get() / secs, gaveUp.get());
    }
}
