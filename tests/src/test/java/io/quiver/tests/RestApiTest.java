package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, the RESTful API v2 with plain HTTP (java.net.http) on the public port of a standalone server with
 * authentication on: every endpoint group (collections, entities, partitions, indexes, aliases, databases, users and
 * roles, import jobs), Milvus' envelope and codes (1800 with 401, 403 for a refused privilege, 1801, 1802, 1804, 100),
 * the int64 header, the DB-Name header; gRPC keeps working on the same port; then tests/node/rest.js through the Node
 * SDK's HttpClient.
 */
class RestApiTest {
    private static final String ROOT = "root:Milvus";

    @TempDir
    static Path tmp;
    static StandaloneProcess server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        Path yaml = tmp.resolve("quiver.yaml");
        Files.writeString(yaml, "common:\n  security:\n    authorizationEnabled: true\n");
        server = new StandaloneProcess(tmp.resolve("data")).withConfig(yaml);
        server.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    record Reply(int status, JsonObject body) {
        int code() {
            return body.get("code").getAsInt();
        }

        JsonElement data() {
            return body.get("data");
        }
    }

    static Reply post(String path, String auth, String json, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v2/vectordb/" + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (auth != null) b.header("Authorization", auth);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), JsonParser.parseString(r.body()).getAsJsonObject());
    }

    static Reply root(String path, String json, String... headers) throws Exception {
        return post(path, "Bearer " + ROOT, json, headers);
    }

    static Reply ok(String path, String json, String... headers) throws Exception {
        Reply r = root(path, json, headers);
        assertThat(r.code()).as("%s -> %s", path, r.body()).isZero();
        assertThat(r.status()).isEqualTo(200);
        return r;
    }

    static void awaitLoaded(String collection, String... headers) throws Exception {
        for (int i = 0; i < 150; i++) {
            Reply r = ok("collections/get_load_state", "{\"collectionName\":\"" + collection + "\"}", headers);
            if (r.data().getAsJsonObject().get("loadState").getAsString().equals("LoadStateLoaded")) return;
            Thread.sleep(200);
        }
        throw new AssertionError(collection + " did not load");
    }

