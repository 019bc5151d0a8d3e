package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import io.milvus.grpc.BoolResponse;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DescribeCollectionRequest;
import io.milvus.grpc.DescribeCollectionResponse;
import io.milvus.grpc.DescribeIndexRequest;
import io.milvus.grpc.DescribeIndexResponse;
import io.milvus.grpc.DropIndexRequest;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.FlushRequest;
import io.milvus.grpc.FlushResponse;
import io.milvus.grpc.GetCollectionStatisticsResponse;
import io.milvus.grpc.GetFlushStateRequest;
import io.milvus.grpc.GetFlushStateResponse;
import io.milvus.grpc.GetLoadStateResponse;
import io.milvus.grpc.GetLoadingProgressResponse;
import io.milvus.grpc.GetPartitionStatisticsResponse;
import io.milvus.grpc.IndexDescription;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LoadState;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.ShowCollectionsResponse;
import io.milvus.grpc.ShowPartitionsResponse;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.error.Statuses;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.schema.Params;
import io.quiver.common.schema.Schemas;
import io.quiver.common.schema.UnsupportedSettings;
import io.quiver.common.util.HybridTs;
import io.quiver.index.IndexParamException;
import io.quiver.index.IndexSpec;
import io.quiver.index.MetricType;
import io.quiver.index.VectorIndexes;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.CollectionStatsRequest;
import io.quiver.proto.CreateIndexInternalRequest;
import io.quiver.proto.DescribeIndexInternalRequest;
import io.quiver.proto.DescribeIndexInternalResponse;
import io.quiver.proto.DropIndexInternalRequest;
import io.quiver.proto.FlushInternalRequest;
import io.quiver.proto.FlushInternalResponse;
import io.quiver.proto.GetFlushStateInternalRequest;
import io.quiver.proto.LoadCollectionInternalRequest;
import io.quiver.proto.LoadStateInternalRequest;
import io.quiver.proto.LoadStateInternalResponse;
import io.quiver.proto.PartitionInfo;
import io.quiver.proto.ReleaseInternalRequest;
import io.quiver.proto.ShowCollectionsInternalRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Collections, partitions, indexes, load/release and flush as the Milvus API exposes them. */
public final class DdlHandler {
    private static final Set<String> SCALAR_INDEXES = Set.of("INVERTED", "STL_SORT", "TRIE", "BITMAP", "MARISA-TRIE");
    private final MetaCache meta;
    private final RoleClients clients;

    public DdlHandler(MetaCache meta, RoleClients clients) {
        this.meta = requireNonNull(meta, "meta is null");
        this.clients = requireNonNull(clients, "clients is null");
    }

    public void createCollection(String db, CreateCollectionRequest req) {
        CollectionTtl.validate(req.getPropertiesList());
        Statuses.check(clients.rootCoord().createCollection(req.toBuilder().setDbName(db).build()));
        meta.invalidate(db, req.getCollectionName());
    }

    public void dropCollection(String db, String name) {
        Statuses.check(clients.rootCoord().dropCollection(io.milvus.grpc.DropCollectionRequest.newBuilder().setDbName(db).setCollectionName(name).build()));
        meta.invalidateAll();
    }

