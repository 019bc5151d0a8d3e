package io.quiver.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.storage.Wal.Consumer;
import io.quiver.storage.Wal.StartPosition;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Wal conformance suite against a real Pulsar ({@code PULSAR_SERVICE_URL}, e.g. from deploy/local/pulsar-start.sh). */
@RequiresEnv("PULSAR_SERVICE_URL")
class PulsarWalTest extends WalConformanceTest {
    static final String NAMESPACE = "public/default";
    static final String CLUSTER = "quiver-conformance";

    @Override
    protected Wal createWal() {
        return new PulsarWal(RequiresEnv.Condition.env("PULSAR_SERVICE_URL"), NAMESPACE, CLUSTER);
    }

    /** A new client of the same broker: subscriptions and their cursors live in Pulsar. */
    @Override
    protected Wal reopen(Wal old) {
        old.close();
        return createWal();
    }

    /** Pulsar may redeliver acknowledged messages after a broker crash (see deploy/local/README). */
    @Override
    protected boolean exactlyOnceDelivery() {
        return false;
    }

    @Override
    protected Duration patience() {
        return Duration.ofSeconds(30);
    }

    @Test
    void acknowledgementBelowAnEarlierOneIsIgnored() {
        String sub = sub();
        List<WalPosition> ps = produce("m", 5);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            read(c, 5);
            c.acknowledge(ps.get(3));
            c.acknowledge(ps.get(1));
        }
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            assertThat(payloads(read(c, 1))).containsExactly("m4");
        }
    }

    /** The cumulative ack reaches the broker's cursor: the backlog Pulsar keeps for the subscription shrinks. */
    @Test
    void acknowledgeMovesTheBrokerCursor() throws Exception {
        String admin = RequiresEnv.Condition.env("PULSAR_ADMIN_URL");
        org.junit.jupiter.api.Assumptions.assumeTrue(admin != null, "PULSAR_ADMIN_URL not set");
        String sub = sub();
        List<WalPosition> ps = produce("m", 5);
        try (Consumer c = wal.subscribe(channel, sub, StartPosition.earliest())) {
            read(c, 5);
            c.acknowledge(ps.get(2));
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String url = admin + "/admin/v2/persistent/" + NAMESPACE + "/" + CLUSTER + "-" + channel + "/stats";
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            com.fasterxml.jackson.databind.JsonNode stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            assertThat(stats.path("subscriptions").path(sub).path("msgBacklog").asLong(-1)).as(body).isEqualTo(2);
        }
    }

    @Test
    void channelsAreScopedByClusterPrefix() {
        wal.produce(channel, b("x"));
        try (Wal other = new PulsarWal(RequiresEnv.Condition.env("PULSAR_SERVICE_URL"), NAMESPACE, CLUSTER + "-other")) {
            assertThat(other.channels()).doesNotContain(channel);
        }
        assertThat(wal.channels()).contains(channel);
    }

    @Test
    void foreignPositionsAreRejected() {
        wal.produce(channel, b("x"));
        try (Consumer c = wal.subscribe(channel, sub(), StartPosition.earliest())) {
            assertThatThrownBy(() -> c.seek(StartPosition.at(new WalPosition(new byte[] {1, 2, 3}))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void unreachableBrokerFailsRetriablyWithinTheTimeout() {
        long t0 = System.nanoTime();
        try (Wal dead = new PulsarWal("pulsar://127.0.0.1:1", NAMESPACE, CLUSTER, Duration.ofSeconds(3))) {
            assertThatThrownBy(() -> dead.produce(channel, b("x")))
                    .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.retriable()).isTrue());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(40));
    }
}
