package io.quiver.common.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeMetricsTest {
    @Test
    void readsResidentMemoryAndThreadsFromProcStatus(@TempDir Path dir) throws IOException {
        Path status = dir.resolve("status");
        Files.write(status, List.of("Name:\tjava", "VmSize:\t  4000 kB", "VmRSS:\t   2048 kB", "Threads:\t37"));
        StringBuilder out = new StringBuilder();
        new RuntimeMetrics(status).appendTo(out);
        assertThat(out.toString()).contains("process_resident_memory_bytes 2097152\n", "process_virtual_memory_bytes 4096000\n",
                "go_threads 37\n", "# TYPE process_cpu_seconds_total counter\n", "# TYPE go_memstats_alloc_bytes_total counter\n",
                "go_memstats_heap_inuse_bytes ").doesNotContain("go_goroutines");
    }

    @Test
    void withoutProcStatusTheThreadCountComesFromTheJvm(@TempDir Path dir) {
        StringBuilder out = new StringBuilder();
        new RuntimeMetrics(dir.resolve("absent")).appendTo(out);
        assertThat(out.toString()).contains("go_threads ").doesNotContain("process_resident_memory_bytes");
    }
}
