package io.quiver.tests.fuzz;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the server's heap from its Prometheus endpoint ({@code jvm_memory_used_bytes} and
 * {@code jvm_memory_max_bytes} of the heap pools, summed) once a second while a fuzz run goes on.
 */
final class HeapMonitor implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI metrics;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private long maxUsed;
    private long heapMax;
    private long samples;
    private long failures;

    HeapMonitor(int metricsPort) {
        this.metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        timer.scheduleWithFixedDelay(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            String body = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long used = sum(body, "jvm_memory_used_bytes{area=\"heap\"");
            long max = sum(body, "jvm_memory_max_bytes{area=\"heap\"");
            synchronized (this) {
                maxUsed = Math.max(maxUsed, used);
                heapMax = Math.max(heapMax, max);
                samples++;
            }
        } catch (IOException | RuntimeException e) {
            synchronized (this) {
                failures++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The sum of the values of the lines starting with {@code prefix} (negative values, "undefined", are skipped). */
    static long sum(String prometheusText, String prefix) {
        long total = 0;
        for (String line : prometheusText.split("\n")) {
            if (line.startsWith(prefix)) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (v > 0) {
                    total += (long) v;
                }
            }
        }
        return total;
    }

    synchronized long maxUsed() {
        return maxUsed;
    }

    synchronized long heapMax() {
        return heapMax;
    }

    synchronized long samples() {
        return samples;
    }

    synchronized long failures() {
        return failures;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    @Override
    public synchronized String toString() {
        return "heap max used " + (maxUsed >> 20) + " MiB of " + (heapMax >> 20) + " MiB (" + samples + " samples, " + failures + " failed)";
    }
}
