package io.quiver.datanode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GrowingDeletesTest {
    @Test
    void aDeleteGoesToTheSegmentsWhoseRowsItHides() {
        GrowingDeletes g = new GrowingDeletes();
        g.row(1, 10L, 100);
        g.row(2, 20L, 100);
        g.row(2, 10L, 150); // key 10 again in segment 2 (a plain insert repeating it)
        g.delete(10L, 120, 200); // hides the row of segment 1 (100 < 120), not the one of segment 2 (150)
        g.delete(20L, 100, 200); // same timestamp as the insert: hides nothing (upsert)
        g.delete(30L, 300, 200); // no such key
        assertThat(g.segmentsWithPending()).containsExactly(1L);
        assertThat(g.pending(1).pks).containsExactly(10L);
        assertThat(g.pending(1).ts).containsExactly(120L);
        g.written();
        assertThat(g.segmentsWithPending()).isEmpty();
    }

    @Test
    void aRowArrivingAfterANewerDeleteIsStillHidden() {
        GrowingDeletes g = new GrowingDeletes();
        g.delete(7L, 250, 200); // above the last tick: a row with a smaller timestamp may still come
        g.row(3, 7L, 240);
        assertThat(g.pending(3).pks).containsExactly(7L);
        assertThat(g.pending(3).ts).containsExactly(250L);
        g.tick(260); // every row with ts <= 260 is in: the delete can meet no new row
        g.row(4, 7L, 245); // cannot happen after the tick; shows the delete was forgotten
        assertThat(g.pending(4)).isNull();
    }

    @Test
    void flushedSegmentsAreForgotten() {
        GrowingDeletes g = new GrowingDeletes();
        g.row(1, "a", 100);
        assertThat(g.trackedRows()).isEqualTo(1);
        g.delete("a", 200, 300);
        g.forget(1);
        assertThat(g.trackedRows()).isZero();
        assertThat(g.segmentsWithPending()).isEmpty();
    }
}
