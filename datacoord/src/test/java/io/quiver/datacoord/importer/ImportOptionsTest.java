package io.quiver.datacoord.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ImportOptionsTest {
    @Test
    void timeoutsAreGoDurations() {
        assertThat(ImportOptions.timeout("300s")).isEqualTo(Duration.ofSeconds(300));
        assertThat(ImportOptions.timeout("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ImportOptions.timeout("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(ImportOptions.timeout("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(ImportOptions.timeout("250ms")).isEqualTo(Duration.ofMillis(250));
        for (String bad : new String[] {"", "10", "5x", "-1s", "0s", "1s junk"}) {
            assertThatThrownBy(() -> ImportOptions.timeout(bad)).as(bad).hasMessageContaining("parse timeout failed");
        }
    }
}
