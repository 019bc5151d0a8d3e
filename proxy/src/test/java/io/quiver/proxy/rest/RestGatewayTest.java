package io.quiver.proxy.rest;

import static io.quiver.proxy.rest.JsonColumnsTest.field;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.BoolResponse;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.CreateCollectionRequest;
import io.milvus.grpc.CreateIndexRequest;
import io.milvus.grpc.DataType;
import io.milvus.grpc.HasCollectionRequest;
import io.milvus.grpc.InsertRequest;
import io.milvus.grpc.LoadCollectionRequest;
import io.milvus.grpc.LongArray;
import io.milvus.grpc.MilvusServiceGrpc;
import io.milvus.grpc.MutationResult;
import io.milvus.grpc.IDs;
import io.milvus.grpc.ShowCollectionsRequest;
import io.milvus.grpc.ShowCollectionsResponse;
import io.quiver.common.config.HttpConfig;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.Statuses;
import io.quiver.common.schema.Params;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway against a recording Milvus service: the requests it builds, the headers it sends (credentials, database),
 * Milvus' envelope and HTTP statuses for each kind of failure, and the int64 header.
 */
class RestGatewayTest {
    static final CollectionSchema SCHEMA = CollectionSchema.newBuilder()
            .addFields(field(100, "id", DataType.Int64).toBuilder().setIsPrimaryKey(true))
            .addFields(field(101, "v", DataType.FloatVector, "dim", "2")).build();

    final List<Object> requests = new CopyOnWriteArrayList<>();
    final List<Metadata> headers = new CopyOnWriteArrayList<>();
    volatile Status transportFailure;
    RestGateway gateway = gateway(new HttpConfig(true, OptionalInt.empty(), true, Duration.ofSeconds(5)), h -> Optional.empty());

