package io.quiver.common.binlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SegmentPathsTest {
    @Test
    void layoutOfDesignSection8() {
        assertThat(SegmentPaths.insertLog(1, 2, 3, 100, 55)).isEqualTo("files/insert_log/1/2/3/100/55");
        assertThat(SegmentPaths.deltaLog(1, 2, 3, 56)).isEqualTo("files/delta_log/1/2/3/56");
        assertThat(SegmentPaths.statsLog(1, 2, 3, 100, 57)).isEqualTo("files/stats_log/1/2/3/100/57");
        assertThat(SegmentPaths.manifest(1, 2, 3, 4)).isEqualTo("files/manifest/1/2/3/4");
        assertThat(SegmentPaths.indexFilePrefix(9, 1, 2, 3)).isEqualTo("files/index_files/9/1/2/3/");
        assertThat(SegmentPaths.segmentPrefix(1, 2, 3)).isEqualTo("1/2/3/");
    }

    @Test
    void segmentPrefixesCoverEveryKeyOfTheSegmentAndNoOther() {
        var prefixes = SegmentPaths.segmentPrefixes(1, 2, 3);
        assertThat(prefixes).hasSize(4);
        for (String key : new String[] {SegmentPaths.insertLog(1, 2, 3, 100, 5), SegmentPaths.deltaLog(1, 2, 3, 6),
                SegmentPaths.statsLog(1, 2, 3, 100, 7), SegmentPaths.manifest(1, 2, 3, 8)}) {
            assertThat(prefixes.stream().filter(key::startsWith)).as(key).hasSize(1);
        }
        for (String other : new String[] {SegmentPaths.insertLog(1, 2, 30, 100, 5), SegmentPaths.deltaLog(1, 2, 31, 6),
                SegmentPaths.manifest(11, 2, 3, 8), SegmentPaths.indexFilePrefix(1, 2, 3, 4) + "x"}) {
            assertThat(prefixes.stream().filter(other::startsWith)).as(other).isEmpty();
        }
    }

    @Test
    void negativeIdsRejected() {
        assertThatThrownBy(() -> SegmentPaths.deltaLog(1, -2, 3, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
