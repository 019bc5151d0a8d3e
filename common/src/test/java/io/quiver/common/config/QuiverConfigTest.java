package io.quiver.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuiverConfigTest {
    @TempDir
    Path tmp;

    @Test
    void defaults() {
        QuiverConfig c = QuiverConfig.defaultsOnly();
        assertThat(c.common().port()).isEqualTo(19530);
        assertThat(c.common().metricsPort()).isEqualTo(9091);
        assertThat(c.common().dataDir()).isEqualTo(Path.of("./quiver-data"));
        assertThat(c.common().sessionTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.common().dmlChannels()).isEqualTo(16);
        assertThat(c.common().maxMessageSize()).isEqualTo(512 << 20);
        assertThat(c.proxy().timeTickInterval()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.proxy().maxTopK()).isEqualTo(16384);
        assertThat(c.dataCoord().segmentMaxSize()).isEqualTo(1024L << 20);
        assertThat(c.storage().metaKv()).isEqualTo("local");
        assertThat(c.storage().walRetention()).isEqualTo(Duration.ZERO);
        var comp = c.dataCoord().compaction();
        assertThat(comp.enabled()).isTrue();
        assertThat(comp.autoCompaction()).isTrue();
        assertThat(comp.triggerInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(comp.timeout()).isEqualTo(Duration.ofSeconds(900));
        assertThat(comp.deletedRatioThreshold()).isEqualTo(0.2);
        assertThat(comp.smallProportion()).isEqualTo(0.5);
        assertThat(comp.l0MinBytes()).isEqualTo(8L << 20);
        assertThat(comp.l0MinSegments()).isEqualTo(10);
        assertThat(comp.l0MaxAge()).isEqualTo(Duration.ofSeconds(60));
        var gc = c.dataCoord().gc();
        assertThat(gc.enabled()).isTrue();
        assertThat(gc.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(gc.missingTolerance()).isEqualTo(Duration.ofHours(1));
        assertThat(gc.dropTolerance()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.dataNode().compactionSlots()).isEqualTo(2);
        assertThat(c.security().authorizationEnabled()).isFalse();
        assertThat(c.security().defaultRootPassword()).isEqualTo("Milvus");
        assertThat(c.security().superUsers()).isEmpty();
    }

    @Test
    void securityKeysWithMilvusNames() throws Exception {
        Path yaml = tmp.resolve("security.yaml");
        Files.writeString(yaml, """
                common:
                  security:
                    authorizationEnabled: true
                    defaultRootPassword: s3cret-root
                    superUsers: [admin1, ops]
                """);
        QuiverConfig c = QuiverConfig.load(yaml, Map.of(), Map.of());
        assertThat(c.security().authorizationEnabled()).isTrue();
        assertThat(c.security().defaultRootPassword()).isEqualTo("s3cret-root");
        assertThat(c.security().superUsers()).containsExactlyInAnyOrder("admin1", "ops");
        assertThat(c.security().toString()).doesNotContain("s3cret-root");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("common.security.defaultRootPassword", "short")))
                .hasMessageContaining("common.security.defaultRootPassword");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("common.security.authorizationEnabled", "on")))
                .hasMessageContaining("common.security.authorizationEnabled");
    }

    @Test
    void compactionAndGcKeysWithMilvusNames() throws Exception {
        Path yaml = tmp.resolve("compaction.yaml");
        Files.writeString(yaml, """
                dataCoord:
                  enableCompaction: false
                  compaction:
                    enableAutoCompaction: false
                    single:
                      ratio:
                        threshold: 0.3
                  gc:
                    interval: 30
                    missingTolerance: 2h
                    dropTolerance: 45s
                dataNode:
                  slot:
                    slotCap: 4
                storage:
                  walRetention: 10m
                """);
        QuiverConfig c = QuiverConfig.load(yaml, Map.of(), Map.of());
        assertThat(c.dataCoord().compaction().enabled()).isFalse();
        assertThat(c.dataCoord().compaction().autoCompaction()).isFalse();
        assertThat(c.dataCoord().compaction().deletedRatioThreshold()).isEqualTo(0.3);
        assertThat(c.dataCoord().gc().interval()).isEqualTo(Duration.ofSeconds(30)); // plain seconds, as Milvus
        assertThat(c.dataCoord().gc().missingTolerance()).isEqualTo(Duration.ofHours(2));
        assertThat(c.dataCoord().gc().dropTolerance()).isEqualTo(Duration.ofSeconds(45));
        assertThat(c.dataNode().compactionSlots()).isEqualTo(4);
        assertThat(c.storage().walRetention()).isEqualTo(Duration.ofMinutes(10));
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("dataCoord.enableCompaction", "yes")))
                .hasMessageContaining("dataCoord.enableCompaction");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("dataCoord.gc.missingTolerance", "60s")))
                .hasMessageContaining("dataCoord.gc.missingTolerance").hasMessageContaining("dataCoord.compaction.timeout");
    }

    @Test
    void fullMappingFromYamlEnvAndFlags() throws Exception {
        Path yaml = tmp.resolve("quiver.yaml");
        Files.writeString(yaml, """
                common:
                  clusterName: prod
                  port: 20000
                  sessionTtl: 5s
                dataCoord:
                  segmentMaxSize: 64MB
                  segmentMaxIdle: 2m
                proxy:
                  timeTickInterval: 100ms
                """);
        QuiverConfig c = QuiverConfig.load(yaml, Map.of("QUIVER_METRICS_PORT", "9999", "QUIVER_DATA_DIR", "/data"),
                Map.of("common.port", "20001"));
        assertThat(c.common().clusterName()).isEqualTo("prod");
        assertThat(c.common().port()).isEqualTo(20001); // flag wins over file
        assertThat(c.common().metricsPort()).isEqualTo(9999);
        assertThat(c.common().dataDir()).isEqualTo(Path.of("/data"));
        assertThat(c.common().sessionTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.dataCoord().segmentMaxSize()).isEqualTo(64L << 20);
        assertThat(c.dataCoord().segmentMaxIdle()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.proxy().timeTickInterval()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void unknownKeyFailsStartUp() throws Exception {
        Path yaml = tmp.resolve("bad.yaml");
        Files.writeString(yaml, "common:\n  prot: 1\n");
        assertThatThrownBy(() -> QuiverConfig.load(yaml, Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown configuration key 'common.prot'");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("common.port", "abc"))).hasMessageContaining("common.port");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("proxy.timeTickInterval", "soon"))).hasMessageContaining("proxy.timeTickInterval");
        assertThatThrownBy(() -> QuiverConfig.fromMap(Map.of("storage.wal", "kafka"))).hasMessageContaining("storage.wal");
    }
}
