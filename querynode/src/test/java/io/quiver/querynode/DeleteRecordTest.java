package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeleteRecordTest {
    @Test
    void mvccVisibility() {
        DeleteRecord d = new DeleteRecord();
        d.add(7L, 100);
        // inserted before the delete: hidden at and after the delete, visible before it
        assertThat(d.hides(7L, 50, 99)).isFalse();
        assertThat(d.hides(7L, 50, 100)).isTrue();
        assertThat(d.hides(7L, 50, 1000)).isTrue();
        // upsert: a delete never hides a row inserted at the same timestamp
        assertThat(d.hides(7L, 100, 1000)).isFalse();
        // inserted after the delete
        assertThat(d.hides(7L, 150, 1000)).isFalse();
        assertThat(d.hides(8L, 50, 1000)).isFalse();
    }

    @Test
    void severalDeletesOfOneKey() {
        DeleteRecord d = new DeleteRecord();
        d.add("a", 300);
        d.add("a", 100);
        d.add("a", 200);
        d.add("a", 200);
        assertThat(d.hides("a", 150, 199)).isFalse();
        assertThat(d.hides("a", 150, 200)).isTrue();
        assertThat(d.hides("a", 250, 299)).isFalse();
        assertThat(d.hides("a", 250, 300)).isTrue();
        assertThat(d.hides("a", 300, 400)).isFalse();
        assertThat(d.size()).isEqualTo(1);
    }
}
