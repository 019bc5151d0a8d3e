package io.quiver.proxy.rest;

import static io.quiver.proxy.rest.RestCall.check;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.DataType;
import io.milvus.grpc.DeleteRequest;
import io.milvus.grpc.FieldData;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.HybridSearchRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.QueryRequest;
import io.milvus.grpc.QueryResults;
import io.milvus.grpc.SearchResults;
import io.milvus.grpc.UpsertRequest;
import io.quiver.common.column.FieldDatas;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import io.quiver.proxy.rest.RestGateway.SchemaLookup;
import java.util.List;
import java.util.Map;

/** {@code entities/*}: inserts and upserts of rows, deletes, query, get by id, search and hybrid search. */
final class EntityRoutes {
    private final SchemaLookup schemas;

    private EntityRoutes(SchemaLookup schemas) {
        this.schemas = schemas;
    }

    static void register(Map<String, RestRoute> r, SchemaLookup schemas) {
        EntityRoutes e = new EntityRoutes(schemas);
        r.put("entities/insert", e::insert);
        r.put("entities/upsert", e::upsert);
        r.put("entities/delete", e::delete);
        r.put("entities/query", e::query);
        r.put("entities/get", e::get);
        r.put("entities/search", e::search);
        r.put("entities/advanced_search", e::hybridSearch);
        r.put("entities/hybrid_search", e::hybridSearch);
    }

    private CollectionSchema schema(RestCall c) {
        return schemas.schema(c.db(), c.string("collectionName"));
    }

    private JsonArray rows(RestCall c) {
        JsonElement data = c.body().get("data");
        if (data != null && data.isJsonObject()) { // one row given as an object
            JsonArray a = new JsonArray();
            a.add(data);
            return a;
        }
        JsonArray rows = c.array("data");
        if (rows.isEmpty()) {
            throw QuiverException.of(ErrorCode.HTTP_INVALID_INSERT_DATA, "'data' has no rows");
        }
        return rows;
    }

    private JsonElement insert(RestCall c) {
        CollectionSchema s = schema(c);
        JsonArray rows = rows(c);
        List<FieldData> columns = JsonColumns.columns(s, rows, false);
        MutationResult r = c.stub().insert(InsertRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName"))
                .setPartitionName(c.string("partitionName", "")).addAllFieldsData(columns).setNumRows(rows.size()).build());
        check(r.getStatus());
        JsonObject o = new JsonObject();
        o.addProperty("insertCount", r.getInsertCnt());
        o.add("insertIds", JsonRows.ids(r.getIDs(), c.int64AsNumber()));
        return o;
    }

    private JsonElement upsert(RestCall c) {
        CollectionSchema s = schema(c);
        JsonArray rows = rows(c);
        List<FieldData> columns = JsonColumns.columns(s, rows, true);
        MutationResult r = c.stub().upsert(UpsertRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName"))
                .setPartitionName(c.string("partitionName", "")).addAllFieldsData(columns).setNumRows(rows.size()).build());
        check(r.getStatus());
        JsonObject o = new JsonObject();
        o.addProperty("upsertCount", r.getUpsertCnt());
        o.add("upsertIds", JsonRows.ids(r.getIDs(), c.int64AsNumber()));
        return o;
    }

    private JsonElement delete(RestCall c) {
        String filter = c.has("filter") ? c.string("filter") : idFilter(schema(c), c, "filter");
        DeleteRequest.Builder b = DeleteRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName"))
                .setPartitionName(c.string("partitionName", "")).setExpr(filter);
        if (c.has("exprParams")) {
            b.putAllExprTemplateValues(SearchJson.templates(c.object("exprParams")));
        }
        MutationResult r = c.stub().delete(b.build());
        check(r.getStatus());
        return RestJson.empty();
    }

    private JsonElement query(RestCall c) {
        QueryRequest.Builder b = queryRequest(c, c.string("filter", ""));
        if (c.has("limit")) {
            b.addQueryParams(SchemaJson.pair("limit", Long.toString(c.number("limit", 0))));
        }
        if (c.has("offset")) {
            b.addQueryParams(SchemaJson.pair("offset", Long.toString(c.number("offset", 0))));
        }
        if (c.has("exprParams")) {
            b.putAllExprTemplateValues(SearchJson.templates(c.object("exprParams")));
        }
        return queryRows(c, b);
    }

    private JsonElement get(RestCall c) {
        return queryRows(c, queryRequest(c, idFilter(schema(c), c, "id")));
    }

