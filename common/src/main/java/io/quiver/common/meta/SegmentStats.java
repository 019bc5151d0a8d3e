package io.quiver.common.meta;

import io.quiver.proto.SegmentInfo;
import io.quiver.proto.SegmentLevel;
import io.quiver.proto.SegmentState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a collection keeps in storage, from its segment records (issue 10 "Visible"): segments by state, the L0
 * (delete) backlog, rows and deleted rows, and bytes in object storage. Dropped segments (waiting for garbage
 * collection) are left out. Shared by datacoord's metrics and the proxy's {@code system_info}.
 */
public record SegmentStats(Map<String, Long> segmentsByState, long l0Segments, long l0Rows, long rows, long flushedRows,
                           long deletedRows, long bytes) {
    public static SegmentStats of(List<SegmentInfo> segments) {
        Map<String, Long> byState = new TreeMap<>();
        long l0Segments = 0;
        long l0Rows = 0;
        long rows = 0;
        long flushedRows = 0;
        long deleted = 0;
        long bytes = 0;
        for (SegmentInfo s : segments) {
            if (s.getState() == SegmentState.DROPPED) {
                continue;
            }
            bytes += s.getSizeBytes();
            if (s.getLevel() == SegmentLevel.L0) {
                l0Rows += s.getNumRows();
                l0Segments++;
                continue;
            }
            byState.merge(s.getState().name().toLowerCase(), 1L, Long::sum);
            rows += Math.max(s.getNumRows(), s.getAssignedRows());
            deleted += s.getDeletedRows();
            if (s.getState() == SegmentState.FLUSHED) {
                flushedRows += s.getNumRows();
            }
        }
        return new SegmentStats(byState, l0Segments, l0Rows, rows, flushedRows, deleted, bytes);
    }

    /** Deleted rows over all rows of the flushed and growing segments (0 when empty), to three decimals. */
    public double deletedRatio() {
        return rows == 0 ? 0.0 : Math.round(1000.0 * deletedRows / rows) / 1000.0;
    }
}
