package io.quiver.querynode;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.binlog.PkStats;
import io.quiver.common.column.ColumnSource;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.common.expr.ScalarIndex;
import io.quiver.common.expr.SortedScalarIndex;
import io.quiver.common.expr.TextIndexSource;
import io.quiver.common.schema.Schemas;
import io.quiver.common.text.TextFields;
import io.quiver.common.text.TextIndex;
import io.quiver.index.RowNorms;
import io.quiver.index.VectorIndex;
import io.quiver.proto.InsertMsg;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rows of one segment held by a querynode: columns, row timestamps, the deletes that apply to it and,
 * for sealed segments, the primary-key stats and loaded vector indexes; text indexes of {@code enable_match} fields
 * (sealed: built at load; growing: extended when a filter needs rows they have not seen).
 *
 * <p>A growing segment is appended to by its shard leader's WAL consumer (single writer) while searches
 * read it; readers take {@link #rowCount()} once and read only rows below it (see {@link FieldColumn}).
 */
public final class Segment implements ColumnSource, TextIndexSource {
    private final long segmentId;
    private final long partitionId;
    private final CollectionSchema schema;
    private final boolean growing;
    private final Map<Long, FieldColumn> columns = new LinkedHashMap<>();
    private final LongColumn timestamps = new LongColumn(Schemas.TIMESTAMP_FIELD, DataType.Int64, false);
    private final FieldColumn pk;
    private final DeleteRecord deletes = new DeleteRecord();
    /** The deletes as one hidden-at timestamp per row (see {@link DeleteRecord#hiddenAt}); null until a search needs it. */
    private volatile DeleteRecord.Hidden hidden;
    private final Map<Long, VectorIndex> indexes = new ConcurrentHashMap<>();
    private volatile long indexBuildId;
    /** The manifest version whose deltalogs this sealed segment holds (L0 compaction adds deltalogs in new versions). */
    private volatile long manifestVersion;
    private volatile long maxTs;
    private volatile long minTs = Long.MAX_VALUE; // Long.MAX_VALUE while empty
    private volatile PkStats pkStats;
    private final Map<Long, ScalarIndex> scalarIndexes = new ConcurrentHashMap<>();
    /** Inverse row norms of float vector fields for exact COSINE scans of rows without an index (growing rows). */
    private final Map<Long, RowNorms> rowNorms = new ConcurrentHashMap<>();
    /** FLOAT16 / BFLOAT16 vector fields widened to float32 for exact scans of rows without an index. */
    /** Inverted indexes with positions of the VARCHAR fields with enable_match (TEXT_MATCH, PHRASE_MATCH). */
    private final Map<Long, TextIndex> textIndexes = new ConcurrentHashMap<>();

    public Segment(long segmentId, long partitionId, CollectionSchema schema, boolean growing) {
        this.segmentId = segmentId;
        this.partitionId = partitionId;
        this.schema = schema;
        this.growing = growing;
        for (FieldSchema f : schema.getFieldsList()) {
            columns.put(f.getFieldID(), FieldColumn.create(f));
        }
        this.pk = columns.get(Schemas.primaryKey(schema).getFieldID());
    }

    public long id() { return segmentId; }

    public long partitionId() { return partitionId; }

    public boolean growing() { return growing; }

    @Override
    public CollectionSchema schema() { return schema; }

    /** Rows visible to readers (a snapshot). */
    @Override
    public int rowCount() { return timestamps.size(); }

    @Override
    public FieldColumn column(long fieldId) { return columns.get(fieldId); }

    public Map<Long, FieldColumn> columns() { return columns; }

    public LongColumn timestamps() { return timestamps; }

    @Override
    public FieldColumn primaryKeys() { return pk; }

    public DeleteRecord deletes() { return deletes; }

    public Object pkAt(int row) {
        return pk instanceof LongColumn l ? (Object) l.get(row) : ((StringColumn) pk).get(row);
    }

    /** Appends the rows of one insert message (growing segments); columns first, timestamps last (publication). */
    public void append(InsertMsg ins) {
        int n = (int) ins.getNumRows();
        for (FieldData fd : ins.getFieldsDataList()) {
            FieldColumn c = columns.get(fd.getFieldId());
            if (c != null) {
                c.append(fd, n);
            }
        }
        // both bounds are published before the timestamps (the row count): a reader that sees a row sees bounds covering it
        if (ins.getTimestamp() > maxTs) {
            maxTs = ins.getTimestamp();
        }
        if (ins.getTimestamp() < minTs) {
            minTs = ins.getTimestamp();
        }
        timestamps.addRepeated(ins.getTimestamp(), n);
    }

    /** Recomputes the smallest and largest row timestamps (after loading rows from storage). */
    public void refreshMaxTs() {
        long[] ts = timestamps.array();
        long max = 0;
        long min = Long.MAX_VALUE;
        for (int i = 0, n = timestamps.size(); i < n; i++) {
            max = Math.max(max, ts[i]);
            min = Math.min(min, ts[i]);
        }
        maxTs = max;
        minTs = min;
    }

    /** The smallest row timestamp ({@link Long#MAX_VALUE} while empty). */
    public long minTs() { return minTs; }

    /** The largest row timestamp (0 while empty). */
    public long maxTs() { return maxTs; }

    public void setPkStats(PkStats s) { this.pkStats = s; }

    /** False only when the key is certainly not in this segment. */
    public boolean mightContain(Object key) {
        PkStats s = pkStats;
        if (s == null) {
            return true;
        }
        return key instanceof Long l ? s.mightContain(l) : s.mightContain((String) key);
    }

    public void setIndex(long fieldId, VectorIndex index, long buildId) {
        indexes.put(fieldId, index);
        this.indexBuildId = buildId;
    }

    public VectorIndex index(long fieldId) { return indexes.get(fieldId); }

    /**
     * The scalar index of a field of a sealed segment, built on first use from the column (sealed segments never
     * change, so it stays valid); null for growing segments and for column types without one.
     */
    public ScalarIndex scalarIndex(long fieldId) {
        if (growing) {
            return null;
        }
        FieldColumn c = columns.get(fieldId);
        if (c == null) {
            return null;
        }
        return scalarIndexes.computeIfAbsent(fieldId, f -> SortedScalarIndex.build(c, rowCount()));
    }

    /**
     * The text index of an {@code enable_match} field covering at least {@code rows} rows (a growing segment's index
     * first indexes the rows it has not seen); null for other fields.
     */
    @Override
    public TextIndex textIndex(long fieldId, int rows) {
        TextIndex index = textIndexes.get(fieldId);
        if (index == null) {
            FieldSchema f = Schemas.byId(schema, fieldId).orElse(null);
            if (f == null || !TextFields.matchEnabled(f) || !(columns.get(fieldId) instanceof StringColumn)) {
                return null;
            }
            index = textIndexes.computeIfAbsent(fieldId, id -> new TextIndex(TextFields.analyzer(f)));
        }
        index.catchUp((StringColumn) columns.get(fieldId), rows);
        return index;
    }

    /** Builds the text indexes of a sealed segment over all its rows (at load, so no query pays for it). */
    public void buildTextIndexes() {
        for (FieldSchema f : schema.getFieldsList()) {
            TextIndex index = textIndex(f.getFieldID(), rowCount());
            if (index != null) {
                index.trim();
            }
        }
    }

    /** The inverse-norm cache of a float, FLOAT16 or BFLOAT16 vector field's rows (filled as searches need it, extended as rows arrive). */
    public RowNorms rowNorms(long fieldId) {
        return rowNorms.computeIfAbsent(fieldId, f -> new RowNorms());
    }

    public long indexBuildId() { return indexBuildId; }

    public long manifestVersion() { return manifestVersion; }

    public void setManifestVersion(long version) { this.manifestVersion = version; }

    /**
     * Rows visible at {@code readTs} among the first {@code rows}: inserted at or before it, not expired and not
     * hidden by a delete (MVCC). A sealed segment read after its every row and delete costs no per-row work: every
     * row, or the cached rows no delete hides (shared, read-only).
     *
     * @param expireTs the collection TTL's bound: rows inserted before it are expired and invisible (0: no TTL).
     *                 Milvus' rule (a row with {@code ts < expireTs} is gone); TTL only hides, compaction removes.
     */
    public AllowedRows visibleRows(long readTs, long expireTs, int rows) {
        // read the bounds after the caller's row count: they cover at least those rows (see append)
        long min = minTs;
        long max = maxTs;
        boolean bounded = min <= max; // false only while rows loaded from storage await refreshMaxTs: check each row
        if (bounded && max < expireTs) {
            return AllowedRows.none(rows); // every row expired: the segment contributes nothing
        }
        long[] ts = timestamps.array();
        boolean allOld = bounded && max <= readTs && min >= expireTs; // every row is old enough and none expired
        long[] hiddenAt = null; // null: nothing is deleted
        if (deletes.isEmpty()) {
            if (allOld) {
                return AllowedRows.all(rows); // nothing is deleted either: no per-row work
            }
        } else {
            DeleteRecord.Hidden h = hidden(rows, ts);
            if (allOld && readTs >= h.maxDeleteTs() && h.rows() == rows) {
                return new AllowedRows(rows, h.visibleAtLatest(), h.visibleCount()); // the cached answer
            }
            hiddenAt = h.at();
        }
        long[] words = new long[AllowedRows.wordsFor(rows)];
        int count = 0;
        for (int i = 0; i < rows; i++) {
            long t = ts[i];
            if (t <= readTs && t >= expireTs && (hiddenAt == null || hiddenAt[i] > readTs)) {
                words[i >>> 6] |= 1L << i;
                count++;
            }
        }
        return count == rows ? AllowedRows.all(rows) : new AllowedRows(rows, words, count);
    }

    /** The current hidden-at snapshot covering at least {@code rows} rows (a row's deletes never change its index). */
    private DeleteRecord.Hidden hidden(int rows, long[] ts) {
        DeleteRecord.Hidden h = hidden;
        if (h == null || h.version() != deletes.version() || h.rows() < rows) {
            h = deletes.hiddenAt(this::pkAt, ts, rows, h);
            hidden = h;
        }
        return h;
    }

    public long ramBytesUsed() {
        DeleteRecord.Hidden h = hidden;
        long b = timestamps.ramBytesUsed() + deletes.ramBytesUsed() + (h == null ? 0 : h.ramBytesUsed());
        for (FieldColumn c : columns.values()) {
            b += c.ramBytesUsed();
        }
        for (VectorIndex i : indexes.values()) {
            b += i.ramBytesUsed();
        }
        for (var i : scalarIndexes.values()) {
            b += i.ramBytesUsed();
        }
        for (RowNorms n : rowNorms.values()) {
            b += n.ramBytesUsed();
        }
        for (TextIndex t : textIndexes.values()) {
            b += t.ramBytesUsed();
        }
        return b;
    }
}
