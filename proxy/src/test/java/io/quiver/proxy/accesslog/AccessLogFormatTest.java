package io.quiver.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.config.AccessLogConfig;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {
    private static final Instant START = Instant.parse("2025-03-04T05:06:07.123Z");
    private static final Instant END = Instant.parse("2025-03-04T05:06:07.135Z");

    static AccessRecord record(int code, String reason) {
        return new AccessRecord(START, END, "alice", "10.0.0.7:51234", "Search", code, reason, 12_345_678, "sales", "orders", "");
    }

    @Test
    void defaultLineHasUserDatabaseMethodCollectionStatusAndLatency() {
        AccessLogFormat f = AccessLogFormat.compile(AccessLogConfig.DEFAULT_FORMAT);
        assertThat(f.format(record(0, ""))).isEqualTo("[2025/03/04 05:06:07.135 +00:00] [ACCESS] <alice: 10.0.0.7:51234> Search"
                + " [status: Successful] [code: 0] [msg: ] [timeCost: 12.346ms] [database: sales] [collection: orders]");
        assertThat(f.format(record(8, "rate limit exceeded[rate=10]"))).contains("[status: Failed] [code: 8] [msg: rate limit exceeded[rate=10]]");
    }

    @Test
    void missingValuesPrintUnknownAndLineBreaksNeverSplitALine() {
        AccessLogFormat f = AccessLogFormat.compile("$user_name|$collection_name|$partition_name|$error_msg|$time_start|$method_status");
        AccessRecord r = new AccessRecord(START, END, "", "", "Flush", 65535, "line one\nline two", 1, "", "", "");
        assertThat(f.format(r)).isEqualTo("Unknown|Unknown|Unknown|line one line two|2025/03/04 05:06:07.123 +00:00|Failed");
    }

    @Test
    void milvusVariableNamesAndLiteralText() {
        AccessLogFormat f = AccessLogFormat.compile("$method_name took $time_cost ($error_code) on $database_name.$collection_name [$time_end]");
        assertThat(f.format(record(0, ""))).isEqualTo("Search took 12.346ms (0) on sales.orders [2025/03/04 05:06:07.135 +00:00]");
    }

    @Test
    void anUnknownVariableFailsStartUp() {
        assertThatThrownBy(() -> AccessLogFormat.compile("$method_name $trace_id"))
                .hasMessageContaining("unknown variable $trace_id").hasMessageContaining("$method_name");
    }
}
