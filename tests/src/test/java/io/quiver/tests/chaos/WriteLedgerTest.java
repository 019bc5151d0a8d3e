package io.quiver.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteLedgerTest {
    @Test
    void acknowledgedLatestVersionPasses() {
        WriteLedger l = new WriteLedger();
        l.acked(1, 1);
        l.acked(1, 2);
        l.acked(2, 1);
        l.acked(2, WriteLedger.DELETED);
        var v = l.check(Map.of(1L, List.of(2L)));
        assertThat(v.ok()).isTrue();
        assertThat(v.checked()).isEqualTo(2);
    }

    @Test
    void missingRowIsLostAndStaleVersionIsStale() {
        WriteLedger l = new WriteLedger();
        l.acked(1, 1);
        l.acked(2, 1);
        l.acked(2, 3);
        var v = l.check(Map.of(2L, List.of(1L)));
        assertThat(v.lost()).isEqualTo(1);
        assertThat(v.stale()).isEqualTo(1);
        assertThat(v.ok()).isFalse();
    }

    @Test
    void deletedVisibleDuplicateAndGhostAreViolations() {
        WriteLedger l = new WriteLedger();
        l.acked(1, 1);
        l.acked(1, WriteLedger.DELETED);
        l.acked(2, 1);
        Map<Long, List<Long>> seen = new HashMap<>();
        seen.put(1L, List.of(1L));
        seen.put(2L, List.of(1L, 1L));
        seen.put(99L, List.of(1L));
        var v = l.check(seen);
        assertThat(v.deletedVisible()).isEqualTo(1);
        assertThat(v.duplicates()).isEqualTo(1);
        assertThat(v.ghosts()).isEqualTo(1);
        assertThat(v.examples()).hasSize(3);
    }

    @Test
    void unknownOutcomeMayOrMayNotBeApplied() {
        WriteLedger l = new WriteLedger();
        l.acked(1, 1);
        l.unknown(1, 2); // failed upsert: 1 or 2 are both fine
        l.unknown(2, 1); // failed insert: present or absent
        l.acked(3, 1);
        l.unknown(3, WriteLedger.DELETED); // failed delete
        assertThat(l.check(Map.of(1L, List.of(2L), 3L, List.of(1L))).ok()).isTrue();
        var v = l.check(Map.of(1L, List.of(1L), 2L, List.of(1L)));
        assertThat(v.ok()).isTrue();
        assertThat(v.unknownApplied()).isEqualTo(2); // pk 2 inserted, pk 3 deleted
        l.acked(1, 3); // a later acknowledgement settles it
        assertThat(l.check(Map.of(1L, List.of(2L))).stale()).isEqualTo(1);
    }
}