    @Test
    void collectionsEntitiesAndErrors() throws Exception {
        ok("collections/create", """
                {"collectionName":"rc","schema":{"autoID":false,"enableDynamicField":true,"fields":[
                  {"fieldName":"id","dataType":"Int64","isPrimary":true},
                  {"fieldName":"v","dataType":"FloatVector","elementTypeParams":{"dim":2}},
                  {"fieldName":"s","dataType":"SparseFloatVector"},
                  {"fieldName":"j","dataType":"JSON"},
                  {"fieldName":"n","dataType":"Int32","nullable":true}]},
                 "indexParams":[{"fieldName":"v","indexName":"v_idx","metricType":"L2","indexType":"FLAT"},
                  {"fieldName":"s","indexName":"s_idx","metricType":"IP","indexType":"SPARSE_INVERTED_INDEX"}]}""");
        assertThat(ok("collections/has", "{\"collectionName\":\"rc\"}").data().getAsJsonObject().get("has").getAsBoolean()).isTrue();
        assertThat(ok("collections/list", "{}").data().getAsJsonArray().toString()).contains("\"rc\"");
        JsonObject d = ok("collections/describe", "{\"collectionName\":\"rc\"}").data().getAsJsonObject();
        assertThat(d.getAsJsonArray("fields")).hasSize(5);
        assertThat(d.getAsJsonArray("indexes")).hasSize(2);
        awaitLoaded("rc");

        Reply ins = ok("entities/insert", """
                {"collectionName":"rc","data":[
                  {"id":9007199254740993,"v":[0,0],"s":{"1":0.5,"7":1.0},"j":{"a":1},"n":3,"color":"red"},
                  {"id":2,"v":[1,1],"s":{"2":1.0},"j":{"a":2},"color":"blue"},
                  {"id":3,"v":[5,5],"s":{"7":0.25},"j":{"a":3},"n":null}]}""");
        assertThat(ins.data().getAsJsonObject().get("insertCount").getAsInt()).isEqualTo(3);
        assertThat(ins.data().getAsJsonObject().get("insertIds").toString()).isEqualTo("[9007199254740993,2,3]");
        Reply asStrings = ok("entities/query", "{\"collectionName\":\"rc\",\"filter\":\"id > 2\",\"outputFields\":[\"id\"],"
                + "\"consistencyLevel\":\"Strong\"}", "Accept-Type-Allow-Int64", "false");
        assertThat(asStrings.data().toString()).contains("\"9007199254740993\"");

        JsonArray hits = ok("entities/search", """
                {"collectionName":"rc","annsField":"v","data":[[0.9,0.9]],"limit":3,"outputFields":["j","n","color"],
                 "consistencyLevel":"Strong"}""").data().getAsJsonArray();
        assertThat(hits).hasSize(3);
        JsonObject first = hits.get(0).getAsJsonObject();
        assertThat(first.get("id").getAsLong()).isEqualTo(2);
        assertThat(first.get("color").getAsString()).isEqualTo("blue");
        assertThat(first.get("n").isJsonNull()).isTrue();
        assertThat(JsonParser.parseString(first.get("j").getAsString()).getAsJsonObject().get("a").getAsInt()).isEqualTo(2);
        JsonArray sparse = ok("entities/search", "{\"collectionName\":\"rc\",\"annsField\":\"s\",\"data\":[{\"7\":1.0}],\"limit\":2}")
                .data().getAsJsonArray();
        assertThat(sparse.get(0).getAsJsonObject().get("id").getAsLong()).isEqualTo(9007199254740993L);
        JsonArray hybrid = ok("entities/hybrid_search", """
                {"collectionName":"rc","search":[{"annsField":"v","data":[[0,0]],"limit":3},{"annsField":"s","data":[{"1":1.0}],"limit":3}],
                 "rerank":{"strategy":"rrf","params":{"k":60}},"limit":2}""").data().getAsJsonArray();
        assertThat(hybrid.get(0).getAsJsonObject().get("id").getAsLong()).isEqualTo(9007199254740993L);

        JsonArray got = ok("entities/get", "{\"collectionName\":\"rc\",\"id\":[2,3],\"outputFields\":[\"n\"]}").data().getAsJsonArray();
        assertThat(got).hasSize(2);
        ok("entities/upsert", "{\"collectionName\":\"rc\",\"data\":[{\"id\":2,\"v\":[1,2],\"s\":{\"3\":1.0},\"j\":{},\"n\":8}]}");
        assertThat(ok("entities/get", "{\"collectionName\":\"rc\",\"id\":2,\"outputFields\":[\"n\"]}").data().getAsJsonArray()
                .get(0).getAsJsonObject().get("n").getAsInt()).isEqualTo(8);
        ok("entities/delete", "{\"collectionName\":\"rc\",\"filter\":\"id == 3\"}");
        assertThat(ok("entities/query", "{\"collectionName\":\"rc\",\"filter\":\"\",\"outputFields\":[\"count(*)\"],"
                + "\"consistencyLevel\":\"Strong\"}").data().getAsJsonArray().get(0).getAsJsonObject().get("count(*)").getAsLong()).isEqualTo(2);
        ok("collections/flush", "{\"collectionName\":\"rc\"}");
        assertThat(ok("collections/get_stats", "{\"collectionName\":\"rc\"}").data().getAsJsonObject().has("rowCount")).isTrue();

        // Milvus' error envelope: HTTP 200 with a code, except authentication (401)
        assertThat(root("entities/insert", "{\"collectionName\":\"rc\",\"data\":[{\"id\":5,\"v\":[1],\"s\":{},\"j\":{}}]}").code()).isEqualTo(1804);
        assertThat(root("collections/describe", "{\"collectionName\":\"nope\"}").code()).isEqualTo(100);
        assertThat(root("collections/describe", "{}").code()).isEqualTo(1802);
        assertThat(root("collections/describe", "{\"collectionName\":").code()).isEqualTo(1801);
        Reply anon = post("collections/list", null, "{}");
        assertThat(anon.status()).isEqualTo(401);
        assertThat(anon.code()).isEqualTo(1800);
        assertThat(post("collections/list", "Bearer root:wrong", "{}").code()).isEqualTo(1800);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(ROOT.getBytes());
        assertThat(post("collections/list", basic, "{}").code()).isZero();
        assertThat(root("import/nothing", "{}").status()).isEqualTo(404);
        Reply imp = root("jobs/import/create", "{\"collectionName\":\"rc\",\"files\":[[\"x.parquet\"]]}");
        assertThat(imp.code()).as("import job created: %s", imp.body()).isZero();
        String jobId = imp.body().getAsJsonObject("data").get("jobId").getAsString();
        JsonObject job = null;
        for (int i = 0; i < 100; i++) { // the file does not exist: the job fails at pre-import, naming it
            job = root("jobs/import/describe", "{\"jobId\":\"" + jobId + "\"}").body().getAsJsonObject("data");
            if (job.get("state").getAsString().equals("Failed")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(job.get("state").getAsString()).isEqualTo("Failed");
        assertThat(job.get("reason").getAsString()).isEqualTo("importing data failed: file x.parquet does not exist");

        // gRPC on the same port
        MilvusClientV2 c = new MilvusClientV2(ConnectConfig.builder().uri("http://127.0.0.1:" + server.port()).token(ROOT).build());
        try {
            assertThat(c.hasCollection(HasCollectionReq.builder().collectionName("rc").build())).isTrue();
        } finally {
            c.close();
        }
    }

    @Test
    void partitionsIndexesAliasesDatabases() throws Exception {
        ok("databases/create", "{\"dbName\":\"rdb\"}");
        assertThat(ok("databases/list", "{}").data().toString()).contains("\"rdb\"");
        assertThat(ok("databases/describe", "{\"dbName\":\"rdb\"}").data().getAsJsonObject().get("dbName").getAsString()).isEqualTo("rdb");
        // the DB-Name header selects the database when the body has none
        ok("collections/create", "{\"collectionName\":\"pc\",\"dimension\":2,\"metricType\":\"L2\"}", "DB-Name", "rdb");
        assertThat(ok("collections/list", "{\"dbName\":\"rdb\"}").data().toString()).contains("\"pc\"");
        assertThat(ok("collections/list", "{}").data().toString()).doesNotContain("\"pc\"");
        awaitLoaded("pc", "DB-Name", "rdb");

        ok("partitions/create", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionName\":\"p1\"}");
        assertThat(ok("partitions/list", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\"}").data().toString()).contains("p1", "_default");
        assertThat(ok("partitions/has", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionName\":\"p1\"}").data().getAsJsonObject()
                .get("has").getAsBoolean()).isTrue();
        ok("entities/insert", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionName\":\"p1\",\"data\":[{\"id\":1,\"vector\":[1,2]}]}");
        ok("entities/insert", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"data\":[{\"id\":2,\"vector\":[1,2]}]}");
        JsonArray inP1 = ok("entities/query", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionNames\":[\"p1\"],\"filter\":\"id > 0\","
                + "\"consistencyLevel\":\"Strong\"}").data().getAsJsonArray();
        assertThat(inP1).hasSize(1);
        ok("partitions/release", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionNames\":[\"p1\"]}");
        ok("partitions/load", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionNames\":[\"p1\"]}");
        ok("partitions/get_stats", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionName\":\"p1\"}");

        assertThat(ok("indexes/list", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\"}").data().toString()).contains("\"vector\"");
        JsonObject idx = ok("indexes/describe", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"indexName\":\"vector\"}").data()
                .getAsJsonArray().get(0).getAsJsonObject();
        assertThat(idx.get("metricType").getAsString()).isEqualTo("L2");
        ok("collections/release", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\"}");
        ok("indexes/drop", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"indexName\":\"vector\"}");
        assertThat(ok("indexes/list", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\"}").data().getAsJsonArray()).isEmpty();
        ok("indexes/create", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"indexParams\":[{\"fieldName\":\"vector\",\"indexName\":\"hn\","
                + "\"metricType\":\"L2\",\"indexType\":\"HNSW\",\"params\":{\"M\":8,\"efConstruction\":64}}]}");
        assertThat(ok("indexes/describe", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"indexName\":\"hn\"}").data().getAsJsonArray()
                .get(0).getAsJsonObject().get("indexType").getAsString()).isEqualTo("HNSW");

        ok("aliases/create", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"aliasName\":\"pa\"}");
        assertThat(ok("aliases/list", "{\"dbName\":\"rdb\"}").data().toString()).contains("\"pa\"");
        assertThat(ok("aliases/describe", "{\"dbName\":\"rdb\",\"aliasName\":\"pa\"}").data().getAsJsonObject().get("collectionName")
                .getAsString()).isEqualTo("pc");
        ok("collections/create", "{\"dbName\":\"rdb\",\"collectionName\":\"pc2\",\"dimension\":2}");
        ok("aliases/alter", "{\"dbName\":\"rdb\",\"collectionName\":\"pc2\",\"aliasName\":\"pa\"}");
        assertThat(ok("aliases/describe", "{\"dbName\":\"rdb\",\"aliasName\":\"pa\"}").data().getAsJsonObject().get("collectionName")
                .getAsString()).isEqualTo("pc2");
        ok("aliases/drop", "{\"dbName\":\"rdb\",\"aliasName\":\"pa\"}");
        ok("partitions/drop", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"partitionName\":\"p1\"}");
        ok("collections/rename", "{\"dbName\":\"rdb\",\"collectionName\":\"pc\",\"newCollectionName\":\"pc3\"}");
        for (String c : List.of("pc2", "pc3")) {
            ok("collections/release", "{\"dbName\":\"rdb\",\"collectionName\":\"" + c + "\"}");
            ok("collections/drop", "{\"dbName\":\"rdb\",\"collectionName\":\"" + c + "\"}");
        }
        ok("databases/drop", "{\"dbName\":\"rdb\"}");
    }

    @Test
    void usersRolesAndPrivileges() throws Exception {
        ok("collections/create", "{\"collectionName\":\"uc\",\"dimension\":2}");
        ok("users/create", "{\"userName\":\"ru\",\"password\":\"Secret123\"}");
        assertThat(ok("users/list", "{}").data().toString()).contains("\"ru\"", "\"root\"");
        ok("roles/create", "{\"roleName\":\"reader\"}");
        assertThat(ok("roles/list", "{}").data().toString()).contains("\"reader\"");
        ok("roles/grant_privilege_v2", "{\"roleName\":\"reader\",\"privilege\":\"Query\",\"dbName\":\"default\",\"collectionName\":\"uc\"}");
        ok("users/grant_role", "{\"userName\":\"ru\",\"roleName\":\"reader\"}");
        assertThat(ok("users/describe", "{\"userName\":\"ru\"}").data().toString()).contains("\"reader\"");
        assertThat(ok("roles/describe", "{\"roleName\":\"reader\"}").data().toString()).contains("Query");

        String user = "Bearer ru:Secret123";
        assertThat(post("entities/query", user, "{\"collectionName\":\"uc\",\"filter\":\"id > 0\"}").code()).isZero();
        Reply denied = post("collections/drop", user, "{\"collectionName\":\"uc\"}");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.code()).isNotZero();
        assertThat(ok("collections/has", "{\"collectionName\":\"uc\"}").data().getAsJsonObject().get("has").getAsBoolean()).isTrue();

        ok("privilege_groups/create", "{\"privilegeGroupName\":\"rg1\"}");
        ok("privilege_groups/add_privileges_to_group", "{\"privilegeGroupName\":\"rg1\",\"privileges\":[\"Query\",\"Search\"]}");
        assertThat(ok("privilege_groups/list", "{}").data().toString()).contains("rg1", "Search");
        ok("privilege_groups/remove_privileges_from_group", "{\"privilegeGroupName\":\"rg1\",\"privileges\":[\"Search\"]}");
        ok("privilege_groups/drop", "{\"privilegeGroupName\":\"rg1\"}");

        ok("users/update_password", "{\"userName\":\"ru\",\"password\":\"Secret123\",\"newPassword\":\"Secret456\"}");
        assertThat(post("entities/query", user, "{\"collectionName\":\"uc\",\"filter\":\"id > 0\"}").status()).isEqualTo(401);
        ok("users/revoke_role", "{\"userName\":\"ru\",\"roleName\":\"reader\"}");
        ok("roles/revoke_privilege_v2", "{\"roleName\":\"reader\",\"privilege\":\"Query\",\"dbName\":\"default\",\"collectionName\":\"uc\"}");
        ok("roles/drop", "{\"roleName\":\"reader\"}");
        ok("users/drop", "{\"userName\":\"ru\"}");
        assertThat(ok("users/list", "{}").data().toString()).doesNotContain("\"ru\"");
    }

    @Test
    void nodeSdkHttpClient() throws Exception {
        String log = NodeSdkTest.runScript(List.of("node", "rest.js", "127.0.0.1:" + server.port(), ROOT), 240);
        System.out.println(log);
        assertThat(log).contains("ALL OK");
    }
}
