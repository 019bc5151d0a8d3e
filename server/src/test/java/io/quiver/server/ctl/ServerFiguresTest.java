package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerFiguresTest {
    @Test
    void systemInfoGivesQuerynodeMemoryAndGrowingRows() {
        String json = """
                {"nodes":[{"role":"querynode","server_id":5,"memory_bytes":1000,"rows":700},
                          {"role":"querynode","server_id":6,"memory_bytes":500,"rows":300},
                          {"role":"datanode","server_id":7}],
                 "collections":[{"name":"churn","rows_per_querynode":{"5":600,"6":250}},{"name":"other","load_state":"NotLoad"}]}""";
        ServerFigures f = ServerFigures.fromSystemInfo(json);
        assertThat(f.memoryBytes()).isEqualTo(1500);
        assertThat(f.growingRows()).isEqualTo(150);
        assertThat(f.loadedCollections()).isEqualTo(1);
    }

    @Test
    void prometheusSumsEverySampleOfTheMetricOnly() {
        String text = """
                # HELP quiver_querynode_memory_bytes memory
                # TYPE quiver_querynode_memory_bytes gauge
                quiver_querynode_memory_bytes{node_id="5",} 1.5E3
                quiver_querynode_memory_bytes{node_id="6"} 500 1700000000000
                quiver_querynode_memory_bytes_max 99
                quiver_querynode_memory_bytes 10
                """;
        assertThat(ServerFigures.sumPrometheus(text, "quiver_querynode_memory_bytes")).isEqualTo(2010);
        assertThat(ServerFigures.sumPrometheus(text, "absent_metric")).isEqualTo(-1);
    }

    @Test
    void bytesStoredSumsFilesUnderEveryDirectory(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a/x"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.write(a.resolve("f1"), new byte[100]);
        Files.write(tmp.resolve("a/f2"), new byte[20]);
        Files.write(b.resolve("f3"), new byte[3]);
        assertThat(ChurnMeter.bytesStored(List.of(tmp.resolve("a"), b))).isEqualTo(123);
        assertThat(ChurnMeter.bytesStored(List.of(tmp.resolve("missing")))).isZero();
        assertThat(ChurnMeter.bytesStored(List.of())).isEqualTo(-1);
    }
}