    private QueryRequest.Builder queryRequest(RestCall c, String filter) {
        QueryRequest.Builder b = QueryRequest.newBuilder().setDbName(c.db()).setCollectionName(c.string("collectionName"))
                .setExpr(filter).addAllOutputFields(c.strings("outputFields")).addAllPartitionNames(c.strings("partitionNames"));
        if (c.has("partitionName")) {
            b.addPartitionNames(c.string("partitionName"));
        }
        if (c.has("consistencyLevel")) {
            b.setConsistencyLevel(RestJson.consistency(c.string("consistencyLevel"))).setUseDefaultConsistency(false);
        } else {
            b.setUseDefaultConsistency(true);
        }
        return b;
    }

    private static JsonArray queryRows(RestCall c, QueryRequest.Builder b) {
        QueryResults r = c.stub().query(b.build());
        check(r.getStatus());
        int n = r.getFieldsDataCount() == 0 ? 0 : FieldDatas.rows(r.getFieldsData(0));
        return JsonRows.rows(r.getFieldsDataList(), n, c.int64AsNumber());
    }

    /** {@code pk in [..]} for {@code id} (one id or a list), quoted for a VarChar key. */
    private static String idFilter(CollectionSchema s, RestCall c, String missing) {
        if (!c.has("id")) {
            throw RestCall.missing(missing);
        }
        FieldSchema pk = Schemas.primaryKey(s);
        JsonElement id = c.body().get("id");
        JsonArray ids = id.isJsonArray() ? id.getAsJsonArray() : new JsonArray();
        if (!id.isJsonArray()) {
            ids.add(id);
        }
        StringBuilder sb = new StringBuilder(pk.getName()).append(" in [");
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) sb.append(',');
            JsonElement x = ids.get(i);
            if (pk.getDataType() == DataType.VarChar) {
                sb.append(new com.google.gson.JsonPrimitive(x.getAsString()));
            } else {
                try {
                    sb.append(x.getAsBigDecimal().toBigIntegerExact().longValueExact());
                } catch (ArithmeticException | NumberFormatException e) {
                    throw QuiverException.of(ErrorCode.PARAMETER_INVALID, "id %s is not an int64", x);
                }
            }
        }
        return sb.append(']').toString();
    }

    private JsonElement search(RestCall c) {
        CollectionSchema s = schema(c);
        String collection = c.string("collectionName");
        var b = SearchJson.search(s, c.body(), "searchParams", c.db(), collection)
                .addAllOutputFields(c.strings("outputFields")).addAllPartitionNames(c.strings("partitionNames"));
        if (c.has("consistencyLevel")) {
            b.setConsistencyLevel(RestJson.consistency(c.string("consistencyLevel")));
        } else {
            b.setUseDefaultConsistency(true);
        }
        return hits(c, s, c.stub().search(b.build()));
    }

    private JsonElement hybridSearch(RestCall c) {
        CollectionSchema s = schema(c);
        String collection = c.string("collectionName");
        HybridSearchRequest.Builder b = HybridSearchRequest.newBuilder().setDbName(c.db()).setCollectionName(collection)
                .addAllPartitionNames(c.strings("partitionNames")).addAllOutputFields(c.strings("outputFields"));
        for (JsonElement sub : c.array("search")) {
            b.addRequests(SearchJson.search(s, sub.getAsJsonObject(), "params", c.db(), collection).addAllPartitionNames(c.strings("partitionNames")));
        }
        JsonObject rerank = c.object("rerank");
        b.addRankParams(SchemaJson.pair("strategy", rerank.has("strategy") ? rerank.get("strategy").getAsString() : "rrf"));
        b.addRankParams(SchemaJson.pair("params", rerank.has("params") ? rerank.get("params").toString() : "{}"));
        b.addRankParams(SchemaJson.pair("limit", Long.toString(c.number("limit", SearchJson.DEFAULT_LIMIT))));
        b.addRankParams(SchemaJson.pair("offset", Long.toString(c.number("offset", 0))));
        b.addRankParams(SchemaJson.pair("round_decimal", "-1"));
        if (c.has("consistencyLevel")) {
            b.setConsistencyLevel(RestJson.consistency(c.string("consistencyLevel")));
        } else {
            b.setUseDefaultConsistency(true);
        }
        return hits(c, s, c.stub().hybridSearch(b.build()));
    }

    private static JsonElement hits(RestCall c, CollectionSchema s, SearchResults r) {
        check(r.getStatus());
        var data = r.getResults();
        JsonArray topks = new JsonArray();
        data.getTopksList().forEach(topks::add);
        c.extra("topks", topks);
        String pk = data.getPrimaryFieldName().isEmpty() ? Schemas.primaryKey(s).getName() : data.getPrimaryFieldName();
        return JsonRows.hits(data, pk, c.int64AsNumber());
    }
}
