package io.quiver.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.config.QuotaConfig.Rates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaConfigTest {
    private static final double MB = 1024 * 1024;

    @Test
    void defaultsAreMilvus() {
        QuiverConfig c = QuiverConfig.defaultsOnly();
        QuotaConfig q = c.quota();
        assertThat(q.enabled()).isTrue();
        assertThat(q.collectInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(q.dmlEnabled()).isFalse();
        assertThat(q.dqlEnabled()).isFalse();
        for (Rates r : new Rates[] {q.insert(), q.upsert(), q.delete(), q.search(), q.query()}) {
            assertThat(r).isEqualTo(Rates.NONE);
        }
        assertThat(q.writeForceDeny()).isFalse();
        assertThat(q.readForceDeny()).isFalse();
        assertThat(q.memProtection().enabled()).isTrue();
        assertThat(q.memProtection().dataNode()).isEqualTo(new QuotaConfig.WaterLevels(0.85, 0.95));
        assertThat(q.memProtection().queryNode()).isEqualTo(new QuotaConfig.WaterLevels(0.85, 0.95));
        assertThat(q.metaLimits()).isEqualTo(new QuotaConfig.MetaLimits(64, 65536, 65536, 1024, 64, 16));

        AccessLogConfig a = c.accessLog();
        assertThat(a.enabled()).isFalse();
        assertThat(a.localPath()).isEqualTo(Path.of("./quiver-data").resolve("access_log"));
        assertThat(a.file()).isNull();
        assertThat(a.format()).isEqualTo(AccessLogConfig.DEFAULT_FORMAT);
    }

    @Test
    void fullMappingWithMilvusUnits() {
        QuiverConfig c = QuiverConfig.fromMap(Map.ofEntries(
                Map.entry("quotaAndLimits.enabled", "false"),
                Map.entry("quotaAndLimits.quotaCenterCollectInterval", "500ms"),
                Map.entry("quotaAndLimits.dml.enabled", "true"),
                Map.entry("quotaAndLimits.dml.insertRate.max", "8"),
                Map.entry("quotaAndLimits.dml.insertRate.db.max", "4"),
                Map.entry("quotaAndLimits.dml.insertRate.collection.max", "0.5"),
                Map.entry("quotaAndLimits.dml.upsertRate.max", "2"),
                Map.entry("quotaAndLimits.dml.deleteRate.collection.max", "1"),
                Map.entry("quotaAndLimits.dql.enabled", "true"),
                Map.entry("quotaAndLimits.dql.searchRate.max", "100"),
                Map.entry("quotaAndLimits.dql.searchRate.db.max", "50"),
                Map.entry("quotaAndLimits.dql.queryRate.collection.max", "7"),
                Map.entry("quotaAndLimits.limitWriting.forceDeny", "true"),
                Map.entry("quotaAndLimits.limitReading.forceDeny", "true"),
                Map.entry("quotaAndLimits.limitWriting.memProtection.enabled", "false"),
                Map.entry("quotaAndLimits.limitWriting.memProtection.dataNodeMemoryLowWaterLevel", "0.5"),
                Map.entry("quotaAndLimits.limitWriting.memProtection.dataNodeMemoryHighWaterLevel", "0.6"),
                Map.entry("quotaAndLimits.limitWriting.memProtection.queryNodeMemoryLowWaterLevel", "0.7"),
                Map.entry("quotaAndLimits.limitWriting.memProtection.queryNodeMemoryHighWaterLevel", "0.8"),
                Map.entry("quotaAndLimits.limits.maxCollectionNum", "10"),
                Map.entry("quotaAndLimits.limits.maxCollectionNumPerDB", "5"),
                Map.entry("rootCoord.maxDatabaseNum", "3"),
                Map.entry("rootCoord.maxPartitionNum", "20"),
                Map.entry("proxy.maxFieldNum", "8"),
                Map.entry("proxy.maxShardNum", "4"),
                Map.entry("proxy.accessLog.enable", "true"),
                Map.entry("proxy.accessLog.localPath", "/var/log/quiver"),
                Map.entry("proxy.accessLog.filename", "access.log"),
                Map.entry("proxy.accessLog.formatters.base.format", "$method_name $error_code")));
        QuotaConfig q = c.quota();
        assertThat(q.enabled()).isFalse();
        assertThat(q.collectInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(q.dmlEnabled()).isTrue();
        assertThat(q.insert()).isEqualTo(new Rates(8 * MB, 4 * MB, 0.5 * MB));
        assertThat(q.upsert()).isEqualTo(new Rates(2 * MB, QuotaConfig.UNLIMITED, QuotaConfig.UNLIMITED));
        assertThat(q.delete()).isEqualTo(new Rates(QuotaConfig.UNLIMITED, QuotaConfig.UNLIMITED, MB));
        assertThat(q.dqlEnabled()).isTrue();
        assertThat(q.search()).isEqualTo(new Rates(100, 50, QuotaConfig.UNLIMITED));
        assertThat(q.query()).isEqualTo(new Rates(QuotaConfig.UNLIMITED, QuotaConfig.UNLIMITED, 7));
        assertThat(q.writeForceDeny()).isTrue();
        assertThat(q.readForceDeny()).isTrue();
        assertThat(q.memProtection()).isEqualTo(new QuotaConfig.MemProtection(false, new QuotaConfig.WaterLevels(0.5, 0.6),
                new QuotaConfig.WaterLevels(0.7, 0.8)));
        assertThat(q.metaLimits()).isEqualTo(new QuotaConfig.MetaLimits(3, 10, 5, 20, 8, 4));
        assertThat(c.accessLog().enabled()).isTrue();
        assertThat(c.accessLog().file()).isEqualTo(Path.of("/var/log/quiver/access.log"));
        assertThat(c.accessLog().format()).isEqualTo("$method_name $error_code");
    }

    @Test
    void badValuesFailStartUp() {
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("quotaAndLimits.dql.searchRate.max", "fast")))
                .hasMessageContaining("quotaAndLimits.dql.searchRate.max").hasMessageContaining("fast");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("quotaAndLimits.dql.searchRate.partition.max", "1")))
                .hasMessageContaining("unknown configuration key 'quotaAndLimits.dql.searchRate.partition.max'");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("quotaAndLimits.limitWriting.memProtection.queryNodeMemoryLowWaterLevel", "0.99")))
                .hasMessageContaining("low-water level (0.99) must be below its high-water level (0.95)");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("rootCoord.maxPartitionNum", "0")))
                .hasMessageContaining("rootCoord.maxPartitionNum");
    }
}
