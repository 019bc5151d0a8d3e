package io.quiver.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A throughput probe for {@link LocalWal#produce} (not a test; speed lives in benchmarks):
 * P producer threads append M-byte messages to one channel for a fixed time.
 *
 * <pre>
 * ./mvnw -q -pl common-storage test-compile
 * ./mvnw -q -pl common-storage dependency:build-classpath -Dmdep.outputFile=/tmp/cs-cp.txt -Dmdep.includeScope=test
 * $JAVA_HOME/bin/java -cp common-storage/target/classes:common-storage/target/test-classes:$(cat /tmp/cs-cp.txt) \
 *     io.quiver.storage.LocalWalThroughput /work/walbench 5 65536 1 4 16   # [dir] [seconds] [messageBytes] [producers...]
 * </pre>
 */
public final class LocalWalThroughput {
    private LocalWalThroughput() {}

    public static void main(String[] args) throws Exception {
        Path base = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("walbench");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 64 * 1024;
        int[] producerCounts = args.length > 3
                ? java.util.Arrays.stream(args, 3, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {1, 4, 16};
        System.out.printf("dir=%s seconds=%d messageBytes=%d%n", base, seconds, size);
        for (int producers : producerCounts) {
            Path dir = base.resolve("p" + producers);
            try (LocalWal wal = new LocalWal(dir)) {
                run(wal, "bench", 1, size, 1); // warm-up (JIT, file creation)
                run(wal, "bench", producers, size, seconds);
            }
            deleteRecursively(dir);
        }
    }

    private static void run(LocalWal wal, String channel, int producers, int size, int seconds) throws Exception {
        byte[] payload = new byte[size];
        new java.util.Random(42).nextBytes(payload);
        LongAdder count = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < producers; i++) {
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                while (!stop.get()) {
                    wal.produce(channel, payload);
                    count.increment();
                }
            });
            threads.add(t);
        }
        long fsync0 = wal.fsyncCount(channel);
        long t0 = System.nanoTime();
        start.countDown();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long n = count.sum();
        long fsyncs = wal.fsyncCount(channel) - fsync0;
        if (seconds > 1) {
            System.out.printf("producers=%d messages=%d msgPerSec=%.0f MBPerSec=%.1f fsyncs=%d msgPerFsync=%.1f%n",
                    producers, n, n / secs, n * (double) size / secs / (1 << 20), fsyncs, n / (double) Math.max(1, fsyncs));
        }
    }

    private static void deleteRecursively(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
