package io.quiver.common.metrics;

import static java.util.Objects.requireNonNull;

import com.sun.management.ThreadMXBean;
import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The runtime families Milvus' dashboard reads that a JVM can export honestly (see docs/architecture.md,
 * "Metrics"): the standard {@code process_*} names from the operating system, and the {@code go_*} names whose
 * meaning carries over (OS threads, heap bytes in use, bytes allocated). Go-only figures (goroutines, malloc and
 * free counts, live objects, next-GC target, GC CPU fraction) are not exported. Written straight into the scrape
 * text: the Java client forbids a gauge and a counter that differ only by {@code _total}
 * ({@code go_memstats_alloc_bytes} and {@code go_memstats_alloc_bytes_total}).
 */
public final class RuntimeMetrics {
    private final Path procStatus;
    private final long startMillis;

    /** @param procStatus the process' {@code /proc/self/status}; absent elsewhere than Linux, then those lines are left out */
    public RuntimeMetrics(Path procStatus) {
        this.procStatus = requireNonNull(procStatus, "procStatus is null");
        this.startMillis = ManagementFactory.getRuntimeMXBean().getStartTime();
    }

    public static RuntimeMetrics ofThisProcess() {
        return new RuntimeMetrics(Path.of("/proc/self/status"));
    }

    public void appendTo(StringBuilder out) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            line(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
                    unix.getProcessCpuTime() / 1e9);
            line(out, "process_open_fds", "gauge", "Number of open file descriptors.", unix.getOpenFileDescriptorCount());
            line(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", unix.getMaxFileDescriptorCount());
        }
        line(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", startMillis / 1000.0);
        List<String> status = status();
        long rss = statusKb(status, "VmRSS:");
        if (rss >= 0) {
            line(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", rss * 1024.0);
        }
        long vsz = statusKb(status, "VmSize:");
        if (vsz >= 0) {
            line(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", vsz * 1024.0);
        }
        long threads = statusKb(status, "Threads:");
        line(out, "go_threads", "gauge", "Number of OS threads of the process.",
                threads >= 0 ? threads : ManagementFactory.getThreadMXBean().getThreadCount());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        line(out, "go_memstats_alloc_bytes", "gauge", "JVM heap bytes in use.", heap.getUsed());
        line(out, "go_memstats_heap_inuse_bytes", "gauge", "JVM heap bytes in use.", heap.getUsed());
        line(out, "go_memstats_heap_idle_bytes", "gauge", "JVM heap bytes committed but not in use.", heap.getCommitted() - heap.getUsed());
        if (ManagementFactory.getThreadMXBean() instanceof ThreadMXBean t) {
            line(out, "go_memstats_alloc_bytes_total", "counter", "Bytes allocated on the JVM heap by all threads since start.",
                    t.getTotalThreadAllocatedBytes());
        }
    }

    private List<String> status() {
        try {
            return Files.exists(procStatus) ? Files.readAllLines(procStatus) : List.of();
        } catch (IOException e) {
            return List.of(); // a scrape never fails for a missing runtime figure
        }
    }

    /** The number after {@code key} in /proc/self/status (kB for memory lines), or -1. */
    static long statusKb(List<String> status, String key) {
        for (String l : status) {
            if (l.startsWith(key)) {
                String[] parts = l.substring(key.length()).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        return -1;
    }

    private static void line(StringBuilder out, String name, String type, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        out.append(name).append(' ').append(PrometheusText.number(value)).append('\n');
    }
}
