package io.quiver.proxy.accesslog;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes access log lines off the request path: a request thread only offers its record to a bounded queue; one
 * daemon thread formats, writes and flushes whenever the queue runs empty. When the queue is full (the disk cannot
 * keep up) a record is dropped and counted in {@code quiver_proxy_access_log_dropped}, never waited for: the log
 * must not slow or stall requests.
 */
public final class AccessLogWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogWriter.class);
    private static final int CAPACITY = 65_536;

    private final BlockingQueue<AccessRecord> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AccessLogFormat format;
    private final Writer out;
    private final boolean ownsOut;
    private final Counter dropped;
    private final Thread thread;
    private volatile boolean closing;

    /** Appends to {@code file} (its directory is created), or writes to standard output when {@code file} is null. */
    public static AccessLogWriter open(Path file, AccessLogFormat format, MeterRegistry registry) throws IOException {
        if (file == null) {
            return new AccessLogWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false, format, registry);
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return new AccessLogWriter(w, true, format, registry);
    }

    AccessLogWriter(Writer out, boolean ownsOut, AccessLogFormat format, MeterRegistry registry) {
        this.out = requireNonNull(out, "out is null");
        this.ownsOut = ownsOut;
        this.format = requireNonNull(format, "format is null");
        this.dropped = registry.counter("quiver_proxy_access_log_dropped");
        this.thread = Thread.ofPlatform().daemon().name("proxy-access-log").start(this::run);
    }

    /** Queues one record; never blocks. */
    public void log(AccessRecord r) {
        if (closing || !queue.offer(r)) {
            dropped.increment();
        }
    }

    private void run() {
        List<AccessRecord> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty()) {
            try {
                AccessRecord first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch);
                for (AccessRecord r : batch) {
                    out.write(format.format(r));
                    out.write('\n');
                }
                batch.clear();
                out.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                dropped.increment(batch.size());
                batch.clear();
                LOG.warn("access log write failed: {}", e.toString());
            }
        }
    }

    /** Writes what is queued, then stops (waits at most five seconds). */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (ownsOut) {
                out.close();
            } else {
                out.flush();
            }
        } catch (IOException e) {
            LOG.warn("access log close failed: {}", e.toString());
        }
    }
}