    public boolean hasCollection(String db, String name) {
        try {
            meta.invalidate(db, name);
            meta.collection(db, name);
            return true;
        } catch (QuiverException e) {
            if (e.errorCode() == ErrorCode.COLLECTION_NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    public DescribeCollectionResponse describe(String db, DescribeCollectionRequest req) {
        meta.refresh(db, req.getCollectionName());
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        CollectionSchema.Builder s = c.getSchema().toBuilder().clearFields();
        c.getSchema().getFieldsList().stream().filter(f -> !f.getIsDynamic()).forEach(s::addFields);
        return DescribeCollectionResponse.newBuilder().setStatus(Statuses.success())
                .setSchema(s)
                .setCollectionID(c.getCollectionId())
                .addAllVirtualChannelNames(c.getVchannelsList())
                .addAllPhysicalChannelNames(c.getPchannelsList())
                .setCreatedTimestamp(c.getCreatedTs())
                .setCreatedUtcTimestamp(HybridTs.physical(c.getCreatedTs()))
                .setShardsNum(c.getShardsNum())
                .addAllAliases(c.getAliasesList())
                .setConsistencyLevel(c.getConsistencyLevel())
                .setCollectionName(c.getName())
                .addAllProperties(c.getPropertiesList())
                .setDbName(c.getDbName())
                .setNumPartitions(c.getNumPartitions() > 0 ? c.getNumPartitions() : c.getPartitionsCount())
                .setDbId(c.getDbId())
                .setUpdateTimestamp(c.getUpdateTs())
                .setUpdateTimestampStr(Long.toString(c.getUpdateTs()))
                .build();
    }

    public ShowCollectionsResponse showCollections(String db) {
        var r = clients.rootCoord().showCollections(ShowCollectionsInternalRequest.newBuilder().setDbName(db).build());
        Statuses.check(r.getStatus());
        ShowCollectionsResponse.Builder b = ShowCollectionsResponse.newBuilder().setStatus(Statuses.success());
        for (CollectionInfo c : r.getCollectionsList()) {
            b.addCollectionNames(c.getName()).addCollectionIds(c.getCollectionId()).addCreatedTimestamps(c.getCreatedTs())
                    .addCreatedUtcTimestamps(HybridTs.physical(c.getCreatedTs())).addInMemoryPercentages(0).addQueryServiceAvailable(false);
        }
        return b.build();
    }

    public GetCollectionStatisticsResponse statistics(String db, String name) {
        CollectionInfo c = meta.collection(db, name);
        var r = clients.dataCoord().getCollectionStatistics(CollectionStatsRequest.newBuilder().setCollectionId(c.getCollectionId()).build());
        Statuses.check(r.getStatus());
        return GetCollectionStatisticsResponse.newBuilder().setStatus(Statuses.success())
                .addStats(KeyValuePair.newBuilder().setKey("row_count").setValue(Long.toString(r.getRowCount()))).build();
    }

    public GetPartitionStatisticsResponse partitionStatistics(String db, String name, String partition) {
        CollectionInfo c = meta.collection(db, name);
        long pid = partitionId(c, partition);
        var r = clients.dataCoord().getCollectionStatistics(CollectionStatsRequest.newBuilder().setCollectionId(c.getCollectionId()).addPartitionIds(pid).build());
        Statuses.check(r.getStatus());
        return GetPartitionStatisticsResponse.newBuilder().setStatus(Statuses.success())
                .addStats(KeyValuePair.newBuilder().setKey("row_count").setValue(Long.toString(r.getRowCount()))).build();
    }

    static long partitionId(CollectionInfo c, String name) {
        return c.getPartitionsList().stream().filter(p -> p.getName().equals(name)).findFirst()
                .orElseThrow(() -> new QuiverException(ErrorCode.PARTITION_NOT_FOUND, "partition=" + name)).getPartitionId();
    }

    public void createPartition(String db, String coll, String partition) {
        Statuses.check(clients.rootCoord().createPartition(io.milvus.grpc.CreatePartitionRequest.newBuilder().setDbName(db)
                .setCollectionName(coll).setPartitionName(partition).build()));
        meta.invalidate(db, coll);
    }

    public void dropPartition(String db, String coll, String partition) {
        CollectionInfo c = meta.collection(db, coll);
        var p = c.getPartitionsList().stream().filter(x -> x.getName().equals(partition)).findFirst();
        if (p.isPresent()) {
            LoadStateInternalResponse s = clients.queryCoord().getLoadState(LoadStateInternalRequest.newBuilder()
                    .setCollectionId(c.getCollectionId()).addPartitionIds(p.get().getPartitionId()).build());
            if (s.getState() == LoadState.LoadStateLoaded || s.getState() == LoadState.LoadStateLoading) {
                throw QuiverException.invalid("partition %s cannot be dropped, partition is loaded, please release it first", partition);
            }
        }
        Statuses.check(clients.rootCoord().dropPartition(io.milvus.grpc.DropPartitionRequest.newBuilder().setDbName(db)
                .setCollectionName(coll).setPartitionName(partition).build()));
        meta.invalidate(db, coll);
    }

    public boolean hasPartition(String db, String coll, String partition) {
        meta.invalidate(db, coll);
        return meta.collection(db, coll).getPartitionsList().stream().anyMatch(p -> p.getName().equals(partition));
    }

    public ShowPartitionsResponse showPartitions(String db, String coll) {
        meta.invalidate(db, coll);
        CollectionInfo c = meta.collection(db, coll);
        ShowPartitionsResponse.Builder b = ShowPartitionsResponse.newBuilder().setStatus(Statuses.success());
        for (PartitionInfo p : c.getPartitionsList()) {
            b.addPartitionNames(p.getName()).addPartitionIDs(p.getPartitionId()).addCreatedTimestamps(p.getCreatedTs())
                    .addCreatedUtcTimestamps(HybridTs.physical(p.getCreatedTs()));
        }
        return b.build();
    }

    // ------------------------------------------------------------------ indexes

    public void createIndex(String db, CreateIndexRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        FieldSchema f = Schemas.byName(c.getSchema(), req.getFieldName())
                .orElseThrow(() -> new QuiverException(ErrorCode.FIELD_NOT_FOUND, "cannot create index on non-exist field: " + req.getFieldName()));
        Map<String, String> p = new LinkedHashMap<>(Params.flatten(req.getExtraParamsList()));
        String type = p.getOrDefault("index_type", "").trim().toUpperCase();
        if (type.isEmpty()) {
            type = "AUTOINDEX";
        }
        p.put("index_type", type);
        boolean vector = Schemas.isVector(f.getDataType());
        if (!vector) {
            createScalarIndex(c, f, type, req.getIndexName(), req.getExtraParamsList());
            return;
        }
        if (SCALAR_INDEXES.contains(type)) {
            throw new QuiverException(ErrorCode.INDEX_NOT_SUPPORTED, "index type " + type + " does not apply to vector field " + f.getName());
        }
        boolean sparse = f.getDataType() == DataType.SparseFloatVector;
        if (sparse && type.equals("AUTOINDEX")) {
            type = "SPARSE_INVERTED_INDEX"; // Milvus' AUTOINDEX for sparse vectors
            p.put("index_type", type);
        }
        if (f.getDataType() == DataType.BinaryVector && type.equals("AUTOINDEX")) {
            type = "BIN_IVF_FLAT"; // Milvus 2.5's AUTOINDEX for binary vectors (autoIndex.params.binary.build)
            p.put("index_type", type);
            p.putIfAbsent("nlist", "1024");
        }
        String metric = p.getOrDefault("metric_type", "").trim().toUpperCase();
        if (metric.isEmpty()) {
            metric = switch (f.getDataType()) {
                case BinaryVector -> "HAMMING";
                case SparseFloatVector -> f.getIsFunctionOutput() ? "BM25" : "IP";
                default -> "COSINE";
            };
        }
        p.put("metric_type", metric);
        if (f.getIsFunctionOutput()) {
            if (!metric.equals("BM25")) {
                throw new QuiverException(ErrorCode.PARAMETER_INVALID, "index metric type of BM25 function output field must be BM25, got " + metric);
            }
            p.putIfAbsent("bm25_k1", "1.2"); // Milvus' defaults, shown by DescribeIndex; avgdl comes with each search
            p.putIfAbsent("bm25_b", "0.75");
            p.putIfAbsent("bm25_avgdl", "100");
        }
        checkVectorIndexType(f, type, metric);
        UnsupportedSettings.checkIndexParams(p);
        Map<String, String> build = new LinkedHashMap<>(p);
        build.remove("index_type");
        build.remove("metric_type");
        build.remove(UnsupportedSettings.MMAP);
        try {
            VectorIndexes.validate(new IndexSpec(type, MetricType.parse(metric), Schemas.dim(f), build));
        } catch (IllegalArgumentException e) {
            throw new QuiverException(ErrorCode.PARAMETER_INVALID, e.getMessage());
        }
        String name = req.getIndexName().isEmpty() ? f.getName() : req.getIndexName();
        Statuses.check(clients.dataCoord().createIndex(CreateIndexInternalRequest.newBuilder().setCollectionId(c.getCollectionId())
                .setFieldId(f.getFieldID()).setFieldName(f.getName()).setIndexName(name).setIsVector(true)
                .addAllIndexParams(Params.toPairs(p)).addAllUserParams(req.getExtraParamsList()).build()));
    }

    /** Refuses an index type the field's data type cannot take, and BM25 (only for a BM25 function's output). */
    private static void checkVectorIndexType(FieldSchema f, String type, String metric) {
        boolean sparseType = VectorIndexes.isSparseIndexType(type);
        switch (f.getDataType()) {
            case SparseFloatVector -> {
                if (!sparseType) {
                    throw new QuiverException(ErrorCode.INDEX_NOT_SUPPORTED, "data type SparseFloatVector can't build with index type " + type
                            + " (field " + f.getName() + "), supported: [SPARSE_INVERTED_INDEX SPARSE_WAND AUTOINDEX]");
                }
                if (metric.equals("BM25") && !f.getIsFunctionOutput()) {
                    throw new QuiverException(ErrorCode.PARAMETER_INVALID, "metric type BM25 applies only to the output field of a BM25 function, "
                            + "and field " + f.getName() + " is not one");
                }
            }
            case FloatVector, BinaryVector, Float16Vector, BFloat16Vector -> {
                if (f.getDataType() != DataType.BinaryVector && VectorIndexes.isBinaryIndexType(type)) {
                    throw new QuiverException(ErrorCode.INDEX_NOT_SUPPORTED, "data type " + f.getDataType() + " can't build with index type "
                            + type + " (field " + f.getName() + "): binary index types take binary vectors");
                }
                if (sparseType) {
                    throw new QuiverException(ErrorCode.INDEX_NOT_SUPPORTED, "only sparse float vector is supported for the specified index " + type);
                }
            }
            default -> throw new QuiverException(ErrorCode.INDEX_NOT_SUPPORTED, "indexes on " + f.getDataType() + " fields are not supported yet");
        }
    }

    /** Scalar index types a field type takes (Milvus 2.5's table); AUTOINDEX means INVERTED. */
    static List<String> scalarIndexTypes(DataType t) {
        return switch (t) {
            case Bool -> List.of("INVERTED", "BITMAP");
            case Int8, Int16, Int32, Int64 -> List.of("INVERTED", "STL_SORT", "BITMAP");
            case Float, Double -> List.of("INVERTED", "STL_SORT");
            case VarChar, String -> List.of("INVERTED", "TRIE", "MARISA-TRIE", "BITMAP");
            case Array -> List.of("INVERTED", "BITMAP");
            default -> List.of();
        };
    }

    private void createScalarIndex(CollectionInfo c, FieldSchema f, String type, String indexName, List<KeyValuePair> userParams) {
        String t = type.equals("AUTOINDEX") ? "INVERTED" : type.equals("TRIE") || type.equals("Trie") ? "TRIE" : type;
        List<String> allowed = scalarIndexTypes(f.getDataType());
        if (allowed.isEmpty()) {
            throw new QuiverException(ErrorCode.INDEX_NOT_SUPPORTED, "scalar indexes on " + f.getDataType() + " field " + f.getName() + " are not supported");
        }
        if (!allowed.contains(t)) {
            throw new QuiverException(ErrorCode.INDEX_NOT_SUPPORTED, "index type " + type + " is not supported on " + f.getDataType()
                    + " field " + f.getName() + ", supported: " + allowed);
        }
        String name = indexName.isEmpty() ? f.getName() : indexName;
        Map<String, String> p = new LinkedHashMap<>();
        p.put("index_type", t);
        Statuses.check(clients.dataCoord().createIndex(CreateIndexInternalRequest.newBuilder().setCollectionId(c.getCollectionId())
                .setFieldId(f.getFieldID()).setFieldName(f.getName()).setIndexName(name).setIsVector(false)
                .addAllIndexParams(Params.toPairs(p)).addAllUserParams(userParams).build()));
    }

    public DescribeIndexResponse describeIndex(String db, DescribeIndexRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        long fieldId = 0;
        if (!req.getFieldName().isEmpty()) {
            fieldId = Schemas.byName(c.getSchema(), req.getFieldName()).map(FieldSchema::getFieldID)
                    .orElseThrow(() -> new QuiverException(ErrorCode.INDEX_NOT_FOUND, "field " + req.getFieldName()));
        }
        DescribeIndexInternalResponse r = clients.dataCoord().describeIndex(DescribeIndexInternalRequest.newBuilder()
                .setCollectionId(c.getCollectionId()).setIndexName(req.getIndexName()).setFieldId(fieldId).build());
        Statuses.check(r.getStatus());
        DescribeIndexResponse.Builder b = DescribeIndexResponse.newBuilder().setStatus(Statuses.success());
        for (var d : r.getIndexesList()) {
            Map<String, String> p = Params.flatten(d.getIndex().getIndexParamsList());
            Map<String, String> build = new LinkedHashMap<>(p);
            String type = build.remove("index_type");
            String metric = build.remove("metric_type");
            IndexDescription.Builder id = IndexDescription.newBuilder().setIndexName(d.getIndex().getIndexName())
                    .setIndexID(d.getIndex().getIndexId()).setFieldName(d.getIndex().getFieldName())
                    .addParams(KeyValuePair.newBuilder().setKey("index_type").setValue(type == null ? "" : type));
            if (metric != null) {
                id.addParams(KeyValuePair.newBuilder().setKey("metric_type").setValue(metric));
            }
            if (!build.isEmpty()) {
                id.addParams(KeyValuePair.newBuilder().setKey("params").setValue(new Gson().toJson(build)));
            }
            b.addIndexDescriptions(id.setIndexedRows(d.getIndexedRows()).setTotalRows(d.getTotalRows())
                    .setPendingIndexRows(d.getPendingIndexRows()).setState(d.getState()).setIndexStateFailReason(d.getFailReason()));
        }
        return b.build();
    }

    public void dropIndex(String db, DropIndexRequest req) {
        CollectionInfo c = meta.collection(db, req.getCollectionName());
        LoadStateInternalResponse s = clients.queryCoord().getLoadState(LoadStateInternalRequest.newBuilder().setCollectionId(c.getCollectionId()).build());
        if (s.getState() != LoadState.LoadStateNotLoad) {
            throw QuiverException.invalid("index cannot be dropped, collection is loaded, please release it first");
        }
        long fieldId = req.getFieldName().isEmpty() ? 0 : Schemas.byName(c.getSchema(), req.getFieldName()).map(FieldSchema::getFieldID).orElse(-1L);
        Statuses.check(clients.dataCoord().dropIndex(DropIndexInternalRequest.newBuilder().setCollectionId(c.getCollectionId())
                .setIndexName(req.getIndexName()).setFieldId(fieldId).build()));
    }

    // ------------------------------------------------------------------ load

    private void requireVectorIndexes(CollectionInfo c) {
        for (FieldSchema f : Schemas.vectorFields(c.getSchema())) {
            DescribeIndexInternalResponse r = clients.dataCoord().describeIndex(DescribeIndexInternalRequest.newBuilder()
                    .setCollectionId(c.getCollectionId()).setFieldId(f.getFieldID()).build());
            if (!Statuses.isOk(r.getStatus()) || r.getIndexesCount() == 0) {
                throw new QuiverException(ErrorCode.INDEX_NOT_FOUND, "there is no vector index on field: [" + f.getName() + "], please create index firstly");
            }
        }
    }

    public void load(String db, String coll, List<String> partitions, int replicas, LoadOptions options) {
        CollectionInfo c = meta.collection(db, coll);
        options.check(c.getSchema());
        requireVectorIndexes(c);
        List<Long> ids = new ArrayList<>();
        for (String p : partitions) {
            ids.add(partitionId(c, p));
        }
        Statuses.check(clients.queryCoord().loadCollection(LoadCollectionInternalRequest.newBuilder().setCollectionId(c.getCollectionId())
                .addAllPartitionIds(ids).setIsPartitionLoad(!partitions.isEmpty()).setReplicaNumber(replicas).build()));
        meta.forgetLeaders(c.getCollectionId());
    }

    public void release(String db, String coll, List<String> partitions) {
        CollectionInfo c = meta.collection(db, coll);
        List<Long> ids = new ArrayList<>();
        for (String p : partitions) {
            ids.add(partitionId(c, p));
        }
        Statuses.check(clients.queryCoord().release(ReleaseInternalRequest.newBuilder().setCollectionId(c.getCollectionId()).addAllPartitionIds(ids).build()));
        meta.forgetLeaders(c.getCollectionId());
    }

    private LoadStateInternalResponse loadState(String db, String coll, List<String> partitions) {
        CollectionInfo c = meta.collection(db, coll);
        List<Long> ids = new ArrayList<>();
        for (String p : partitions) {
            ids.add(partitionId(c, p));
        }
        LoadStateInternalResponse r = clients.queryCoord().getLoadState(LoadStateInternalRequest.newBuilder().setCollectionId(c.getCollectionId()).addAllPartitionIds(ids).build());
        Statuses.check(r.getStatus());
        return r;
    }

    public GetLoadStateResponse getLoadState(String db, String coll, List<String> partitions) {
        return GetLoadStateResponse.newBuilder().setStatus(Statuses.success()).setState(loadState(db, coll, partitions).getState()).build();
    }

    public GetLoadingProgressResponse getLoadingProgress(String db, String coll, List<String> partitions) {
        LoadStateInternalResponse r = loadState(db, coll, partitions);
        if (r.getState() == LoadState.LoadStateNotLoad) {
            throw new QuiverException(ErrorCode.COLLECTION_NOT_LOADED, "collection=" + coll);
        }
        return GetLoadingProgressResponse.newBuilder().setStatus(Statuses.success()).setProgress(r.getProgress()).setRefreshProgress(r.getProgress()).build();
    }

    // ------------------------------------------------------------------ flush

    public FlushResponse flush(String db, List<String> names) {
        FlushResponse.Builder b = FlushResponse.newBuilder().setStatus(Statuses.success()).setDbName(db);
        for (String name : names) {
            CollectionInfo c = meta.collection(db, name);
            FlushInternalResponse r = clients.dataCoord().flush(FlushInternalRequest.newBuilder().setCollectionId(c.getCollectionId()).build());
            Statuses.check(r.getStatus());
            b.putCollSegIDs(name, LongArray.newBuilder().addAllData(r.getSegmentIdsList()).build());
            b.putFlushCollSegIDs(name, LongArray.newBuilder().addAllData(r.getFlushedSegmentIdsList()).build());
            b.putCollSealTimes(name, HybridTs.physical(r.getFlushTs()) / 1000);
            b.putCollFlushTs(name, r.getFlushTs());
        }
        return b.build();
    }

    public GetFlushStateResponse flushState(String db, GetFlushStateRequest req) {
        long coll = 0;
        if (!req.getCollectionName().isEmpty()) {
            coll = meta.collection(db, req.getCollectionName()).getCollectionId();
        }
        var r = clients.dataCoord().getFlushState(GetFlushStateInternalRequest.newBuilder().setCollectionId(coll)
                .addAllSegmentIds(req.getSegmentIDsList()).setFlushTs(req.getFlushTs()).build());
        Statuses.check(r.getStatus());
        return GetFlushStateResponse.newBuilder().setStatus(Statuses.success()).setFlushed(r.getFlushed()).build();
    }

    // ------------------------------------------------------------------ aliases, rename, properties

    public void createAlias(String db, io.milvus.grpc.CreateAliasRequest req) {
        Statuses.check(clients.rootCoord().createAlias(req.toBuilder().setDbName(db).build()));
        meta.invalidateAll();
    }

    public void dropAlias(String db, io.milvus.grpc.DropAliasRequest req) {
        Statuses.check(clients.rootCoord().dropAlias(req.toBuilder().setDbName(db).build()));
        meta.invalidateAll();
    }

    public void alterAlias(String db, io.milvus.grpc.AlterAliasRequest req) {
        Statuses.check(clients.rootCoord().alterAlias(req.toBuilder().setDbName(db).build()));
        meta.invalidateAll();
    }

    public io.milvus.grpc.DescribeAliasResponse describeAlias(String db, String alias) {
        var r = clients.rootCoord().showCollections(ShowCollectionsInternalRequest.newBuilder().setDbName(db).build());
        Statuses.check(r.getStatus());
        CollectionInfo c = r.getCollectionsList().stream().filter(x -> x.getAliasesList().contains(alias)).findFirst()
                .orElseThrow(() -> new QuiverException(ErrorCode.ALIAS_NOT_FOUND, "alias=" + alias));
        return io.milvus.grpc.DescribeAliasResponse.newBuilder().setStatus(Statuses.success()).setDbName(db).setAlias(alias)
                .setCollection(c.getName()).build();
    }

    public io.milvus.grpc.ListAliasesResponse listAliases(String db, String collection) {
        var r = clients.rootCoord().showCollections(ShowCollectionsInternalRequest.newBuilder().setDbName(db).build());
        Statuses.check(r.getStatus());
        io.milvus.grpc.ListAliasesResponse.Builder b = io.milvus.grpc.ListAliasesResponse.newBuilder().setStatus(Statuses.success())
                .setDbName(db).setCollectionName(collection);
        boolean found = collection.isEmpty();
        for (CollectionInfo c : r.getCollectionsList()) {
            if (collection.isEmpty() || c.getName().equals(collection)) {
                found = true;
                b.addAllAliases(c.getAliasesList());
            }
        }
        if (!found) {
            throw new QuiverException(ErrorCode.COLLECTION_NOT_FOUND, "collection=" + collection);
        }
        return b.build();
    }

    public void renameCollection(String db, io.milvus.grpc.RenameCollectionRequest req) {
        Statuses.check(clients.rootCoord().renameCollection(req.toBuilder().setDbName(db).build()));
        meta.invalidateAll();
    }

    public void alterCollection(String db, io.milvus.grpc.AlterCollectionRequest req) {
        CollectionTtl.validate(req.getPropertiesList());
        Statuses.check(clients.rootCoord().alterCollection(req.toBuilder().setDbName(db).build()));
        meta.invalidateAll();
    }

    public void alterDatabase(String db, io.milvus.grpc.AlterDatabaseRequest req) {
        Statuses.check(clients.rootCoord().alterDatabase(req.toBuilder().setDbName(db).build()));
    }

    public long collectionId(String db, String name) {
        return meta.collection(db, name).getCollectionId();
    }

    static BoolResponse bool(boolean v) {
        return BoolResponse.newBuilder().setStatus(Statuses.success()).setValue(v).build();
    }
}
