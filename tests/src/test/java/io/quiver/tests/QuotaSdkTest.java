package io.quiver.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.ErrorCode;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.RetryConfig;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.exception.MilvusClientException;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.vector.request.InsertReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.FloatVec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, quotas and the access log through the Java SDK: a standalone server whose search rate is 2 query vectors
 * per second. A search of 10 vectors is admitted (the bucket is not in debt) and puts it five seconds in debt, so the
 * next search is refused with Milvus' rate-limit status (code 8, legacy RateLimit) — seen as such by a client that
 * does not retry, and retried with backoff until admitted by a client with the SDK's default retry policy. Every
 * refusal is counted in {@code milvus_proxy_rate_limit_req_count}, and every call leaves a line in the access log.
 */
class QuotaSdkTest {
    private static final int DIM = 4;

    @TempDir
    static Path tmp;
    static StandaloneProcess server;
    static MilvusClientV2 client;
    static Path accessLog;

    @BeforeAll
    static void start() throws Exception {
        accessLog = tmp.resolve("access/access.log");
        Path yaml = tmp.resolve("quiver.yaml");
        Files.writeString(yaml, """
                quotaAndLimits:
                  dql:
                    enabled: true
                    searchRate:
                      max: 2
                proxy:
                  accessLog:
                    enable: true
                    localPath: %s
                    filename: access.log
                """.formatted(accessLog.getParent()));
        server = new StandaloneProcess(tmp.resolve("data")).withConfig(yaml);
        server.start();
        client = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).rpcDeadlineMs(30_000).build());
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    private static SearchReq search(String coll, int nq) {
        List<BaseVector> q = new ArrayList<>();
        for (float[] v : ConformanceBase.randVecs(nq, nq, DIM)) {
            q.add(new FloatVec(v));
        }
        return SearchReq.builder().collectionName(coll).data(q).topK(3).consistencyLevel(ConsistencyLevel.STRONG).build();
    }

    private static double metric(String name, String... labels) throws Exception {
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)} ([0-9.eE+-]+)$").matcher(body);
        while (m.find()) {
            boolean all = true;
            for (String l : labels) {
                all &= m.group(1).contains(l);
            }
            sum += all ? Double.parseDouble(m.group(2)) : 0;
        }
        return sum;
    }

    @Test
    void aSearchOverTheRateGetsTheRateLimitStatusAndTheSdkRetriesIt() throws Exception {
        String coll = "quota_search";
        client.createCollection(CreateCollectionReq.builder().collectionName(coll).dimension(DIM).build());
        client.insert(InsertReq.builder().collectionName(coll).data(ConformanceBase.rows(0, ConformanceBase.randVecs(1, 20, DIM))).build());
        String[] fail = {"msg_type=\"DQLSearch\"", "status=\"fail\""};
        double refusedBefore = metric("milvus_proxy_rate_limit_req_count", fail);

        assertThat(client.search(search(coll, 10)).getSearchResults()).hasSize(10);

        MilvusClientV2 noRetry = new MilvusClientV2(ConnectConfig.builder().uri(server.uri()).rpcDeadlineMs(30_000).build());
        try {
            noRetry.retryConfig(RetryConfig.builder().maxRetryTimes(1).build());
            assertThatThrownBy(() -> noRetry.search(search(coll, 1)))
                    .isInstanceOfSatisfying(MilvusClientException.class, e -> {
                        assertThat(e.getServerErrCode()).isEqualTo(8);
                        assertThat(e.getLegacyServerCode()).isEqualTo(ErrorCode.RateLimit.getNumber());
                    })
                    .hasMessageContaining("rate limit exceeded[rate=2]");
        } finally {
            noRetry.close();
        }
        assertThat(metric("milvus_proxy_rate_limit_req_count", fail)).isEqualTo(refusedBefore + 1);

        // the default client retries code 8 with backoff until the debt is paid, then succeeds
        assertThat(client.search(search(coll, 1)).getSearchResults()).hasSize(1);
        assertThat(metric("milvus_proxy_rate_limit_req_count", fail)).as("refused, then retried").isGreaterThan(refusedBefore + 1);

        List<String> lines = awaitLines(l -> l.contains(" Search ") && l.contains("[code: 8]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("<Unknown: 127.0.0.1:").contains("[status: Failed]")
                .contains("[database: default] [collection: quota_search]").contains("rate limit exceeded[rate=2]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(" Search [status: Successful] [code: 0]").contains("[collection: quota_search]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains(" Insert [status: Successful] [code: 0]"));
    }

    /** The access log is written in the background: its lines appear shortly after the calls. */
    private static List<String> awaitLines(Predicate<String> wanted) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (Files.exists(accessLog)) {
                List<String> lines = Files.readAllLines(accessLog);
                if (lines.stream().anyMatch(wanted)) {
                    return lines;
                }
            }
            Thread.sleep(50);
        }
        return Files.exists(accessLog) ? Files.readAllLines(accessLog) : List.of();
    }
}
