package io.quiver.proxy.rest;

import static io.quiver.proxy.rest.CollectionRoutes.status;
import static io.quiver.proxy.rest.RestCall.check;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.AlterAliasRequest;
import io.milvus.grpc.AlterDatabaseRequest;
import io.milvus.grpc.AlterIndexRequest;
import io.milvus.grpc.CreateAliasRequest;
import io.milvus.grpc.CreateDatabaseRequest;
import io.milvus.grpc.CreatePartitionRequest;
import io.milvus.grpc.DescribeAliasRequest;
import io.milvus.grpc.DescribeDatabaseRequest;
import io.milvus.grpc.DescribeIndexRequest;
import io.milvus.grpc.DropAliasRequest;
import io.milvus.grpc.DropDatabaseRequest;
import io.milvus.grpc.DropIndexRequest;
import io.milvus.grpc.DropPartitionRequest;
import io.milvus.grpc.GetPartitionStatisticsRequest;
import io.milvus.grpc.HasPartitionRequest;
import io.milvus.grpc.IndexDescription;
import io.milvus.grpc.ListAliasesRequest;
import io.milvus.grpc.ListDatabasesRequest;
import io.milvus.grpc.LoadPartitionsRequest;
import io.milvus.grpc.ReleasePartitionsRequest;
import io.milvus.grpc.ShowPartitionsRequest;
import io.quiver.common.schema.Params;
import java.util.Map;

/** {@code partitions/*}, {@code indexes/*}, {@code aliases/*} and {@code databases/*}: one service call each. */
final class SchemaObjectRoutes {
    private SchemaObjectRoutes() {}

    static void register(Map<String, RestRoute> r) {
        partitions(r);
        indexes(r);
        aliases(r);
        databases(r);
    }

