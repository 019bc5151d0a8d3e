package io.quiver.datanode.compaction;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.Binlog;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.ObjectStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the inputs of a compaction plan from object storage: the binlogs of chosen fields of a segment (appended
 * to caller-owned columns, so several inputs concatenate into one column per field) and its deltalogs.
 */
final class CompactionReader {
    private final ObjectStore store;

    CompactionReader(ObjectStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** The input's manifest: the one in the plan, or, when the plan carries only the path, the stored one. */
    SegmentManifest manifest(CompactionSegment input) {
        if (input.hasManifest()) {
            return input.getManifest();
        }
        String path = input.getSegment().getManifestPath();
        if (path.isEmpty()) {
            throw QuiverException.invalid("compaction input segment %d has neither a manifest nor a manifest path",
                    input.getSegment().getSegmentId());
        }
        try {
            return SegmentManifest.parseFrom(store.get(path));
        } catch (InvalidProtocolBufferException e) {
            throw new QuiverException(ErrorCode.IO_FAILED, "unreadable manifest " + path, e);
        }
    }

    /**
     * Appends the rows of {@code m} to every column of {@code into} (keyed by field id). Every column must grow by
     * exactly {@code m.num_rows}: a field without binlogs, or binlogs of another row count, fail the plan.
     */
    void readColumns(SegmentManifest m, Map<Long, FieldColumn> into) {
        for (Map.Entry<Long, FieldColumn> e : into.entrySet()) {
            FieldColumn col = e.getValue();
            int before = col.size();
            for (FieldBinlog fb : m.getBinlogsList()) {
                if (fb.getFieldId() == e.getKey()) {
                    for (Binlog b : fb.getBinlogsList()) {
                        BinlogCodec.readInto(store.get(b.getPath()), col);
                    }
                }
            }
            if (col.size() - before != m.getNumRows()) {
                throw QuiverException.of(ErrorCode.UNEXPECTED, "segment %d field %d: binlogs hold %d rows, the manifest says %d",
                        m.getSegmentId(), e.getKey(), col.size() - before, m.getNumRows());
            }
        }
    }

    /** Every deltalog of {@code m}, in manifest order. */
    List<DeleteBatch> readDeletes(SegmentManifest m) {
        List<DeleteBatch> out = new ArrayList<>(m.getDeltalogsCount());
        for (Binlog b : m.getDeltalogsList()) {
            out.add(DeltalogCodec.read(store.get(b.getPath())));
        }
        return out;
    }
}
