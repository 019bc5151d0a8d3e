package io.quiver.proxy;

import io.quiver.common.schema.Sharding;
import static java.util.Objects.requireNonNull;

import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.IDs;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.StringArray;
import io.milvus.grpc.UpsertRequest;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.expr.ExprEvaluator;
import io.quiver.common.expr.ExprPlanner;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.schema.Schemas;
import io.quiver.common.util.BatchIdAllocator;
import io.quiver.proto.AssignSegmentIDRequest;
import io.quiver.proto.AssignSegmentIDResponse;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DeleteMsg;
import io.quiver.proto.DmlGroup;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.SegmentIDAssignment;
import io.quiver.proto.SegmentIDRequest;
import io.quiver.proto.WalMessage;
import io.quiver.proto.plan.PlanExpr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Insert, upsert and delete (DESIGN section 9): validate, stamp one timestamp per request, hash rows to shards,
 * get segment ids from datacoord, write to the WAL and answer only after the WAL acknowledged, so an
 * acknowledged write is durable. Upsert = delete + insert at the same timestamp.
 */
public final class DmlHandler {
    /** Insert messages larger than this are split (by rows) before they go to the WAL. */
    static final long MAX_MSG_BYTES = 8L << 20;

    private final MetaCache meta;
    private final RoleClients clients;
    private final WalFanout fanout;
    private final Timestamps timestamps;
    private final BatchIdAllocator rowIds;
    private final QueryHandler query;
    private final io.micrometer.core.instrument.Counter insertedRows;
    private final Bm25Texts bm25;

    public DmlHandler(MetaCache meta, RoleClients clients, WalFanout fanout, Timestamps timestamps, BatchIdAllocator rowIds, QueryHandler query,
                      io.micrometer.core.instrument.Counter insertedRows) {
        this.insertedRows = requireNonNull(insertedRows, "insertedRows is null");
        this.meta = requireNonNull(meta, "meta is null");
        this.clients = requireNonNull(clients, "clients is null");
        this.fanout = requireNonNull(fanout, "fanout is null");
        this.timestamps = requireNonNull(timestamps, "timestamps is null");
        this.rowIds = requireNonNull(rowIds, "rowIds is null");
        this.query = requireNonNull(query, "query is null");
        this.bm25 = query.bm25Texts(); // one analyzer cache per proxy, shared with BM25 search
    }

    public MutationResult insert(String db, InsertRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        int n = req.getNumRows();
        List<FieldData> fields = bm25.withOutputs(c.getSchema(),
                RowValidator.validate(c.getSchema(), req.getFieldsDataList(), n, false, rowIds::allocate), n);
        long ts = timestamps.begin();
        IDs ids = commit(ts, () -> write(c, req.getPartitionName(), fields, n, ts, false));
        insertedRows.increment(n);
        return MutationResult.newBuilder().setStatus(Statuses.success()).setIDs(ids).setInsertCnt(n).setTimestamp(ts).build();
    }

    public MutationResult upsert(String db, UpsertRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        int n = req.getNumRows();
        List<FieldData> fields = bm25.withOutputs(c.getSchema(),
                RowValidator.validate(c.getSchema(), req.getFieldsDataList(), n, true, rowIds::allocate), n);
        long ts = timestamps.begin();
        IDs ids = commit(ts, () -> write(c, req.getPartitionName(), fields, n, ts, true));
        return MutationResult.newBuilder().setStatus(Statuses.success()).setIDs(ids).setInsertCnt(n).setUpsertCnt(n)
                .setDeleteCnt(n).setTimestamp(ts).build();
    }

    /** A request's primary keys and the WAL messages that carry it. */
    private record Written(IDs ids, List<WalFanout.Message> messages) {}

    /**
     * Builds the messages of the DML request stamped {@code ts}, writes them to their channels in parallel and waits
     * until all are durable (or the deadline). {@code ts} stays in flight until every append finished, so no time
     * tick passes a message still being written.
     */
    private IDs commit(long ts, Supplier<Written> build) {
        Written w;
        try {
            w = build.get();
        } catch (RuntimeException e) {
            timestamps.done(ts);
            throw e;
        }
        CompletableFuture<Void> durable = fanout.produceAll(w.messages());
        durable.whenComplete((v, e) -> timestamps.done(ts));
        WalFanout.await(durable);
        return w.ids();
    }

    private static FieldSchema partitionKey(CollectionSchema s) {
        return s.getFieldsList().stream().filter(FieldSchema::getIsPartitionKey).findFirst().orElse(null);
    }

