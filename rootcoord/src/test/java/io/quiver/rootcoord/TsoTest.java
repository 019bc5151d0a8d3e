package io.quiver.rootcoord;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.common.util.HybridTs;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsoTest {
    @TempDir
    Path tmp;

    @Test
    void currentIsWhereTheNextAllocationStartsAndSavedIsTheRestartFloorAhead() {
        InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(1_000_000));
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("kv"), clock)) {
            Tso tso = new Tso(kv, "ts", clock);
            long first = tso.allocate(3);
            assertThat(tso.current()).isEqualTo(first + 3);
            assertThat(HybridTs.physical(tso.saved())).isEqualTo(1_000_000 + Tso.SAVE_AHEAD_MS);
            assertThat(tso.saved()).isGreaterThan(tso.current());
        }
    }
}
