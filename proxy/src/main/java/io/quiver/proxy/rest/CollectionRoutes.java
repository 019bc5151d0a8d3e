package io.quiver.proxy.rest;

import static io.quiver.proxy.rest.RestCall.check;
import static io.quiver.proxy.rest.RestJson.empty;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.AlterCollectionFieldRequest;
import io.milvus.grpc.AlterCollectionRequest;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DescribeCollectionRequest;
import io.milvus.grpc.DescribeCollectionResponse;
import io.milvus.grpc.DescribeIndexRequest;
import io.milvus.grpc.DescribeIndexResponse;
import io.milvus.grpc.DropCollectionRequest;
import io.milvus.grpc.FlushRequest;
import io.milvus.grpc.GetCollectionStatisticsRequest;
import io.milvus.grpc.GetCompactionStateRequest;
import io.milvus.grpc.GetCompactionStateResponse;
import io.milvus.grpc.GetLoadStateRequest;
import io.milvus.grpc.GetLoadStateResponse;
import io.milvus.grpc.GetLoadingProgressRequest;
import io.milvus.grpc.HasCollectionRequest;
import io.milvus.grpc.IndexDescription;
import io.milvus.grpc.KeyValuePair;
import io.milvus.grpc.LoadCollectionRequest;
import io.milvus.grpc.LoadState;
import io.milvus.grpc.ManualCompactionRequest;
import io.milvus.grpc.ManualCompactionResponse;
import io.milvus.grpc.ReleaseCollectionRequest;
import io.milvus.grpc.RenameCollectionRequest;
import io.milvus.grpc.ShowCollectionsRequest;
import io.quiver.common.schema.Params;
import java.util.List;
import java.util.Map;

/** {@code collections/*} and {@code collections/fields/*}: each one or a few service calls. */
final class CollectionRoutes {
    private CollectionRoutes() {}