    private List<PartitionInfo> targetPartitions(CollectionInfo c, String partitionName) {
        if (partitionKey(c.getSchema()) != null) {
            if (!partitionName.isEmpty()) {
                throw QuiverException.invalid("not support manually specifying the partition names if partition key mode is used");
            }
            return c.getPartitionsList();
        }
        String name = partitionName.isEmpty() ? "_default" : partitionName;
        PartitionInfo p = c.getPartitionsList().stream().filter(x -> x.getName().equals(name)).findFirst()
                .orElseThrow(() -> new QuiverException(ErrorCode.PARTITION_NOT_FOUND, "partition=" + name));
        return List.of(p);
    }

    /**
     * Hashes rows to (partition, shard), gets segments and builds the WAL messages; an upsert's keys are deleted and
     * re-inserted in one {@link DmlGroup} per message, so a read never sees an upserted key absent.
     */
    private Written write(CollectionInfo c, String partitionName, List<FieldData> fields, int n, long ts, boolean upsert) {
        CollectionSchema schema = c.getSchema();
        FieldSchema pkField = Schemas.primaryKey(schema);
        FieldData pk = fields.stream().filter(f -> f.getFieldId() == pkField.getFieldID()).findFirst().orElseThrow();
        IDs ids = pkField.getDataType() == DataType.Int64
                ? IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(pk.getScalars().getLongData().getDataList())).build()
                : IDs.newBuilder().setStrId(StringArray.newBuilder().addAllData(pk.getScalars().getStringData().getDataList())).build();
        List<PartitionInfo> parts = targetPartitions(c, partitionName);
        FieldSchema keyField = partitionKey(schema);
        FieldData keyData = keyField == null ? null : fields.stream().filter(f -> f.getFieldId() == keyField.getFieldID()).findFirst().orElseThrow();
        int shards = c.getVchannelsCount();
        // group rows by (partition index, shard)
        Map<Long, List<Integer>> groups = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int shard = pkField.getDataType() == DataType.Int64 ? Sharding.shardOf(pk.getScalars().getLongData().getData(i), shards)
                    : Sharding.shardOf(pk.getScalars().getStringData().getData(i), shards);
            int part = 0;
            if (keyData != null) {
                part = keyField.getDataType() == DataType.VarChar
                        ? Sharding.shardOf(keyData.getScalars().getStringData().getData(i), parts.size())
                        : Sharding.shardOf(keyData.getScalars().hasLongData() ? keyData.getScalars().getLongData().getData(i)
                                : keyData.getScalars().getIntData().getData(i), parts.size());
            }
            groups.computeIfAbsent(((long) part << 32) | shard, k -> new ArrayList<>()).add(i);
        }
        AssignSegmentIDRequest.Builder assign = AssignSegmentIDRequest.newBuilder().setTimestamp(ts);
        List<Long> keys = new ArrayList<>(groups.keySet());
        for (long k : keys) {
            assign.addRequests(SegmentIDRequest.newBuilder().setCollectionId(c.getCollectionId())
                    .setPartitionId(parts.get((int) (k >>> 32)).getPartitionId()).setVchannel(c.getVchannels((int) k))
                    .setCount(groups.get(k).size()));
        }
        List<WalFanout.Message> messages = new ArrayList<>();
        AssignSegmentIDResponse assigned = clients.dataCoord().assignSegmentID(assign.build());
        Statuses.check(assigned.getStatus());
        long firstRowId = rowIds.allocate(n);
        for (int g = 0; g < keys.size(); g++) {
            long k = keys.get(g);
            List<Integer> rows = groups.get(k);
            SegmentIDAssignment a = assigned.getAssignments(g);
            int shard = (int) k;
            long rowBytes = Math.max(1, fields.stream().mapToLong(FieldData::getSerializedSize).sum() / Math.max(1, n));
            int chunk = (int) Math.max(1, Math.min(rows.size(), MAX_MSG_BYTES / rowBytes));
            for (int from = 0; from < rows.size(); from += chunk) {
                int to = Math.min(rows.size(), from + chunk);
                int cnt = to - from;
                int[] sel = rows.subList(from, to).stream().mapToInt(Integer::intValue).toArray();
                int[] zero = new int[cnt];
                InsertMsg.Builder m = InsertMsg.newBuilder().setCollectionId(c.getCollectionId()).setPartitionId(a.getPartitionId())
                        .setSegmentId(a.getSegmentId()).setVchannel(c.getVchannels(shard)).setTimestamp(ts).setNumRows(cnt);
                for (FieldData f : fields) {
                    FieldData sub = cnt == n ? f : FieldDatas.gather(List.of(f), zero, sel, cnt);
                    m.addFieldsData(sub);
                }
                for (int r : sel) {
                    m.addRowIds(firstRowId + r);
                }
                WalMessage.Builder msg = WalMessage.newBuilder();
                if (upsert) {
                    // the chunk's keys are deleted and re-inserted in one message: no reader sees one without the other
                    DeleteMsg del = deleteMsg(c, shard, ts, -1, FieldDatas.gatherIds(List.of(ids), zero, sel, cnt), cnt);
                    msg.setGroup(DmlGroup.newBuilder().addDeletes(del).addInserts(m));
                } else {
                    msg.setInsert(m);
                }
                messages.add(new WalFanout.Message(c.getPchannels(shard), msg.build()));
            }
        }
        return new Written(ids, messages);
    }

    /** The delete of {@code keys} ({@code count} of them) on one shard at {@code ts}. */
    private static DeleteMsg deleteMsg(CollectionInfo c, int shard, long ts, long partitionId, IDs keys, int count) {
        return DeleteMsg.newBuilder().setCollectionId(c.getCollectionId()).setPartitionId(partitionId).setVchannel(c.getVchannels(shard))
                .setTimestamp(ts).setPrimaryKeys(keys).setNumRows(count).build();
    }

    /** Delete messages for the keys, hashed to shards like inserts. */
    private List<WalFanout.Message> deleteMessages(CollectionInfo c, IDs ids, long ts, long partitionId) {
        int shards = c.getVchannelsCount();
        Map<Integer, List<Object>> byShard = new HashMap<>();
        int count = FieldDatas.idCount(ids);
        for (int i = 0; i < count; i++) {
            Object key = FieldDatas.id(ids, i);
            int shard = key instanceof Long l ? Sharding.shardOf(l, shards) : Sharding.shardOf((String) key, shards);
            byShard.computeIfAbsent(shard, k -> new ArrayList<>()).add(key);
        }
        List<WalFanout.Message> messages = new ArrayList<>();
        byShard.forEach((shard, keys) -> {
            IDs.Builder b = IDs.newBuilder();
            if (ids.hasStrId()) {
                b.setStrId(StringArray.newBuilder().addAllData(keys.stream().map(k -> (String) k).toList()));
            } else {
                b.setIntId(LongArray.newBuilder().addAllData(keys.stream().map(k -> (Long) k).toList()));
            }
            messages.add(new WalFanout.Message(c.getPchannels(shard),
                    WalMessage.newBuilder().setDelete(deleteMsg(c, shard, ts, partitionId, b.build(), keys.size())).build()));
        });
        return messages;
    }

    public MutationResult delete(String db, DeleteRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        if (req.getExpr().isBlank()) {
            throw QuiverException.invalid("delete plan can't be empty or always true : %s", req.getExpr());
        }
        long partitionId = -1;
        if (!req.getPartitionName().isEmpty()) {
            partitionId = c.getPartitionsList().stream().filter(p -> p.getName().equals(req.getPartitionName())).findFirst()
                    .orElseThrow(() -> new QuiverException(ErrorCode.PARTITION_NOT_FOUND, "partition=" + req.getPartitionName())).getPartitionId();
        }
        PlanExpr plan = ExprPlanner.plan(req.getExpr(), c.getSchema(), req.getExprTemplateValuesMap());
        Optional<List<Object>> terms = ExprEvaluator.primaryKeyTerms(plan);
        IDs ids;
        if (terms.isPresent()) {
            ids = toIds(terms.get(), Schemas.primaryKey(c.getSchema()).getDataType());
        } else {
            // any other filter: resolve to primary keys by a query at a fresh timestamp (Strong)
            ids = query.primaryKeysMatching(c, plan, partitionId);
        }
        int count = FieldDatas.idCount(ids);
        long ts = timestamps.begin();
        long part = partitionId;
        commit(ts, () -> new Written(ids, count > 0 ? deleteMessages(c, ids, ts, part) : List.of()));
        return MutationResult.newBuilder().setStatus(Statuses.success()).setIDs(ids).setDeleteCnt(count).setTimestamp(ts).build();
    }

    static IDs toIds(List<Object> keys, DataType pkType) {
        if (pkType == DataType.VarChar) {
            return IDs.newBuilder().setStrId(StringArray.newBuilder().addAllData(keys.stream().map(String::valueOf).toList())).build();
        }
        return IDs.newBuilder().setIntId(LongArray.newBuilder().addAllData(keys.stream().map(k -> ((Number) k).longValue()).toList())).build();
    }
}