    private static void partitions(Map<String, RestRoute> r) {
        r.put("partitions/list", c -> {
            var resp = c.stub().showPartitions(ShowPartitionsRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName")).build());
            check(resp.getStatus());
            return RestJson.names(resp.getPartitionNamesList());
        });
        r.put("partitions/has", c -> {
            var resp = c.stub().hasPartition(HasPartitionRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName"))
                    .setPartitionName(c.string("partitionName")).build());
            check(resp.getStatus());
            return RestJson.has(resp.getValue());
        });
        r.put("partitions/get_stats", c -> {
            var resp = c.stub().getPartitionStatistics(GetPartitionStatisticsRequest.newBuilder().setDbName(c.db())
                    .setCollectionName(c.string("collectionName")).setPartitionName(c.string("partitionName")).build());
            check(resp.getStatus());
            return CollectionRoutes.rowCount(resp.getStatsList());
        });
        r.put("partitions/create", c -> status(c.stub().createPartition(CreatePartitionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setPartitionName(c.string("partitionName")).build())));
        r.put("partitions/drop", c -> status(c.stub().dropPartition(DropPartitionRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setPartitionName(c.string("partitionName")).build())));
        r.put("partitions/load", c -> status(c.stub().loadPartitions(LoadPartitionsRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).addAllPartitionNames(nonEmpty(c, "partitionNames")).build())));
        r.put("partitions/release", c -> status(c.stub().releasePartitions(ReleasePartitionsRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).addAllPartitionNames(nonEmpty(c, "partitionNames")).build())));
    }

    private static java.util.List<String> nonEmpty(RestCall c, String key) {
        var names = c.strings(key);
        if (names.isEmpty()) {
            throw RestCall.missing(key);
        }
        return names;
    }

    private static void indexes(Map<String, RestRoute> r) {
        r.put("indexes/list", c -> {
            var resp = c.stub().describeIndex(DescribeIndexRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName")).build());
            JsonArray names = new JsonArray();
            if (resp.getStatus().getCode() == io.quiver.common.error.ErrorCode.INDEX_NOT_FOUND.code()) {
                return names; // Milvus lists no index rather than failing
            }
            check(resp.getStatus());
            resp.getIndexDescriptionsList().forEach(i -> names.add(i.getIndexName()));
            return names;
        });
        r.put("indexes/describe", c -> {
            var resp = c.stub().describeIndex(DescribeIndexRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName"))
                    .setIndexName(c.string("indexName")).build());
            check(resp.getStatus());
            JsonArray a = new JsonArray();
            resp.getIndexDescriptionsList().forEach(i -> a.add(describeIndex(i)));
            return a;
        });
        r.put("indexes/create", c -> {
            String collection = c.string("collectionName");
            for (JsonElement e : c.array("indexParams")) {
                check(c.stub().createIndex(SchemaJson.index(e.getAsJsonObject()).setDbName(c.db()).setCollectionName(collection).build()));
            }
            return RestJson.empty();
        });
        r.put("indexes/drop", c -> status(c.stub().dropIndex(DropIndexRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setIndexName(c.string("indexName")).build())));
        r.put("indexes/alter_properties", c -> status(c.stub().alterIndex(AlterIndexRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setIndexName(c.string("indexName"))
                .addAllExtraParams(RestJson.pairs(c.object("properties"))).build())));
        r.put("indexes/drop_properties", c -> status(c.stub().alterIndex(AlterIndexRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setIndexName(c.string("indexName"))
                .addAllDeleteKeys(c.strings("propertyKeys")).build())));
    }

    private static JsonObject describeIndex(IndexDescription i) {
        Map<String, String> p = Params.flatten(i.getParamsList());
        JsonObject o = new JsonObject();
        o.addProperty("indexName", i.getIndexName());
        o.addProperty("fieldName", i.getFieldName());
        o.addProperty("indexType", p.getOrDefault("index_type", ""));
        o.addProperty("metricType", p.getOrDefault("metric_type", ""));
        o.addProperty("indexState", i.getState().name());
        o.addProperty("totalRows", i.getTotalRows());
        o.addProperty("indexedRows", i.getIndexedRows());
        o.addProperty("pendingRows", i.getPendingIndexRows());
        o.addProperty("failReason", i.getIndexStateFailReason());
        o.add("params", RestJson.keyValues(i.getParamsList()));
        return o;
    }

    private static void aliases(Map<String, RestRoute> r) {
        r.put("aliases/list", c -> {
            var resp = c.stub().listAliases(ListAliasesRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName", "")).build());
            check(resp.getStatus());
            return RestJson.names(resp.getAliasesList());
        });
        r.put("aliases/describe", c -> {
            var resp = c.stub().describeAlias(DescribeAliasRequest.newBuilder().setDbName(c.db()).setAlias(c.string("aliasName")).build());
            check(resp.getStatus());
            JsonObject o = new JsonObject();
            o.addProperty("aliasName", resp.getAlias());
            o.addProperty("collectionName", resp.getCollection());
            o.addProperty("dbName", resp.getDbName().isEmpty() ? c.db() : resp.getDbName());
            return o;
        });
        r.put("aliases/create", c -> status(c.stub().createAlias(CreateAliasRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setAlias(c.string("aliasName")).build())));
        r.put("aliases/alter", c -> status(c.stub().alterAlias(AlterAliasRequest.newBuilder().setDbName(c.db())
                .setCollectionName(c.string("collectionName")).setAlias(c.string("aliasName")).build())));
        r.put("aliases/drop", c -> status(c.stub().dropAlias(DropAliasRequest.newBuilder().setDbName(c.db())
                .setAlias(c.string("aliasName")).build())));
    }

    private static void databases(Map<String, RestRoute> r) {
        r.put("databases/list", c -> {
            var resp = c.stub().listDatabases(ListDatabasesRequest.getDefaultInstance());
            check(resp.getStatus());
            return RestJson.names(resp.getDbNamesList());
        });
        r.put("databases/describe", c -> {
            var resp = c.stub().describeDatabase(DescribeDatabaseRequest.newBuilder().setDbName(c.string("dbName")).build());
            check(resp.getStatus());
            JsonObject o = new JsonObject();
            o.addProperty("dbName", resp.getDbName());
            o.add("dbID", JsonRows.int64(resp.getDbID(), c.int64AsNumber()));
            o.add("properties", RestJson.keyValues(resp.getPropertiesList()));
            return o;
        });
        r.put("databases/create", c -> status(c.stub().createDatabase(CreateDatabaseRequest.newBuilder().setDbName(c.string("dbName"))
                .addAllProperties(RestJson.pairs(c.object("properties"))).build())));
        r.put("databases/drop", c -> status(c.stub().dropDatabase(DropDatabaseRequest.newBuilder().setDbName(c.string("dbName")).build())));
        RestRoute alter = c -> status(c.stub().alterDatabase(AlterDatabaseRequest.newBuilder().setDbName(c.string("dbName"))
                .addAllProperties(RestJson.pairs(c.object("properties"))).build()));
        r.put("databases/alter", alter);
        r.put("databases/alter_properties", alter);
        r.put("databases/drop_properties", c -> status(c.stub().alterDatabase(AlterDatabaseRequest.newBuilder().setDbName(c.string("dbName"))
                .addAllDeleteKeys(c.strings("propertyKeys")).build())));
    }

}
