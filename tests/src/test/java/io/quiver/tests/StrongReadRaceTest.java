package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strong reads see every acknowledged write ({@link StrongReadRace}) against a standalone server.
 *
 * <p>Seeded ({@code -Dquiver.race.seed}, printed), {@code -Dquiver.race.seconds} long (default 8),
 * {@code -Dquiver.race.writers} threads (default 3); upserts are part of the mix ({@code -Dquiver.race.upserts=false}
 * leaves them out). {@code -Dquiver.race.uris=http://a:19530,http://b:19530} runs it against running servers
 * instead of a standalone child.
 */
class StrongReadRaceTest {
    @TempDir
    static Path tmp;

    @Test
    void strongReadsSeeEveryAcknowledgedWrite() throws Exception {
        StrongReadRace.Options o = new StrongReadRace.Options(Long.getLong("quiver.race.seed", new Random().nextLong()),
                Long.getLong("quiver.race.seconds", 8), Integer.getInteger("quiver.race.writers", 3), Boolean.parseBoolean(System.getProperty("quiver.race.upserts", "true")));
        String uris = System.getProperty("quiver.race.uris", "");
        try (StandaloneProcess server = uris.isBlank() ? new StandaloneProcess(tmp.resolve("data")) : null) {
            List<String> targets;
            if (server == null) {
                targets = List.of(uris.split(","));
            } else {
                server.start();
                targets = List.of(server.uri());
            }
            System.out.printf("StrongReadRaceTest %s targets=%s%n", o, targets);
            StrongReadRace.Outcome r = StrongReadRace.run(targets, o);
            System.out.printf("StrongReadRaceTest seed=%d writes=%d reads=%d failures=%d%n", o.seed(), r.writes(), r.reads(), r.failures().size());
            assertThat(r.reads()).as("seed %d: reads were made", o.seed()).isPositive();
            assertThat(r.failures()).as("seed %d: Strong reads that missed an acknowledged write (first 20): %s", o.seed(),
                    r.failures().stream().limit(20).toList()).isEmpty();
        }
    }
}