    RestGateway gateway(HttpConfig config, java.util.function.Function<String, Optional<String>> auth) {
        var service = new MilvusServiceGrpc.MilvusServiceImplBase() {
            @Override
            public void showCollections(ShowCollectionsRequest r, StreamObserver<ShowCollectionsResponse> o) {
                requests.add(r);
                o.onNext(ShowCollectionsResponse.newBuilder().setStatus(Statuses.success()).addCollectionNames("a").build());
                o.onCompleted();
            }

            @Override
            public void hasCollection(HasCollectionRequest r, StreamObserver<BoolResponse> o) {
                requests.add(r);
                if (transportFailure != null) {
                    o.onError(transportFailure.asRuntimeException());
                    return;
                }
                o.onNext(BoolResponse.newBuilder().setStatus(Statuses.of(ErrorCode.COLLECTION_NOT_FOUND, "collection=" + r.getCollectionName())).build());
                o.onCompleted();
            }

            @Override
            public void createCollection(CreateCollectionRequest r, StreamObserver<io.milvus.grpc.Status> o) {
                requests.add(r);
                o.onNext(Statuses.success());
                o.onCompleted();
            }

            @Override
            public void createIndex(CreateIndexRequest r, StreamObserver<io.milvus.grpc.Status> o) {
                requests.add(r);
                o.onNext(Statuses.success());
                o.onCompleted();
            }

            @Override
            public void loadCollection(LoadCollectionRequest r, StreamObserver<io.milvus.grpc.Status> o) {
                requests.add(r);
                o.onNext(Statuses.success());
                o.onCompleted();
            }

            @Override
            public void insert(InsertRequest r, StreamObserver<MutationResult> o) {
                requests.add(r);
                o.onNext(MutationResult.newBuilder().setStatus(Statuses.success()).setInsertCnt(r.getNumRows())
                        .setIDs(IDs.newBuilder().setIntId(LongArray.newBuilder().addData(Long.MAX_VALUE))).build());
                o.onCompleted();
            }
        };
        ServerInterceptor recordHeaders = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata h, ServerCallHandler<Q, R> next) {
                headers.add(h);
                return Contexts.interceptCall(io.grpc.Context.current(), call, h, next);
            }
        };
        return new RestGateway(ServerInterceptors.intercept(service, recordHeaders), config, (db, name) -> SCHEMA, auth, 1 << 20);
    }

    @AfterEach
    void close() {
        gateway.close();
    }

    RestResponse post(String path, String json, String auth, String db) {
        return gateway.handle(new RestRequest("POST", "/v2/vectordb/" + path, auth, db, null, null, json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void credentialsAndDatabaseTravelAsGrpcHeaders() {
        RestResponse r = post("collections/list", "{}", "Bearer root:Milvus", "db1");
        assertThat(r.httpStatus()).isEqualTo(200);
        assertThat(r.body().toString()).isEqualTo("{\"code\":0,\"data\":[\"a\"]}");
        Metadata h = headers.getLast();
        assertThat(h.get(RestGateway.AUTHORIZATION)).isEqualTo(Base64.getEncoder().encodeToString("root:Milvus".getBytes()));
        assertThat(h.get(RestGateway.DBNAME)).isEqualTo("db1");
        assertThat(((ShowCollectionsRequest) requests.getLast()).getDbName()).isEqualTo("db1");

        post("collections/list", "{\"dbName\":\"db2\"}", "Basic cm9vdDpNaWx2dXM=", "db1"); // the body wins over the header
        assertThat(headers.getLast().get(RestGateway.DBNAME)).isEqualTo("db2");
        assertThat(headers.getLast().get(RestGateway.AUTHORIZATION)).isEqualTo("cm9vdDpNaWx2dXM=");
        post("collections/list", "", null, null);
        assertThat(headers.getLast().get(RestGateway.DBNAME)).isEqualTo("default");
        assertThat(headers.getLast().get(RestGateway.AUTHORIZATION)).isNull();
    }

    @Test
    void failuresUseMilvusEnvelopeAndStatuses() {
        RestResponse notFound = post("collections/has", "{\"collectionName\":\"x\"}", null, null);
        assertThat(notFound.httpStatus()).isEqualTo(200);
        assertThat(notFound.body().get("code").getAsInt()).isEqualTo(100);
        assertThat(notFound.body().get("message").getAsString()).contains("collection=x");
        assertThat(post("collections/has", "{}", null, null).body().get("code").getAsInt()).isEqualTo(1802);
        assertThat(post("collections/has", "[1]", null, null).body().get("code").getAsInt()).isEqualTo(1801);
        assertThat(post("collections/nope", "{}", null, null).httpStatus()).isEqualTo(404);
        assertThat(gateway.handle(new RestRequest("GET", "/v2/vectordb/collections/list", null, null, null, null, new byte[0])).httpStatus())
                .isEqualTo(405);
        transportFailure = Status.PERMISSION_DENIED.withDescription("PrivilegeDescribeCollection: permission deny");
        RestResponse denied = post("collections/has", "{\"collectionName\":\"x\"}", null, null);
        assertThat(denied.httpStatus()).isEqualTo(403);
        assertThat(denied.body().get("message").getAsString()).contains("permission deny");
        transportFailure = Status.UNAUTHENTICATED.withDescription("auth check failure");
        RestResponse unauth = post("collections/has", "{\"collectionName\":\"x\"}", null, null);
        assertThat(unauth.httpStatus()).isEqualTo(401);
        assertThat(unauth.body().get("code").getAsInt()).isEqualTo(1800);
        transportFailure = Status.DEADLINE_EXCEEDED;
        RestResponse late = post("collections/has", "{\"collectionName\":\"x\"}", null, null);
        assertThat(late.httpStatus()).isEqualTo(408);
        assertThat(late.body().get("code").getAsInt()).isEqualTo(10001);
    }

    @Test
    void refusedCredentialsNeverReachTheService() {
        gateway.close();
        gateway = gateway(new HttpConfig(true, OptionalInt.empty(), true, Duration.ofSeconds(5)),
                h -> h == null ? Optional.of("missing authorization in header") : Optional.empty());
        RestResponse r = post("entities/insert", "{\"collectionName\":\"c\",\"data\":[{\"id\":1,\"v\":[1,2]}]}", null, null);
        assertThat(r.httpStatus()).isEqualTo(401);
        assertThat(r.body().get("code").getAsInt()).isEqualTo(1800);
        assertThat(requests).isEmpty();
    }

    @Test
    void insertAndTheInt64Header() {
        RestResponse asNumbers = post("entities/insert", "{\"collectionName\":\"c\",\"data\":[{\"id\":1,\"v\":[1,2]}]}", null, null);
        assertThat(asNumbers.body().getAsJsonObject("data").get("insertIds").toString()).isEqualTo("[" + Long.MAX_VALUE + "]");
        InsertRequest ins = (InsertRequest) requests.getLast();
        assertThat(ins.getNumRows()).isEqualTo(1);
        assertThat(ins.getFieldsDataList()).hasSize(2);
        RestResponse asStrings = gateway.handle(new RestRequest("POST", "/v2/vectordb/entities/insert", null, null, "false", null,
                "{\"collectionName\":\"c\",\"data\":[{\"id\":1,\"v\":[1,2]}]}".getBytes(StandardCharsets.UTF_8)));
        assertThat(asStrings.body().getAsJsonObject("data").get("insertIds").toString()).isEqualTo("[\"" + Long.MAX_VALUE + "\"]");
    }

    @Test
    void quickCreateBuildsTheSchemaAnIndexAndLoads() throws InvalidProtocolBufferException {
        RestResponse r = post("collections/create", "{\"collectionName\":\"q\",\"dimension\":8,\"metricType\":\"L2\",\"idType\":\"VarChar\","
                + "\"params\":{\"max_length\":64,\"ttlSeconds\":60}}", null, null);
        assertThat(r.body().get("code").getAsInt()).as(r.body().toString()).isZero();
        List<Object> calls = new ArrayList<>(requests);
        assertThat(calls).hasSize(3);
        CreateCollectionRequest create = (CreateCollectionRequest) calls.get(0);
        CollectionSchema s = CollectionSchema.parseFrom(create.getSchema());
        assertThat(s.getEnableDynamicField()).isTrue();
        assertThat(s.getFields(0).getDataType()).isEqualTo(DataType.VarChar);
        assertThat(Params.flatten(s.getFields(0).getTypeParamsList())).containsEntry("max_length", "64");
        assertThat(Params.flatten(s.getFields(1).getTypeParamsList())).containsEntry("dim", "8");
        assertThat(Params.flatten(create.getPropertiesList())).containsEntry("collection.ttl.seconds", "60");
        CreateIndexRequest index = (CreateIndexRequest) calls.get(1);
        assertThat(Params.flatten(index.getExtraParamsList())).containsEntry("metric_type", "L2").containsEntry("index_type", "AUTOINDEX");
        assertThat(calls.get(2)).isInstanceOf(LoadCollectionRequest.class);

        requests.clear();
        post("collections/create", """
                {"collectionName":"f","schema":{"autoID":true,"fields":[
                  {"fieldName":"id","dataType":"Int64","isPrimary":true},
                  {"fieldName":"t","dataType":"VarChar","elementTypeParams":{"max_length":100,"enable_analyzer":true}},
                  {"fieldName":"sp","dataType":"SparseFloatVector"},
                  {"fieldName":"a","dataType":"Array","elementDataType":"Int32","elementTypeParams":{"max_capacity":4}},
                  {"fieldName":"n","dataType":"Int32","nullable":true,"defaultValue":5}],
                 "functions":[{"name":"bm","type":"BM25","inputFieldNames":["t"],"outputFieldNames":["sp"]}]}}""", null, null);
        assertThat(requests).hasSize(1); // no index parameters: created, not loaded
        CollectionSchema full = CollectionSchema.parseFrom(((CreateCollectionRequest) requests.getFirst()).getSchema());
        assertThat(full.getFields(0).getAutoID()).isTrue();
        assertThat(full.getFields(3).getElementType()).isEqualTo(DataType.Int32);
        assertThat(full.getFields(4).getDefaultValue().getIntData()).isEqualTo(5);
        assertThat(full.getFunctions(0).getOutputFieldNamesList()).containsExactly("sp");
        assertThat(post("collections/create", "{\"collectionName\":\"x\",\"schema\":{\"fields\":[{\"fieldName\":\"id\",\"dataType\":\"Int65\"}]}}",
                null, null).body().get("message").getAsString()).contains("unknown data type 'Int65'");
    }
}
