package io.quiver.querynode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class AllowedRowsTest {
    @Test
    void allRowsAndAFilterKeepOnlyRowsBelowTheCount() {
        BitSet f = new BitSet();
        f.set(1);
        f.set(69);
        f.set(70); // past the last row (70 rows: 0..69)
        AllowedRows a = AllowedRows.all(70).and(f);
        assertThat(a.count()).isEqualTo(2);
        assertThat(a.bits().nextSetBit(0)).isEqualTo(1);
        assertThat(a.bits().nextSetBit(2)).isEqualTo(69);
        assertThat(a.bits().nextSetBit(70)).isEqualTo(-1);
    }

    @Test
    void andNeverWritesTheSharedWords() {
        long[] shared = {0b1011L};
        AllowedRows visible = new AllowedRows(4, shared, 3);
        BitSet f = new BitSet();
        f.set(0);
        f.set(2);
        AllowedRows a = visible.and(f);
        assertThat(a.count()).isEqualTo(1);
        assertThat(a.bits().get(0)).isTrue();
        assertThat(shared[0]).isEqualTo(0b1011L);
    }

    @Test
    void noneIsEmptyAndAllHasNoWords() {
        assertThat(AllowedRows.none(10).isEmpty()).isTrue();
        assertThat(AllowedRows.all(10).bits()).isNull();
        assertThat(AllowedRows.all(10).count()).isEqualTo(10);
        assertThat(AllowedRows.all(0).isEmpty()).isTrue();
    }
}