    static void register(Map<String, RestRoute> r) {
        r.put("collections/list", c -> {
            var resp = c.stub().showCollections(ShowCollectionsRequest.newBuilder().setDbName(c.db()).build());
            check(resp.getStatus());
            return RestJson.names(resp.getCollectionNamesList());
        });
        r.put("collections/has", c -> {
            var resp = c.stub().hasCollection(HasCollectionRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName")).build());
            check(resp.getStatus());
            return RestJson.has(resp.getValue());
        });
        r.put("collections/describe", CollectionRoutes::describe);
        r.put("collections/get_stats", c -> {
            var resp = c.stub().getCollectionStatistics(GetCollectionStatisticsRequest.newBuilder().setDbName(c.db())
                    .setCollectionName(c.string("collectionName")).build());
            check(resp.getStatus());
            return rowCount(resp.getStatsList());
        });
        r.put("collections/get_load_state", CollectionRoutes::loadState);
        r.put("collections/create", CollectionRoutes::create);
        r.put("collections/drop", c -> status(c.stub().dropCollection(DropCollectionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).build())));
        r.put("collections/rename", c -> status(c.stub().renameCollection(RenameCollectionRequest.newBuilder().setDbName(c.db())
                .setOldName(c.string("collectionName")).setNewName(c.string("newCollectionName"))
                .setNewDBName(c.string("newDbName", "")).build())));
        r.put("collections/load", c -> load(c, false));
        r.put("collections/refresh_load", c -> load(c, true));
        r.put("collections/release", c -> status(c.stub().releaseCollection(ReleaseCollectionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).build())));
        r.put("collections/alter_properties", c -> status(c.stub().alterCollection(AlterCollectionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).addAllProperties(RestJson.pairs(c.object("properties"))).build())));
        r.put("collections/drop_properties", c -> status(c.stub().alterCollection(AlterCollectionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).addAllDeleteKeys(c.strings("propertyKeys")).build())));
        r.put("collections/fields/alter_properties", c -> status(c.stub().alterCollectionField(AlterCollectionFieldRequest.newBuilder()
                .setDbName(c.db()).setCollectionName(c.string("collectionName")).setFieldName(c.string("fieldName"))
                .addAllProperties(RestJson.pairs(c.object("fieldParams"))).build())));
        r.put("collections/compact", CollectionRoutes::compact);
        r.put("collections/get_compaction_state", CollectionRoutes::compactionState);
        r.put("collections/flush", c -> status(c.stub().flush(FlushRequest.newBuilder().setDbName(c.db())
                .addCollectionNames(c.string("collectionName")).build()).getStatus()));
    }

    static JsonObject status(io.milvus.grpc.Status s) {
        check(s);
        return empty();
    }

    static JsonObject rowCount(List<KeyValuePair> stats) {
        JsonObject o = new JsonObject();
        long rows = Long.parseLong(Params.flatten(stats).getOrDefault("row_count", "0"));
        o.addProperty("rowCount", rows);
        return o;
    }

    private static JsonElement load(RestCall c, boolean refresh) {
        return status(c.stub().loadCollection(LoadCollectionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setRefresh(refresh).build()));
    }

    private static JsonElement describe(RestCall c) {
        String name = c.string("collectionName");
        DescribeCollectionResponse d = c.stub().describeCollection(DescribeCollectionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(name).build());
        check(d.getStatus());
        JsonObject o = new JsonObject();
        o.addProperty("collectionName", d.getCollectionName().isEmpty() ? name : d.getCollectionName());
        o.addProperty("collectionID", d.getCollectionID());
        o.addProperty("description", d.getSchema().getDescription());
        o.addProperty("autoId", d.getSchema().getFieldsList().stream().anyMatch(f -> f.getIsPrimaryKey() && f.getAutoID()));
        o.add("fields", SchemaJson.fields(d.getSchema()));
        o.add("functions", SchemaJson.functions(d.getSchema()));
        o.add("aliases", RestJson.names(d.getAliasesList()));
        o.add("indexes", indexes(c, name));
        o.addProperty("load", loadStateName(c, name));
        o.addProperty("shardsNum", d.getShardsNum());
        o.addProperty("partitionsNum", d.getNumPartitions());
        o.addProperty("consistencyLevel", d.getConsistencyLevel().name());
        o.addProperty("enableDynamicField", d.getSchema().getEnableDynamicField());
        o.add("properties", RestJson.keyValues(d.getPropertiesList()));
        return o;
    }

    private static JsonArray indexes(RestCall c, String collection) {
        DescribeIndexResponse r = c.stub().describeIndex(DescribeIndexRequest.newBuilder().setDbName(c.db()).setCollectionName(collection).build());
        JsonArray a = new JsonArray();
        if (r.getStatus().getCode() != 0) {
            return a; // no index yet (Milvus lists none)
        }
        for (IndexDescription i : r.getIndexDescriptionsList()) {
            JsonObject o = new JsonObject();
            o.addProperty("fieldName", i.getFieldName());
            o.addProperty("indexName", i.getIndexName());
            o.addProperty("metricType", Params.flatten(i.getParamsList()).getOrDefault("metric_type", ""));
            a.add(o);
        }
        return a;
    }

    private static String loadStateName(RestCall c, String collection) {
        GetLoadStateResponse s = c.stub().getLoadState(GetLoadStateRequest.newBuilder().setDbName(c.db()).setCollectionName(collection).build());
        check(s.getStatus());
        return s.getState().name();
    }

    private static JsonElement loadState(RestCall c) {
        String name = c.string("collectionName");
        GetLoadStateResponse s = c.stub().getLoadState(GetLoadStateRequest.newBuilder().setDbName(c.db()).setCollectionName(name)
                .addAllPartitionNames(c.strings("partitionNames")).build());
        check(s.getStatus());
        JsonObject o = new JsonObject();
        o.addProperty("loadState", s.getState().name());
        if (s.getState() == LoadState.LoadStateLoading || s.getState() == LoadState.LoadStateLoaded) {
            var p = c.stub().getLoadingProgress(GetLoadingProgressRequest.newBuilder().setDbName(c.db()).setCollectionName(name)
                    .addAllPartitionNames(c.strings("partitionNames")).build());
            check(p.getStatus());
            o.addProperty("loadProgress", p.getProgress());
        }
        return o;
    }

    /** Create, then (with index parameters, or the quick form) create the indexes and load, as Milvus' REST does. */
    private static JsonElement create(RestCall c) {
        String name = c.string("collectionName");
        SchemaJson.Created created = SchemaJson.create(c);
        CreateCollectionRequest.Builder req = CreateCollectionRequest.newBuilder().setDbName(c.db()).setCollectionName(name)
                .setSchema(created.schema().toBuilder().setName(name).build().toByteString());
        JsonObject params = c.object("params");
        if (params.has("shardsNum")) {
            req.setShardsNum(params.get("shardsNum").getAsInt());
        }
        if (params.has("consistencyLevel")) {
            req.setConsistencyLevel(RestJson.consistency(params.get("consistencyLevel").getAsString()));
        }
        if (params.has("partitionsNum")) {
            req.setNumPartitions(params.get("partitionsNum").getAsLong());
        }
        for (Map.Entry<String, JsonElement> p : params.entrySet()) {
            if (SchemaJson.COLLECTION_PROPERTIES.contains(p.getKey())) {
                req.addProperties(KeyValuePair.newBuilder().setKey(SchemaJson.propertyKey(p.getKey())).setValue(RestJson.text(p.getValue())));
            }
        }
        check(c.stub().createCollection(req.build()));
        if (created.indexes().isEmpty()) {
            return empty();
        }
        for (CreateIndexRequest.Builder i : created.indexes()) {
            check(c.stub().createIndex(i.setDbName(c.db()).setCollectionName(name).build()));
        }
        check(c.stub().loadCollection(LoadCollectionRequest.newBuilder().setDbName(c.db()).setCollectionName(name).build()));
        return empty();
    }

    private static JsonElement compact(RestCall c) {
        ManualCompactionResponse r = c.stub().manualCompaction(ManualCompactionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setMajorCompaction(c.bool("isClustering", false)).build());
        check(r.getStatus());
        JsonObject o = new JsonObject();
        o.add("jobID", JsonRows.int64(r.getCompactionID(), c.int64AsNumber()));
        return o;
    }

    private static JsonElement compactionState(RestCall c) {
        if (!c.has("jobID")) {
            throw RestCall.missing("jobID");
        }
        GetCompactionStateResponse r = c.stub().getCompactionState(GetCompactionStateRequest.newBuilder()
                .setCompactionID(c.number("jobID", 0)).build());
        check(r.getStatus());
        JsonObject o = new JsonObject();
        o.addProperty("state", r.getState().name());
        o.addProperty("executingPlanNo", r.getExecutingPlanNo());
        o.addProperty("timeoutPlanNo", r.getTimeoutPlanNo());
        o.addProperty("completedPlanNo", r.getCompletedPlanNo());
        o.addProperty("failedPlanNo", r.getFailedPlanNo());
        return o;
    }
}
