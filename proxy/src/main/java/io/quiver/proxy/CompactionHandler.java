package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.GetCompactionPlansRequest;
import io.milvus.grpc.GetCompactionPlansResponse;
import io.milvus.grpc.GetCompactionStateRequest;
import io.milvus.grpc.GetCompactionStateResponse;
import io.milvus.grpc.GetPersistentSegmentInfoRequest;
import io.milvus.grpc.GetPersistentSegmentInfoResponse;
import io.milvus.grpc.ManualCompactionRequest;
import io.milvus.grpc.ManualCompactionResponse;
import io.quiver.common.error.QuiverException;
import io.quiver.common.grpc.RoleClients;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CompactionStateInternalRequest;
import io.quiver.proto.PersistentSegmentsRequest;

/**
 * The public compaction API (ManualCompaction, GetCompactionState[WithPlans], GetPersistentSegmentInfo): resolves
 * the collection the client names (name or alias in the request's database, or its id) and asks datacoord, which
 * plans, runs and reports compactions. Datacoord's answers, including a failed status, go back to the client as
 * they are; only the resolution of names is the proxy's. A transport failure (datacoord down, deadline) becomes a
 * status in {@code GrpcCalls}, never a gRPC error.
 *
 * <p>The Java SDK v2 ({@code MilvusClientV2.compact}) sends only {@code collectionID} (it describes the collection
 * first) and {@code majorCompaction = isClustering}; pymilvus and the Node SDK send the name. Both are accepted.
 */
public final class CompactionHandler {
    private final MetaCache meta;
    private final RoleClients clients;

    public CompactionHandler(MetaCache meta, RoleClients clients) {
        this.meta = requireNonNull(meta, "meta is null");
        this.clients = requireNonNull(clients, "clients is null");
    }

    public ManualCompactionResponse manualCompaction(String db, ManualCompactionRequest req) {
        CollectionInfo c = resolve(db, req.getCollectionName(), req.getCollectionID());
        ManualCompactionRequest internal = req.toBuilder().setCollectionID(c.getCollectionId())
                .setCollectionName(c.getName()).setDbName(c.getDbName()).build();
        return clients.dataCoord().manualCompaction(internal);
    }

    public GetCompactionStateResponse compactionState(GetCompactionStateRequest req) {
        CompactionStateInternalRequest internal = CompactionStateInternalRequest.newBuilder().setCompactionId(req.getCompactionID()).build();
        return clients.dataCoord().getCompactionState(internal);
    }

    public GetCompactionPlansResponse compactionStateWithPlans(GetCompactionPlansRequest req) {
        CompactionStateInternalRequest internal = CompactionStateInternalRequest.newBuilder().setCompactionId(req.getCompactionID()).build();
        return clients.dataCoord().getCompactionStateWithPlans(internal);
    }

    public GetPersistentSegmentInfoResponse persistentSegmentInfo(String db, GetPersistentSegmentInfoRequest req) {
        CollectionInfo c = resolve(db, req.getCollectionName(), 0);
        PersistentSegmentsRequest internal = PersistentSegmentsRequest.newBuilder().setCollectionId(c.getCollectionId()).build();
        return clients.dataCoord().getPersistentSegmentInfo(internal);
    }

    /** The collection a request names: by id when given, else by name or alias in {@code db}. */
    private CollectionInfo resolve(String db, String name, long id) {
        if (id != 0) {
            return meta.collectionById(id);
        }
        if (name == null || name.isBlank()) {
            throw QuiverException.invalid("collection name or collectionID is required");
        }
        return meta.collection(db, name);
    }
}
