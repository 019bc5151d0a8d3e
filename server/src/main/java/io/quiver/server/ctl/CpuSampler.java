package io.quiver.server.ctl;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * Samples the server's {@code process_cpu_usage} (Micrometer's ProcessorMetrics: the process' share of all CPUs,
 * 0..1) from its Prometheus endpoint once a second on a daemon thread, so the mean of any window can be read
 * afterwards. A failed scrape is skipped (reported once).
 */
final class CpuSampler {
    static final String METRIC = "process_cpu_usage";
    private final String address;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private long[] at = new long[256];
    private double[] value = new double[256];
    private int size;
    private volatile boolean running = true;
    private boolean warned;

    private CpuSampler(String address) {
        this.address = address;
    }

    /** Starts sampling {@code address} (HOST:PORT). */
    static CpuSampler start(String address) {
        CpuSampler s = new CpuSampler(address);
        Thread.ofPlatform().daemon().name("cpu-sampler").start(s::loop);
        return s;
    }

    private void loop() {
        while (running) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                double v = ServerFigures.prometheusValue(r.body(), METRIC);
                if (!Double.isNaN(v)) {
                    add(System.nanoTime(), v);
                }
                Thread.sleep(1000);
            } catch (IOException | IllegalArgumentException e) {
                if (!warned) {
                    warned = true;
                    System.err.println("metrics scrape of " + address + " failed: " + e.getMessage());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void add(long nanos, double v) {
        if (size == at.length) {
            at = Arrays.copyOf(at, size * 2);
            value = Arrays.copyOf(value, size * 2);
        }
        at[size] = nanos;
        value[size++] = v;
    }

    void stop() {
        running = false;
    }

    /** The mean sample taken in [{@code from}, {@code to}); NaN when there is none. */
    synchronized double mean(long from, long to) {
        return mean(at, value, size, from, to);
    }

    static double mean(long[] at, double[] value, int size, long from, long to) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (at[i] >= from && at[i] < to) {
                sum += value[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
