package io.quiver.tests.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * etcd, an S3 server and Pulsar for the cluster tests: containers (etcd, MinIO, Pulsar images) where a Docker
 * engine answers, else local processes started by deploy/local (cluster.sh starts and stops those itself).
 * Selected once per run; {@code -Dquiver.deps=local|docker} forces one.
 */
final class ClusterDependencies implements AutoCloseable {
    private final List<GenericContainer<?>> containers;
    private final Map<String, String> env;

    private ClusterDependencies(List<GenericContainer<?>> containers, Map<String, String> env) {
        this.containers = containers;
        this.env = env;
    }

    static boolean dockerAvailable() {
        String forced = System.getProperty("quiver.deps", "");
        if (forced.equals("local")) return false;
        if (forced.equals("docker")) return true;
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            return false;
        }
    }

    /** Local processes: nothing to start here, cluster.sh runs deploy/local/deps.sh. */
    static ClusterDependencies local() {
        return new ClusterDependencies(List.of(), Map.of());
    }

    @SuppressWarnings("resource")
    static ClusterDependencies containers() {
        GenericContainer<?> etcd = new GenericContainer<>("quay.io/coreos/etcd:v3.5.16")
                .withCommand("etcd", "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://0.0.0.0:2379")
                .withExposedPorts(2379).waitingFor(Wait.forListeningPort());
        GenericContainer<?> minio = new GenericContainer<>("minio/minio:RELEASE.2024-12-18T13-15-44Z")
                .withCommand("server", "/data").withEnv("MINIO_ROOT_USER", "minioadmin").withEnv("MINIO_ROOT_PASSWORD", "minioadmin")
                .withExposedPorts(9000).waitingFor(Wait.forHttp("/minio/health/live").forPort(9000));
        GenericContainer<?> pulsar = new GenericContainer<>("apachepulsar/pulsar:4.0.7")
                .withCommand("bin/pulsar", "standalone", "--no-functions-worker", "--no-stream-storage")
                .withExposedPorts(6650, 8080).waitingFor(Wait.forHttp("/admin/v2/brokers/health").forPort(8080))
                .withStartupTimeout(Duration.ofMinutes(3));
        List<GenericContainer<?>> all = List.of(etcd, minio, pulsar);
        all.forEach(GenericContainer::start);
        Map<String, String> env = Map.of(
                "QUIVER_EXTERNAL_DEPS", "1",
                "ETCD_ENDPOINTS", "http://" + etcd.getHost() + ":" + etcd.getMappedPort(2379),
                "S3_ENDPOINT", "http://" + minio.getHost() + ":" + minio.getMappedPort(9000),
                "S3_ACCESS_KEY", "minioadmin",
                "S3_SECRET_KEY", "minioadmin",
                "PULSAR_SERVICE_URL", "pulsar://" + pulsar.getHost() + ":" + pulsar.getMappedPort(6650),
                "PULSAR_ADMIN_URL", "http://" + pulsar.getHost() + ":" + pulsar.getMappedPort(8080));
        return new ClusterDependencies(all, env);
    }

    static ClusterDependencies start() {
        return dockerAvailable() ? containers() : local();
    }

    /** Environment for cluster.sh (empty for local processes). */
    Map<String, String> env() {
        return env;
    }

    @Override
    public void close() {
        containers.forEach(GenericContainer::stop);
    }
}
