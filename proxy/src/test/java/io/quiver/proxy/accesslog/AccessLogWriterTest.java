package io.quiver.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogWriterTest {
    @TempDir
    Path tmp;

    @Test
    void appendsOneLinePerRecordAndFlushesOnClose() throws Exception {
        Path file = tmp.resolve("logs/access.log");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccessLogFormat format = AccessLogFormat.compile("$method_name $error_code");
        try (AccessLogWriter w = AccessLogWriter.open(file, format, registry)) {
            for (int i = 0; i < 1000; i++) {
                w.log(AccessLogFormatTest.record(i % 2 == 0 ? 0 : 8, ""));
            }
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1000);
        assertThat(lines.get(0)).isEqualTo("Search 0");
        assertThat(lines.get(1)).isEqualTo("Search 8");
        try (AccessLogWriter w = AccessLogWriter.open(file, format, registry)) {
            w.log(AccessLogFormatTest.record(1, ""));
        }
        assertThat(Files.readAllLines(file)).as("appended, not truncated").hasSize(1001).last().isEqualTo("Search 1");
        assertThat(registry.counter("quiver_proxy_access_log_dropped").count()).isZero();
    }

    @Test
    void aRecordAfterCloseIsCountedAsDropped() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccessLogWriter w = AccessLogWriter.open(tmp.resolve("a.log"), AccessLogFormat.compile("$method_name"), registry);
        w.close();
        w.log(AccessLogFormatTest.record(0, ""));
        assertThat(registry.counter("quiver_proxy_access_log_dropped").count()).isEqualTo(1);
    }
}
