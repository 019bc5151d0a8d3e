package io.quiver.rootcoord;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.WalMessage;
import io.quiver.storage.LocalWal;
import io.quiver.storage.Wal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The barrier: the minimum over live proxies, written only into the pchannels collections use, only when it advanced. */
class TimeTickBarrierTest {
    @TempDir Path dir;
    private LocalWal wal;

    @BeforeEach
    void open() {
        wal = new LocalWal(dir);
    }

    @AfterEach
    void close() {
        wal.close();
    }

    private List<Long> ticks(String channel) throws Exception {
        List<Long> out = new ArrayList<>();
        try (Wal.Consumer c = wal.subscribe(channel, "t", Wal.StartPosition.earliest())) {
            for (Wal.WalMessage m : c.pollBatch(100, Duration.ofMillis(50))) {
                out.add(WalMessage.parseFrom(m.payload()).getTimeTick().getTimestamp());
            }
        }
        return out;
    }

    @Test
    void ticksGoOnlyToChannelsInUseAndOnlyForward() throws Exception {
        Set<String> inUse = new CopyOnWriteArraySet<>(List.of("dml_0"));
        Set<Long> live = new CopyOnWriteArraySet<>(List.of(1L, 2L));
        TimeTickBarrier b = new TimeTickBarrier(wal, () -> inUse, () -> live, 99);
        b.report(1, 100);
        b.tick(); // proxy 2 has not reported: it may have writes in flight
        assertThat(b.lastTick()).isZero();
        b.report(2, 50);
        b.tick();
        assertThat(b.lastTick()).isEqualTo(50);
        b.tick(); // no advance: nothing written
        inUse.add("dml_1"); // a collection comes to use dml_1
        b.report(2, 120);
        b.tick();
        live.remove(1L); // proxy 1's session ended: it no longer holds the barrier
        b.report(2, 130);
        b.tick();
        assertThat(ticks("dml_0")).containsExactly(50L, 100L, 130L);
        assertThat(ticks("dml_1")).containsExactly(100L, 130L);
        assertThat(ticks("dml_2")).isEmpty();
    }
}
