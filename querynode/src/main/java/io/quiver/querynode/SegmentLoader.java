package io.quiver.querynode;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.CollectionSchema;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.binlog.PkStats;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.schema.Schemas;
import io.quiver.index.VectorIndex;
import io.quiver.index.VectorIndexes;
import io.quiver.proto.Binlog;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.IndexInfo;
import io.quiver.proto.SegmentIndex;
import io.quiver.proto.SegmentLoadInfo;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.ObjectStore;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads segments, deltalogs and index files from object storage into memory. */
public final class SegmentLoader {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentLoader.class);

    private final ObjectStore store;

    public SegmentLoader(ObjectStore store) {
        this.store = requireNonNull(store, "store is null");
    }

    /** Loads the rows of a segment's manifest (sealed, or the synced part of a growing one). */
    public Segment load(SegmentLoadInfo info, CollectionSchema schema, boolean growing) {
        SegmentManifest m = info.getManifest();
        Segment seg = new Segment(info.getSegment().getSegmentId(), info.getSegment().getPartitionId(), schema, growing);
        for (FieldBinlog fb : m.getBinlogsList()) {
            FieldColumn col = fb.getFieldId() == Schemas.TIMESTAMP_FIELD ? seg.timestamps()
                    : fb.getFieldId() >= Schemas.FIRST_USER_FIELD ? seg.column(fb.getFieldId()) : null;
            if (col == null || fb.getFieldId() == Schemas.TIMESTAMP_FIELD) {
                continue;
            }
            for (Binlog b : fb.getBinlogsList()) {
                BinlogCodec.readInto(store.get(b.getPath()), col);
            }
        }
        // timestamps last: they publish the rows to readers
        for (FieldBinlog fb : m.getBinlogsList()) {
            if (fb.getFieldId() == Schemas.TIMESTAMP_FIELD) {
                for (Binlog b : fb.getBinlogsList()) {
                    BinlogCodec.readInto(store.get(b.getPath()), seg.timestamps());
                }
            }
        }
        seg.refreshMaxTs();
        if (!growing) {
            seg.setPkStats(PkStats.build(seg.primaryKeys(), seg.rowCount()));
            seg.buildTextIndexes();
            loadIndexes(seg, info);
        }
        // the segment's own deletes (written while it was unflushed, or by L0 compaction); the shard leader forwards
        // only those it still buffers
        readDeletes(m, (pk, ts) -> seg.deletes().add(pk, ts));
        seg.setManifestVersion(m.getVersion());
        return seg;
    }

    /** Loads the finished vector indexes of the load info into the segment. */
    public void loadIndexes(Segment seg, SegmentLoadInfo info) {
        for (SegmentIndex si : info.getIndexesList()) {
            if (si.getIndexFilesCount() == 0) {
                continue;
            }
            IndexInfo ii = info.getIndexInfosList().stream().filter(x -> x.getIndexId() == si.getIndexId()).findFirst().orElse(null);
            if (ii == null || !ii.getIsVector()) {
                continue;
            }
            VectorIndex index;
            try {
                index = VectorIndexes.load(store.get(si.getIndexFiles(0)));
            } catch (IllegalStateException corrupt) {
                // a checksum or format failure: never serve the file; the segment's raw vectors are loaded, so it is
                // searched exactly (same answers, slower) until an index is rebuilt
                LOG.warn("event=index_file_rejected segment={} field={} build={} file={} reason={}: searching the segment's rows exactly",
                        seg.id(), ii.getFieldId(), si.getBuildId(), si.getIndexFiles(0), corrupt.getMessage());
                continue;
            }
            seg.setIndex(ii.getFieldId(), index, si.getBuildId());
        }
    }

    /**
     * A loaded sealed segment whose manifest has a newer version (L0 compaction added deltalogs): applies every delete of
     * the new manifest (adding a delete twice is harmless) and records the version.
     */
    public void refreshDeletes(Segment seg, SegmentManifest m) {
        if (m.getVersion() <= seg.manifestVersion()) {
            return;
        }
        readDeletes(m, (pk, ts) -> seg.deletes().add(pk, ts));
        seg.setManifestVersion(m.getVersion());
    }

    /** Feeds every delete of a segment's deltalogs to {@code sink} as (pk, ts). */
    public void readDeletes(SegmentManifest m, BiConsumer<Object, Long> sink) {
        for (Binlog b : m.getDeltalogsList()) {
            DeleteBatch d = DeltalogCodec.read(store.get(b.getPath()));
            for (int i = 0; i < d.size(); i++) {
                sink.accept(d.longPks() != null ? (Object) d.longPks()[i] : d.stringPks()[i], d.timestamps()[i]);
            }
        }
    }

    public SegmentManifest manifest(String path) {
        try {
            return SegmentManifest.parseFrom(store.get(path));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable manifest " + path, e);
        }
    }
}
