package io.quiver.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The whole configuration of a Quiver process, read from {@code quiver.yaml} (every key optional), then
 * environment overrides, then command-line flags. Unknown keys fail start-up, so a typo never silently
 * falls back to a default. Each section is a typed record validated on construction.
 */
public record QuiverConfig(
        CommonConfig common,
        SecurityConfig security,
        StorageConfig storage,
        ProxyConfig proxy,
        DataCoordConfig dataCoord,
        DataNodeConfig dataNode,
        QueryCoordConfig queryCoord,
        QueryNodeConfig queryNode,
        IndexNodeConfig indexNode,
        QuotaConfig quota,
        AccessLogConfig accessLog,
        TransportSecurityConfig transport,
        HttpConfig http) {

    /** Every known key and its default, as dotted YAML paths. */
    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("common.clusterName", "quiver");
        d.put("common.dataDir", "./quiver-data");
        d.put("common.host", "127.0.0.1");
        d.put("common.advertiseHost", "");        // empty: common.host, or this machine's name when host is 0.0.0.0
        d.put("common.port", "19530");
        d.put("common.metricsPort", "9091");
        d.put("common.sessionTtl", "10s");
        d.put("common.rpcTimeout", "30s");
        d.put("common.dmlChannels", "16");
        d.put("common.maxMessageSize", "536870912");
        d.put("common.security.authorizationEnabled", "false");  // as Milvus: off, the authorization header is not read
        d.put("common.security.defaultRootPassword", "Milvus"); // root's password when it is created (first start only)
        d.put("common.security.superUsers", "");                // users who may change a password without the old one
        d.put("storage.metaKv", "local");          // local | etcd
        d.put("storage.etcdEndpoints", "http://127.0.0.1:2379");
        d.put("storage.objectStore", "local");     // local | minio
        d.put("storage.minioAddress", "127.0.0.1:9000");
        d.put("storage.minioAccessKey", "minioadmin");
        d.put("storage.minioSecretKey", "minioadmin");
        d.put("storage.minioBucket", "quiver");
        d.put("storage.wal", "local");             // local | pulsar
        d.put("storage.pulsarAddress", "pulsar://127.0.0.1:6650");
        d.put("storage.walRetention", "0s");       // WAL kept behind the slowest channel checkpoint (0: nothing more)
        d.put("proxy.timeTickInterval", "200ms");
        d.put("proxy.maxTopK", "16384");
        d.put("proxy.maxNq", "16384");
        d.put("proxy.metaCacheTtl", "10s");
        d.put("proxy.replicaSelection", "least_outstanding"); // round_robin | weighted_round_robin | consistent_hashing
        d.put("proxy.replicaWeights", "");        // weighted_round_robin: "nodeId:weight,..." (others weigh 1)
        d.put("dataCoord.segmentMaxSize", "1024MB"); // as Milvus (dataCoord.segment.maxSize)
        d.put("dataCoord.segmentMaxLife", "10m");
        d.put("dataCoord.segmentMaxIdle", "60s");
        d.put("dataCoord.minRowsToIndex", "1000");
        d.put("dataCoord.enableCompaction", "true");             // false: no compaction at all, manual included
        d.put("dataCoord.compaction.enableAutoCompaction", "true"); // false: only ManualCompaction plans
        d.put("dataCoord.compaction.triggerInterval", "10s");    // how often automatic compaction is planned
        d.put("dataCoord.compaction.timeout", "900s");           // a plan running longer is failed and re-planned
        d.put("dataCoord.compaction.single.ratio.threshold", "0.2"); // rewrite a segment when this fraction is deleted
        d.put("dataCoord.segment.smallProportion", "0.5");       // segments under this share of the max rows are merged
        d.put("dataCoord.compaction.levelzero.forceTrigger.minSize", "8MB"); // L0 bytes of a channel that trigger L0 compaction
        d.put("dataCoord.compaction.levelzero.forceTrigger.deltalogMinNum", "10"); // ... or this many L0 segments
        d.put("dataCoord.compaction.levelzero.maxAge", "60s");   // ... or an L0 segment this old (bounds the delete buffers)
        d.put("dataCoord.enableGarbageCollection", "true");
        d.put("dataCoord.gc.interval", "60s");                   // Milvus: 3600s
        d.put("dataCoord.gc.missingTolerance", "3600s");         // orphan files (no meta names them) older than this go
        d.put("dataCoord.gc.dropTolerance", "60s");              // files of dropped segments go this long after the drop (Milvus: 10800s)
        d.put("dataNode.syncBufferSize", "64MB");
        d.put("dataNode.syncPeriod", "30s");
        d.put("dataNode.slot.slotCap", "2");                     // compaction plans a datanode runs at once
        d.put("queryCoord.balanceTolerance", "0.1"); // a replica's nodes may differ by this fraction of the mean rows
        d.put("queryCoord.leaderReleaseGrace", "10s"); // the old shard leader serves this long after a handoff switched
        d.put("queryNode.memoryBudget", "0");      // bytes; 0 = 70% of the JVM max heap
        d.put("queryNode.searchThreads", "0");     // 0 = available processors
        d.put("indexNode.buildThreads", "0");      // 0 = available processors
        d.put("indexNode.slots", "1");
        d.putAll(QuotaConfig.DEFAULTS);
        d.putAll(AccessLogConfig.DEFAULTS);
        d.putAll(HttpConfig.DEFAULTS);
        d.putAll(TransportSecurityConfig.defaults()); // TLS and the dependencies' credentials
        return d;
    }

    public static QuiverConfig defaultsOnly() {
        return fromMap(Map.of());
    }

    /** Reads a YAML file (null: none), then environment overrides, then explicit overrides (flags). */
    public static QuiverConfig load(Path yaml, Map<String, String> env, Map<String, String> overrides) throws IOException {
        Map<String, String> values = new TreeMap<>();
        if (yaml != null) {
            try (InputStream in = Files.newInputStream(yaml)) {
                Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
                if (doc != null) {
                    if (!(doc instanceof Map<?, ?> m)) {
                        throw new IllegalArgumentException(yaml + ": top level must be a mapping");
                    }
                    flatten("", m, values);
                }
            }
        }
        applyEnv(env, values);
        values.putAll(overrides);
        return fromMap(values);
    }

    private static void applyEnv(Map<String, String> env, Map<String, String> values) {
        Map<String, String> envKeys = Map.ofEntries(
                Map.entry("QUIVER_PORT", "common.port"),
                Map.entry("QUIVER_METRICS_PORT", "common.metricsPort"),
                Map.entry("QUIVER_DATA_DIR", "common.dataDir"),
                Map.entry("QUIVER_HOST", "common.host"),
                Map.entry("QUIVER_CLUSTER_NAME", "common.clusterName"),
                Map.entry("QUIVER_ADVERTISE_HOST", "common.advertiseHost"),
                Map.entry("ETCD_ENDPOINTS", "storage.etcdEndpoints"),
                Map.entry("MINIO_ADDRESS", "storage.minioAddress"),
                Map.entry("MINIO_ACCESS_KEY", "storage.minioAccessKey"),
                Map.entry("MINIO_SECRET_KEY", "storage.minioSecretKey"),
                Map.entry("MINIO_BUCKET", "storage.minioBucket"),
                Map.entry("PULSAR_ADDRESS", "storage.pulsarAddress"));
        envKeys.forEach((e, k) -> {
            String v = env.get(e);
            if (v != null && !v.isBlank()) {
                values.put(k, v);
            }
        });
        if (env.containsKey("ETCD_ENDPOINTS")) values.putIfAbsent("storage.metaKv", "etcd");
        if (env.containsKey("MINIO_ADDRESS")) values.putIfAbsent("storage.objectStore", "minio");
        if (env.containsKey("PULSAR_ADDRESS")) values.putIfAbsent("storage.wal", "pulsar");
    }

    private static void flatten(String prefix, Map<?, ?> m, Map<String, String> out) {
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
            if (e.getValue() instanceof Map<?, ?> sub) {
                flatten(key, sub, out);
            } else if (e.getValue() instanceof List<?> l) {
                out.put(key, String.join(",", l.stream().map(String::valueOf).toList()));
            } else {
                out.put(key, String.valueOf(e.getValue()));
            }
        }
    }

    public static QuiverConfig fromMap(Map<String, String> given) {
        for (String k : given.keySet()) {
            if (!DEFAULTS.containsKey(k)) {
                throw new IllegalArgumentException("unknown configuration key '" + k + "' (known keys: "
                        + String.join(", ", DEFAULTS.keySet()) + ")");
            }
        }
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        v.putAll(given);
        return new QuiverConfig(
                new CommonConfig(v.get("common.clusterName"), Path.of(v.get("common.dataDir")), v.get("common.host"),
                        advertise(v.get("common.host"), v.get("common.advertiseHost")),
                        integer(v, "common.port"), integer(v, "common.metricsPort"),
                        duration(v, "common.sessionTtl"), duration(v, "common.rpcTimeout"),
                        integer(v, "common.dmlChannels"), integer(v, "common.maxMessageSize")),
                new SecurityConfig(bool(v, "common.security.authorizationEnabled"), v.get("common.security.defaultRootPassword"),
                        names(v.get("common.security.superUsers"))),
                new StorageConfig(v.get("storage.metaKv"), v.get("storage.etcdEndpoints"), v.get("storage.objectStore"),
                        v.get("storage.minioAddress"), v.get("storage.minioAccessKey"), v.get("storage.minioSecretKey"),
                        v.get("storage.minioBucket"), v.get("storage.wal"), v.get("storage.pulsarAddress"),
                        duration(v, "storage.walRetention")),
                new ProxyConfig(duration(v, "proxy.timeTickInterval"), integer(v, "proxy.maxTopK"),
                        integer(v, "proxy.maxNq"), duration(v, "proxy.metaCacheTtl"), v.get("proxy.replicaSelection"),
                        weights(v.get("proxy.replicaWeights"))),
                new DataCoordConfig(bytes(v, "dataCoord.segmentMaxSize"), duration(v, "dataCoord.segmentMaxLife"),
                        duration(v, "dataCoord.segmentMaxIdle"), integer(v, "dataCoord.minRowsToIndex"),
                        new CompactionConfig(bool(v, "dataCoord.enableCompaction"), bool(v, "dataCoord.compaction.enableAutoCompaction"),
                                duration(v, "dataCoord.compaction.triggerInterval"), duration(v, "dataCoord.compaction.timeout"),
                                fraction(v, "dataCoord.compaction.single.ratio.threshold"), fraction(v, "dataCoord.segment.smallProportion"),
                                bytes(v, "dataCoord.compaction.levelzero.forceTrigger.minSize"),
                                integer(v, "dataCoord.compaction.levelzero.forceTrigger.deltalogMinNum"),
                                duration(v, "dataCoord.compaction.levelzero.maxAge")),
                        new GcConfig(bool(v, "dataCoord.enableGarbageCollection"), duration(v, "dataCoord.gc.interval"),
                                duration(v, "dataCoord.gc.missingTolerance"), duration(v, "dataCoord.gc.dropTolerance"))),
                new DataNodeConfig(bytes(v, "dataNode.syncBufferSize"), duration(v, "dataNode.syncPeriod"), integer(v, "dataNode.slot.slotCap")),
                new QueryCoordConfig(fraction(v, "queryCoord.balanceTolerance"), duration(v, "queryCoord.leaderReleaseGrace")),
                new QueryNodeConfig(bytes(v, "queryNode.memoryBudget"), integer(v, "queryNode.searchThreads")),
                new IndexNodeConfig(integer(v, "indexNode.buildThreads"), integer(v, "indexNode.slots")),
                QuotaConfig.from(v), AccessLogConfig.from(v, Path.of(v.get("common.dataDir"))), TransportSecurityConfig.from(v),
                HttpConfig.from(v));
    }

    static double fraction(Map<String, String> v, String k) {
        try {
            double d = Double.parseDouble(v.get(k).trim());
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("configuration key '" + k + "' must be a number from 0 to 1, got '" + v.get(k) + "'");
    }

    static boolean bool(Map<String, String> v, String k) {
        String s = v.get(k).trim().toLowerCase();
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("configuration key '" + k + "' must be true or false, got '" + v.get(k) + "'");
    }

    static int integer(Map<String, String> v, String k) {
        try {
            return Integer.parseInt(v.get(k).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key '" + k + "' must be an integer, got '" + v.get(k) + "'");
        }
    }

    static Duration duration(Map<String, String> v, String k) {
        String s = v.get(k).trim().toLowerCase();
        try {
            if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            if (s.endsWith("s")) return Duration.ofMillis((long) (Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            if (s.endsWith("m")) return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)) * 60);
            if (s.endsWith("h")) return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            return Duration.ofSeconds(Long.parseLong(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key '" + k + "' must be a duration like 200ms, 10s, 5m; got '" + v.get(k) + "'");
        }
    }

    static long bytes(Map<String, String> v, String k) {
        String s = v.get(k).trim().toUpperCase();
        try {
            long mul = 1;
            if (s.endsWith("KB")) { mul = 1L << 10; s = s.substring(0, s.length() - 2); }
            else if (s.endsWith("MB")) { mul = 1L << 20; s = s.substring(0, s.length() - 2); }
            else if (s.endsWith("GB")) { mul = 1L << 30; s = s.substring(0, s.length() - 2); }
            else if (s.endsWith("B")) { s = s.substring(0, s.length() - 1); }
            return Long.parseLong(s.trim()) * mul;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key '" + k + "' must be a size like 512MB; got '" + v.get(k) + "'");
        }
    }

    private static String advertise(String host, String given) {
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        if (host.equals("0.0.0.0") || host.equals("::")) {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "127.0.0.1";
            }
        }
        return host;
    }

    public record CommonConfig(String clusterName, Path dataDir, String host, String advertiseHost, int port, int metricsPort,
                               Duration sessionTtl, Duration rpcTimeout, int dmlChannels, int maxMessageSize) {
        public CommonConfig {
            if (clusterName.isBlank() || !clusterName.matches("[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException("common.clusterName must be letters, digits, '_' or '-': " + clusterName);
            }
            if (port < 0 || port > 65535) throw new IllegalArgumentException("common.port out of range: " + port);
            if (metricsPort < 0 || metricsPort > 65535) throw new IllegalArgumentException("common.metricsPort out of range: " + metricsPort);
            if (dmlChannels < 1 || dmlChannels > 1024) throw new IllegalArgumentException("common.dmlChannels must be in [1, 1024]");
            if (maxMessageSize < 4 << 20) throw new IllegalArgumentException("common.maxMessageSize must be >= 4 MiB");
        }
    }

    /**
     * Authentication (Milvus' {@code common.security} keys). The root password must satisfy Milvus' password rule
     * (6 to 72 characters): a default that no client could ever send is refused at start-up, not at first login.
     */
    public record SecurityConfig(boolean authorizationEnabled, String defaultRootPassword, Set<String> superUsers) {
        public SecurityConfig {
            int n = defaultRootPassword.length();
            if (n < 6 || n > 72) {
                throw new IllegalArgumentException("common.security.defaultRootPassword must have 6 to 72 characters, got " + n);
            }
            superUsers = Set.copyOf(superUsers);
        }

        @Override
        public String toString() {
            return "SecurityConfig[authorizationEnabled=" + authorizationEnabled + ", superUsers=" + superUsers + "]";
        }
    }

    private static Set<String> names(String s) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : s.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    public record StorageConfig(String metaKv, String etcdEndpoints, String objectStore, String minioAddress,
                                String minioAccessKey, String minioSecretKey, String minioBucket, String wal,
                                String pulsarAddress, Duration walRetention) {
        public StorageConfig {
            if (walRetention.isNegative()) throw new IllegalArgumentException("storage.walRetention must not be negative");
            if (!List.of("local", "etcd").contains(metaKv)) throw new IllegalArgumentException("storage.metaKv must be local or etcd");
            if (!List.of("local", "minio").contains(objectStore)) throw new IllegalArgumentException("storage.objectStore must be local or minio");
            if (!List.of("local", "pulsar").contains(wal)) throw new IllegalArgumentException("storage.wal must be local or pulsar");
        }
    }

    public record ProxyConfig(Duration timeTickInterval, int maxTopK, int maxNq, Duration metaCacheTtl, String replicaSelection,
                              Map<Long, Integer> replicaWeights) {}

    private static Map<Long, Integer> weights(String s) {
        Map<Long, Integer> m = new LinkedHashMap<>();
        if (s == null || s.isBlank()) {
            return m;
        }
        for (String part : s.split(",")) {
            String[] kv = part.trim().split(":");
            try {
                m.put(Long.parseLong(kv[0].trim()), Integer.parseInt(kv[1].trim()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("proxy.replicaWeights must look like 'nodeId:weight,...', got '" + s + "'");
            }
        }
        return m;
    }

    public record DataCoordConfig(long segmentMaxSize, Duration segmentMaxLife, Duration segmentMaxIdle, int minRowsToIndex,
                                  CompactionConfig compaction, GcConfig gc) {
        public DataCoordConfig {
            if (segmentMaxSize < 1 << 20) throw new IllegalArgumentException("dataCoord.segmentMaxSize must be >= 1MB");
            // a compaction's output has no meta until its commit: garbage collection must not take it for an orphan first
            if (gc.missingTolerance().compareTo(compaction.timeout()) <= 0) {
                throw new IllegalArgumentException("dataCoord.gc.missingTolerance (" + gc.missingTolerance().toSeconds()
                        + "s) must be longer than dataCoord.compaction.timeout (" + compaction.timeout().toSeconds() + "s)");
            }
        }
    }

    /** Compaction planning (Milvus' key names under {@code dataCoord.compaction}). */
    public record CompactionConfig(boolean enabled, boolean autoCompaction, Duration triggerInterval, Duration timeout,
                                   double deletedRatioThreshold, double smallProportion, long l0MinBytes, int l0MinSegments,
                                   Duration l0MaxAge) {
        public CompactionConfig {
            if (triggerInterval.toMillis() < 100) throw new IllegalArgumentException("dataCoord.compaction.triggerInterval must be >= 100ms");
            if (timeout.toMillis() < 1000) throw new IllegalArgumentException("dataCoord.compaction.timeout must be >= 1s");
            if (l0MinSegments < 1) throw new IllegalArgumentException("dataCoord.compaction.levelzero.forceTrigger.deltalogMinNum must be >= 1");
        }
    }

    /** Garbage collection of object storage (Milvus' key names under {@code dataCoord.gc}). */
    public record GcConfig(boolean enabled, Duration interval, Duration missingTolerance, Duration dropTolerance) {
        public GcConfig {
            if (interval.toMillis() < 100) throw new IllegalArgumentException("dataCoord.gc.interval must be >= 100ms");
            if (missingTolerance.isNegative() || dropTolerance.isNegative()) {
                throw new IllegalArgumentException("dataCoord.gc tolerances must not be negative");
            }
        }
    }

    public record DataNodeConfig(long syncBufferSize, Duration syncPeriod, int compactionSlots) {
        public DataNodeConfig {
            if (compactionSlots < 1) throw new IllegalArgumentException("dataNode.slot.slotCap must be >= 1");
        }
    }

    public record QueryCoordConfig(double balanceTolerance, Duration leaderReleaseGrace) {}

    public record QueryNodeConfig(long memoryBudget, int searchThreads) {}

    public record IndexNodeConfig(int buildThreads, int slots) {}
}
