package io.quiver.server.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LiveRowsTest {
    private static LiveRows preloaded(int n) {
        LiveRows m = new LiveRows(7, 8, 1);
        m.inserted(m.newIds(n));
        return m;
    }

    private static List<Long> list(long[] xs) {
        return Arrays.stream(xs).boxed().toList();
    }

    @Test
    void planTakesPercentagesOfLiveRowsWithDistinctUpsertsAndDeletesAndNewInserts() {
        LiveRows m = preloaded(1000);
        LiveRows.Plan p = m.plan(5, 2.5, 2.5);
        assertThat(p.upserts()).hasSize(50);
        assertThat(p.deletes()).hasSize(25);
        assertThat(p.inserts()).hasSize(25);
        Set<Long> touched = new HashSet<>();
        Arrays.stream(p.upserts()).forEach(touched::add);
        Arrays.stream(p.deletes()).forEach(touched::add);
        assertThat(touched).hasSize(75);
        assertThat(touched).allMatch(m::contains);
        assertThat(list(p.inserts())).noneMatch(m::contains).isSorted();
        assertThat(p.inserts()[0]).isEqualTo(1001);
    }

    @Test
    void applyingARoundKeepsCountVersionsAndDeletedIds() {
        LiveRows m = preloaded(1000);
        LiveRows.Plan p = m.plan(5, 2.5, 2.5);
        m.upserted(p.upserts());
        m.deleted(p.deletes());
        m.inserted(p.inserts());
        assertThat(m.size()).isEqualTo(1000);
        assertThat(m.written()).isEqualTo(1000 + 50 + 25);
        assertThat(Arrays.stream(p.upserts()).map(m::version)).containsOnly(1L);
        assertThat(Arrays.stream(p.inserts()).map(m::version)).containsOnly(0L);
        assertThat(list(p.deletes())).noneMatch(m::contains);
        assertThat(list(m.sampleDeleted(100))).hasSize(25).containsExactlyInAnyOrderElementsOf(list(p.deletes()));
        assertThat(m.liveIds()).hasSize(1000).doesNotHaveDuplicates();
    }

    @Test
    void deletedReservoirStaysBoundedAndOnlyHoldsDeletedIds() {
        LiveRows m = preloaded(3 * LiveRows.DELETED_RESERVOIR);
        long[] gone = Arrays.copyOf(m.liveIds(), 2 * LiveRows.DELETED_RESERVOIR);
        m.deleted(gone);
        long[] sample = m.sampleDeleted(LiveRows.DELETED_RESERVOIR + 5);
        assertThat(list(sample)).hasSize(LiveRows.DELETED_RESERVOIR).doesNotHaveDuplicates().noneMatch(m::contains);
        assertThat(m.size()).isEqualTo(LiveRows.DELETED_RESERVOIR);
    }

    @Test
    void vectorsArePureFunctionsOfSeedIdAndVersion() {
        LiveRows a = preloaded(10);
        LiveRows b = preloaded(10);
        assertThat(a.vector(3)).hasSize(8).containsExactly(b.vector(3));
        float[] before = a.vector(3);
        a.upserted(new long[] {3});
        assertThat(a.vector(3)).isNotEqualTo(before).containsExactly(a.vector(3, 1));
        assertThat(new LiveRows(8, 8, 1).vector(3, 0)).isNotEqualTo(before);
        for (float f : before) {
            assertThat(f).isBetween(-1f, 1f);
        }
    }

    @Test
    void sameSeedGivesSamePlans() {
        assertThat(preloaded(500).plan(5, 5, 5).upserts()).containsExactly(preloaded(500).plan(5, 5, 5).upserts());
    }

    @Test
    void samplesAreDistinctAndBounded() {
        LiveRows m = preloaded(30);
        assertThat(m.sampleLive(50)).hasSize(30).doesNotHaveDuplicates();
        assertThat(list(m.pick(new long[] {4, 5, 6}, 2))).hasSize(2).doesNotHaveDuplicates().allMatch(x -> x >= 4 && x <= 6);
        assertThat(m.sampleDeleted(5)).isEmpty();
    }

    @Test
    void unknownIdsAreRejected() {
        LiveRows m = preloaded(5);
        assertThatThrownBy(() -> m.version(99)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.upserted(new long[] {99})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.deleted(new long[] {99})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.inserted(new long[] {1})).isInstanceOf(IllegalArgumentException.class);
    }
}
