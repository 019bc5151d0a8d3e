package io.quiver.common;

import io.micrometer.core.instrument.MeterRegistry;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.metrics.MetricsRegistry;
import io.quiver.common.grpc.RoleClients;
import io.quiver.common.session.SessionManager;
import io.quiver.storage.MetaKv;
import io.quiver.storage.ObjectStore;
import io.quiver.storage.Wal;
import java.time.InstantSource;

/**
 * What every role is constructed with: configuration, the three storage backends, sessions, clients to
 * other roles, metrics (Micrometer for the {@code quiver_*} families, {@link MetricsRegistry} for Milvus'
 * families; both write into the process' one Prometheus registry) and the clock. The same record in standalone (embedded backends, in-process
 * channels) and cluster mode (etcd, Pulsar, S3, Netty channels).
 */
public record RoleContext(
        QuiverConfig config,
        MetaKv metaKv,
        ObjectStore objectStore,
        Wal wal,
        SessionManager sessions,
        RoleClients clients,
        MeterRegistry metrics,
        MetricsRegistry milvusMetrics,
        InstantSource clock) {

    /** Root of all MetaKv keys of this cluster. */
    public String metaRoot() {
        return config.common().clusterName() + "/meta";
    }
}
