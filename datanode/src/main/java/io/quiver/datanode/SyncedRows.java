package io.quiver.datanode;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.binlog.BinlogCodec;
import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.column.StringColumn;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.Binlog;
import io.quiver.proto.FieldBinlog;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.ObjectStore;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Primary keys and timestamps of rows and deletes, read from a segment's files or an insert message. */
final class SyncedRows {
    private SyncedRows() {}

    /** Every synced row of a segment as (pk, ts): only the primary-key and timestamp binlogs are read. */
    static void read(ObjectStore store, SegmentManifest m, FieldSchema pkField, BiConsumer<Object, Long> sink) {
        FieldColumn pks = FieldColumn.create(pkField);
        LongColumn ts = new LongColumn(Schemas.TIMESTAMP_FIELD, DataType.Int64, false);
        for (FieldBinlog fb : m.getBinlogsList()) {
            FieldColumn into = fb.getFieldId() == pkField.getFieldID() ? pks : fb.getFieldId() == Schemas.TIMESTAMP_FIELD ? ts : null;
            if (into != null) {
                for (Binlog b : fb.getBinlogsList()) {
                    BinlogCodec.readInto(store.get(b.getPath()), into);
                }
            }
        }
        int n = Math.min(ts.size(), pks.size());
        for (int i = 0; i < n; i++) {
            sink.accept(pks instanceof LongColumn l ? (Object) l.get(i) : ((StringColumn) pks).get(i), ts.get(i));
        }
    }

    /** Every delete of a segment's deltalogs as (pk, ts). */
    static void readDeletes(ObjectStore store, String manifestPath, BiConsumer<Object, Long> sink) {
        SegmentManifest m;
        try {
            m = SegmentManifest.parseFrom(store.get(manifestPath));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable manifest " + manifestPath, e);
        }
        for (Binlog b : m.getDeltalogsList()) {
            DeleteBatch d = DeltalogCodec.read(store.get(b.getPath()));
            for (int i = 0; i < d.size(); i++) {
                sink.accept(d.longPks() != null ? (Object) d.longPks()[i] : d.stringPks()[i], d.timestamps()[i]);
            }
        }
    }

    /** The primary keys of an insert message, in row order. */
    static void forEachKey(InsertMsg ins, long pkFieldId, Consumer<Object> sink) {
        for (FieldData fd : ins.getFieldsDataList()) {
            if (fd.getFieldId() != pkFieldId) {
                continue;
            }
            if (fd.getScalars().hasLongData()) {
                fd.getScalars().getLongData().getDataList().forEach(sink);
            } else {
                fd.getScalars().getStringData().getDataList().forEach(sink);
            }
            return;
        }
    }
}
