package io.quiver.common.binlog;

import io.quiver.proto.Binlog;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.SegmentManifest;

/** Figures derived from a segment manifest's file list: total bytes and the row timestamp range. */
public final class ManifestStats {
    private ManifestStats() {}

    /** Bytes of every file the manifest names: binlogs, statslogs and deltalogs (not the manifest itself). */
    public static long sizeBytes(SegmentManifest m) {
        long size = 0;
        for (FieldBinlog fb : m.getBinlogsList()) {
            for (Binlog b : fb.getBinlogsList()) size += b.getSize();
        }
        for (FieldBinlog fb : m.getStatslogsList()) {
            for (Binlog b : fb.getBinlogsList()) size += b.getSize();
        }
        for (Binlog b : m.getDeltalogsList()) size += b.getSize();
        return size;
    }

    /**
     * The smallest row timestamp over the manifest's non-empty binlogs ({@code ts_from}), 0 when it has none.
     * Every field's binlog of a run of rows carries the same range, so all binlogs can be consulted.
     */
    public static long minRowTs(SegmentManifest m) {
        long min = Long.MAX_VALUE;
        for (FieldBinlog fb : m.getBinlogsList()) {
            for (Binlog b : fb.getBinlogsList()) {
                if (b.getEntries() > 0) min = Math.min(min, b.getTsFrom());
            }
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** The largest row timestamp over the manifest's non-empty binlogs ({@code ts_to}), 0 when it has none. */
    public static long maxRowTs(SegmentManifest m) {
        long max = 0;
        for (FieldBinlog fb : m.getBinlogsList()) {
            for (Binlog b : fb.getBinlogsList()) {
                if (b.getEntries() > 0) max = Math.max(max, b.getTsTo());
            }
        }
        return max;
    }
}
