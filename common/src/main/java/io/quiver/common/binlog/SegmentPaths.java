package io.quiver.common.binlog;

import java.util.List;

/**
 * Object-store keys of segment files (DESIGN section 8), under the root {@code files/}:
 * <pre>
 * files/insert_log/&lt;coll&gt;/&lt;part&gt;/&lt;seg&gt;/&lt;field&gt;/&lt;logId&gt;
 * files/delta_log/&lt;coll&gt;/&lt;part&gt;/&lt;seg&gt;/&lt;logId&gt;
 * files/stats_log/&lt;coll&gt;/&lt;part&gt;/&lt;seg&gt;/&lt;field&gt;/&lt;logId&gt;
 * files/manifest/&lt;coll&gt;/&lt;part&gt;/&lt;seg&gt;/&lt;version&gt;
 * files/index_files/&lt;buildId&gt;/&lt;version&gt;/&lt;part&gt;/&lt;seg&gt;/&lt;file&gt;
 * </pre>
 * Ids are written in decimal (negative ids are rejected: every id we allocate is positive).
 */
public final class SegmentPaths {
    public static final String ROOT = "files/";
    public static final String INSERT_LOG = ROOT + "insert_log/";
    public static final String DELTA_LOG = ROOT + "delta_log/";
    public static final String STATS_LOG = ROOT + "stats_log/";
    public static final String MANIFEST = ROOT + "manifest/";
    public static final String INDEX_FILES = ROOT + "index_files/";

    private SegmentPaths() {}

    public static String insertLog(long coll, long part, long seg, long field, long logId) {
        return INSERT_LOG + join(coll, part, seg, field, logId);
    }

    public static String deltaLog(long coll, long part, long seg, long logId) {
        return DELTA_LOG + join(coll, part, seg, logId);
    }

    public static String statsLog(long coll, long part, long seg, long field, long logId) {
        return STATS_LOG + join(coll, part, seg, field, logId);
    }

    public static String manifest(long coll, long part, long seg, long version) {
        return MANIFEST + join(coll, part, seg, version);
    }

    /** {@code files/index_files/<buildId>/<version>/<part>/<seg>/}; index file names follow it. */
    public static String indexFilePrefix(long buildId, long version, long part, long seg) {
        return INDEX_FILES + join(buildId, version, part, seg) + "/";
    }

    /**
     * The part shared by every key of one segment, {@code <coll>/<part>/<seg>/}, relative to each of the four
     * kind roots (insert_log, delta_log, stats_log, manifest) — not a listable key prefix by itself, since the
     * kinds are separate trees. To list or delete everything of a segment use {@link #segmentPrefixes}.
     */
    public static String segmentPrefix(long coll, long part, long seg) {
        return join(coll, part, seg) + "/";
    }

    /**
     * The four listable key prefixes (insert_log, delta_log, stats_log, manifest) that together hold every
     * key of the segment, each ending with '/' so segment 1 never matches segment 10. Index files live
     * under {@link #indexFilePrefix} by build id.
     */
    public static List<String> segmentPrefixes(long coll, long part, long seg) {
        String s = segmentPrefix(coll, part, seg);
        return List.of(INSERT_LOG + s, DELTA_LOG + s, STATS_LOG + s, MANIFEST + s);
    }

    private static String join(long... ids) {
        StringBuilder sb = new StringBuilder(16 * ids.length);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("negative id " + ids[i] + " in object key");
            }
            if (i > 0) sb.append('/');
            sb.append(ids[i]);
        }
        return sb.toString();
    }
}
