package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.UnsupportedSettings;
import io.quiver.common.util.WalMessages;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.MsgPosition;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.TimeTickMsg;
import io.quiver.proto.WalMessage;
import io.quiver.storage.Wal;
import io.quiver.storage.WalPosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Rootcoord's domain logic: DDL on top of {@link MetaTable}, ids and timestamps. No gRPC here. */
public final class RootCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(RootCoordinator.class);
    private final MetaTable meta;
    private final Tso tso;
    private final IdAllocator ids;
    private final DdlListener listener;
    private final List<String> pchannels;
    private final String cluster;
    private final Wal wal;

    public RootCoordinator(MetaTable meta, Tso tso, IdAllocator ids, DdlListener listener, Wal wal, String cluster, int dmlChannels) {
        this.wal = requireNonNull(wal, "wal is null");
        this.meta = requireNonNull(meta, "meta is null");
        this.tso = requireNonNull(tso, "tso is null");
        this.ids = requireNonNull(ids, "ids is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.cluster = requireNonNull(cluster, "cluster is null");
        this.pchannels = pchannelNames(cluster, dmlChannels);
    }

    public static List<String> pchannelNames(String cluster, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(cluster + "-dml_" + i);
        }
        return out;
    }

    /** The pchannels some collection has a vchannel on (the ones time ticks go to). */
    public Set<String> pchannelsInUse() { return meta.pchannelUsage().keySet(); }

    public MetaTable meta() { return meta; }

    public long allocTimestamp(int count) { return tso.allocate(count); }

    public long allocId(int count) { return ids.allocate(count); }

    public void createDatabase(String name, List<KeyValuePair> props) {
        meta.createDatabase(name, ids.allocate(1), tso.allocate(1), props);
    }

    public void dropDatabase(String name) {
        meta.dropDatabase(name);
    }

    public void createCollection(String db, CreateCollectionRequest req) {
        CollectionSchema user;
        try {
            user = CollectionSchema.parseFrom(req.getSchema());
        } catch (InvalidProtocolBufferException e) {
            throw QuiverException.invalid("schema is not a valid serialized CollectionSchema: %s", e.getMessage());
        }
        user.getFieldsList().forEach(UnsupportedSettings::checkField);
        UnsupportedSettings.checkCollectionProperties(req.getPropertiesList());
        if (user.getFieldsCount() > meta.limits().maxFields()) {
            throw QuiverException.invalid("maximum field's number should be limited to %d", meta.limits().maxFields());
        }
        CollectionSchema schema = MetaTable.prepareSchema(req.getCollectionName(), user);
        int shards = req.getShardsNum() <= 0 ? 1 : req.getShardsNum();
        if (shards > meta.limits().maxShards()) {
            throw QuiverException.invalid("maximum shards's number should be limited to %d", meta.limits().maxShards());
        }
        var dbInfo = meta.database(db);
        long ts = tso.allocate(1);
        long collectionId = ids.allocate(1);
        CollectionInfo.Builder c = CollectionInfo.newBuilder()
                .setCollectionId(collectionId)
                .setDbId(dbInfo.getDbId())
                .setDbName(dbInfo.getName())
                .setName(req.getCollectionName())
                .setSchema(schema)
                .setShardsNum(shards)
                .setConsistencyLevel(MetaTable.consistency(req.getConsistencyLevel()))
                .setCreatedTs(ts)
                .setUpdateTs(ts)
                .addAllProperties(req.getPropertiesList());
        boolean partitionKey = schema.getFieldsList().stream().anyMatch(FieldSchema::getIsPartitionKey);
        if (partitionKey) {
            long n = req.getNumPartitions() <= 0 ? 16 : req.getNumPartitions();
            if (n > meta.limits().maxPartitions()) {
                throw QuiverException.invalid("partition number (%d) exceeds max configuration (%d), collection: %s", n,
                        meta.limits().maxPartitions(), req.getCollectionName());
            }
            long first = ids.allocate((int) n);
            for (int i = 0; i < n; i++) {
                c.addPartitions(PartitionInfo.newBuilder().setPartitionId(first + i).setName(MetaTable.DEFAULT_PARTITION + "_" + i).setCreatedTs(ts));
            }
            c.setNumPartitions(n);
        } else {
            c.addPartitions(PartitionInfo.newBuilder().setPartitionId(ids.allocate(1)).setName(MetaTable.DEFAULT_PARTITION).setCreatedTs(ts));
        }
        Map<String, Integer> usage = meta.pchannelUsage();
        List<String> chosen = pchannels.stream()
                .sorted(Comparator.comparingInt((String p) -> usage.getOrDefault(p, 0)).thenComparing(pchannels::indexOf))
                .limit(shards).toList();
        for (int i = 0; i < shards; i++) {
            String p = chosen.get(i % chosen.size());
            c.addPchannels(p);
            c.addVchannels(p + "_" + collectionId + "v" + i);
        }
        // Mark where each vchannel's data begins: consumers start there instead of scanning the shared pchannel.
        // The marker is a tick of timestamp 0, which never advances anyone's tSafe (only the barrier may).
        byte[] marker = WalMessage.newBuilder().setTimeTick(TimeTickMsg.newBuilder().setTimestamp(0)).build().toByteArray();
        for (int i = 0; i < shards; i++) {
            WalPosition pos = wal.produce(c.getPchannels(i), marker);
            // the datanode's subscription exists from the marker on, so WAL retention never truncates this vchannel's
            // data before its datanode subscribes (the datanode resumes this subscription; expiry removes an unused one)
            wal.subscribe(c.getPchannels(i), WalMessages.datanodeSubscription(c.getVchannels(i)), Wal.StartPosition.at(pos)).close();
            c.addStartPositions(MsgPosition.newBuilder().setChannel(c.getVchannels(i))
                    .setPosition(com.google.protobuf.ByteString.copyFrom(pos.bytes())).setTimestamp(ts));
        }
        CollectionInfo info = c.build();
        if (!meta.createCollection(info)) {
            return; // identical collection exists: idempotent success
        }
        try {
            listener.collectionCreated(info);
        } catch (RuntimeException e) {
            meta.removeCollection(collectionId);
            throw e;
        }
        LOG.info("collection created db={} name={} collectionId={} shards={} vchannels={}", db, info.getName(), collectionId, shards, info.getVchannelsList());
    }

    public void dropCollection(String db, String name) {
        var c = meta.find(db, name);
        if (c.isEmpty() || !c.get().getName().equals(name)) {
            if (c.isPresent()) {
                throw QuiverException.invalid("cannot drop the collection via alias = %s", name);
            }
            meta.database(db);
            return; // dropping a missing collection succeeds, as in Milvus
        }
        if (c.get().getAliasesCount() > 0) {
            throw QuiverException.invalid("unable to drop the collection [%s] because it has associated aliases %s, please remove all aliases before dropping the collection",
                    name, c.get().getAliasesList());
        }
        listener.dataDropped(c.get().getCollectionId(), List.of());
        meta.removeCollection(c.get().getCollectionId());
        LOG.info("collection dropped db={} name={} collectionId={}", db, name, c.get().getCollectionId());
    }

    public void createPartition(String db, String collection, String partition) {
        CollectionInfo c = meta.get(db, collection);
        meta.addPartition(c.getCollectionId(), partition, ids.allocate(1), tso.allocate(1));
    }

    public void dropPartition(String db, String collection, String partition) {
        CollectionInfo c = meta.get(db, collection);
        var p = c.getPartitionsList().stream().filter(x -> x.getName().equals(partition)).findFirst();
        if (p.isEmpty()) {
            return;
        }
        if (MetaTable.DEFAULT_PARTITION.equals(partition)) {
            throw QuiverException.invalid("default partition cannot be deleted");
        }
        listener.dataDropped(c.getCollectionId(), List.of(p.get().getPartitionId()));
        meta.removePartition(c.getCollectionId(), partition);
    }
}
