package io.quiver.datanode.compaction;

import io.quiver.common.binlog.LogIdRange;
import static java.util.Objects.requireNonNull;

import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.quiver.common.binlog.DeleteBatch;
import io.quiver.common.binlog.DeltalogCodec;
import io.quiver.common.binlog.ManifestStats;
import io.quiver.common.binlog.SegmentPaths;
import io.quiver.common.column.FieldColumn;
import io.quiver.common.column.LongColumn;
import io.quiver.common.schema.Schemas;
import io.quiver.proto.Binlog;
import io.quiver.proto.CompactionPlan;
import io.quiver.proto.CompactionResult;
import io.quiver.proto.CompactionSegment;
import io.quiver.proto.CompactionTaskState;
import io.quiver.proto.SegmentManifest;
import io.quiver.storage.ObjectStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * L0 compaction: moves the deletes of a vchannel's L0 segments (those with {@code ts <= l0_max_ts}) into the
 * deltalogs of the flushed L1 segments whose rows they hide.
 *
 * <p>Per target only the primary keys and timestamps are read. A delete (pk, d) is written to the target when it
 * hides one of its rows, i.e. the smallest timestamp of pk's rows there is below d; exact duplicates are written
 * once. A rewritten target gets one new deltalog and a manifest of version + 1 under a fresh log id (2 log ids);
 * its {@code deleted_rows} is the exact number of its rows hidden by all of its deltalogs, old and new.
 * Targets no delete hides are left alone and not reported.
 */
final class L0Applier {
    private record Delete(Object pk, long ts) {}

    private final ObjectStore store;
    private final CompactionReader reader;

    L0Applier(ObjectStore store, CompactionReader reader) {
        this.store = requireNonNull(store, "store is null");
        this.reader = requireNonNull(reader, "reader is null");
    }

    CompactionResult apply(CompactionPlan plan, Runnable check) {
        FieldSchema pkField = Schemas.primaryKey(plan.getCollection().getSchema());
        List<Delete> deletes = new ArrayList<>();
        for (CompactionSegment l0 : plan.getL0SegmentsList()) {
            check.run();
            for (DeleteBatch b : reader.readDeletes(reader.manifest(l0))) {
                for (int i = 0; i < b.size(); i++) {
                    if (b.timestamps()[i] <= plan.getL0MaxTs()) {
                        deletes.add(new Delete(DeleteIndex.key(b, i), b.timestamps()[i]));
                    }
                }
            }
        }
        LogIdRange logIds = new LogIdRange(plan.getPlanId(), plan.getFirstLogId(), plan.getLogIdCount());
        CompactionResult.Builder result = CompactionResult.newBuilder().setPlanId(plan.getPlanId()).setState(CompactionTaskState.COMPLETED);
        if (deletes.isEmpty()) {
            return result.build();
        }
        for (CompactionSegment target : plan.getSegmentsList()) {
            check.run();
            SegmentManifest m = reader.manifest(target);
            Map<Long, FieldColumn> cols = new LinkedHashMap<>();
            LongColumn ts = new LongColumn(Schemas.TIMESTAMP_FIELD, DataType.Int64, false);
            FieldColumn pk = FieldColumn.create(pkField);
            cols.put(Schemas.TIMESTAMP_FIELD, ts);
            cols.put(pkField.getFieldID(), pk);
            reader.readColumns(m, cols);
            Map<Object, Long> minRowTs = new HashMap<>();
            for (int r = 0; r < ts.size(); r++) {
                minRowTs.merge(DeleteIndex.key(pk, r), ts.get(r), Math::min);
            }
            Set<Delete> matching = new LinkedHashSet<>();
            for (Delete d : deletes) {
                Long min = minRowTs.get(d.pk());
                if (min != null && min < d.ts()) {
                    matching.add(d);
                }
            }
            if (matching.isEmpty()) {
                continue;
            }
            DeleteIndex all = new DeleteIndex();
            reader.readDeletes(m).forEach(all::add);
            matching.forEach(d -> all.add(d.pk(), d.ts()));
            long hidden = 0, minTs = Long.MAX_VALUE, maxTs = 0;
            for (int r = 0; r < ts.size(); r++) {
                hidden += all.hides(DeleteIndex.key(pk, r), ts.get(r)) ? 1 : 0;
                minTs = Math.min(minTs, ts.get(r));
                maxTs = Math.max(maxTs, ts.get(r));
            }
            SegmentManifest next = writeDeltalog(m, pkField.getDataType(), new ArrayList<>(matching), logIds);
            String mpath = SegmentPaths.manifest(m.getCollectionId(), m.getPartitionId(), m.getSegmentId(), logIds.next());
            store.put(mpath, next.toByteArray());
            result.addSegmentsBuilder().setSegmentId(m.getSegmentId()).setManifestPath(mpath).setManifestVersion(next.getVersion())
                    .setNumRows(next.getNumRows()).setMinTs(minTs).setMaxTs(maxTs).setSizeBytes(ManifestStats.sizeBytes(next)).setDeletedRows(hidden);
        }
        return result.build();
    }

    private SegmentManifest writeDeltalog(SegmentManifest m, DataType pkType, List<Delete> deletes, LogIdRange logIds) {
        int n = deletes.size();
        long[] ts = new long[n];
        long minTs = Long.MAX_VALUE, maxTs = 0;
        for (int i = 0; i < n; i++) {
            ts[i] = deletes.get(i).ts();
            minTs = Math.min(minTs, ts[i]);
            maxTs = Math.max(maxTs, ts[i]);
        }
        DeleteBatch batch;
        if (pkType == DataType.Int64) {
            long[] pks = new long[n];
            for (int i = 0; i < n; i++) pks[i] = (Long) deletes.get(i).pk();
            batch = DeleteBatch.ofLongs(pks, ts);
        } else {
            String[] pks = new String[n];
            for (int i = 0; i < n; i++) pks[i] = (String) deletes.get(i).pk();
            batch = DeleteBatch.ofStrings(pks, ts);
        }
        byte[] data = DeltalogCodec.write(batch);
        long id = logIds.next();
        String path = SegmentPaths.deltaLog(m.getCollectionId(), m.getPartitionId(), m.getSegmentId(), id);
        store.put(path, data);
        return m.toBuilder().setVersion(m.getVersion() + 1).addDeltalogs(Binlog.newBuilder().setLogId(id).setPath(path)
                .setEntries(n).setTsFrom(minTs).setTsTo(maxTs).setSize(data.length)).build();
    }
}
