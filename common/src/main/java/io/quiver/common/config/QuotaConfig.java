package io.quiver.common.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Quotas and limits, with Milvus' key names and defaults ({@code quotaAndLimits.*}, plus the object limits Milvus
 * keeps under {@code rootCoord.*} and {@code proxy.*}). Rates follow Milvus' units: insert, upsert and delete in MB/s
 * (held here in bytes per second), search in query vectors per second, query in requests per second; a negative
 * value means unlimited. Every rate has a cluster level ({@code max}), a database level ({@code db.max}) and a
 * collection level ({@code collection.max}); Milvus' partition level is not offered (an unknown key fails start-up).
 */
public record QuotaConfig(
        boolean enabled,
        Duration collectInterval,
        boolean dmlEnabled,
        Rates insert,
        Rates upsert,
        Rates delete,
        boolean dqlEnabled,
        Rates search,
        Rates query,
        boolean writeForceDeny,
        boolean readForceDeny,
        MemProtection memProtection,
        MetaLimits metaLimits) {

    private static final String DML = "quotaAndLimits.dml.";
    private static final String DQL = "quotaAndLimits.dql.";
    private static final String MEM = "quotaAndLimits.limitWriting.memProtection.";
    private static final double BYTES_PER_MB = 1024 * 1024;

    /** Every key of this section and its default (Milvus 2.5's). */
    static final Map<String, String> DEFAULTS = defaults();

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("quotaAndLimits.enabled", "true");
        d.put("quotaAndLimits.quotaCenterCollectInterval", "3");
        d.put(DML + "enabled", "false");
        for (String rate : new String[] {"insertRate", "upsertRate", "deleteRate"}) {
            rateKeys(d, DML + rate);
        }
        d.put(DQL + "enabled", "false");
        for (String rate : new String[] {"searchRate", "queryRate"}) {
            rateKeys(d, DQL + rate);
        }
        d.put("quotaAndLimits.limitWriting.forceDeny", "false");
        d.put("quotaAndLimits.limitReading.forceDeny", "false");
        d.put(MEM + "enabled", "true");
        d.put(MEM + "dataNodeMemoryLowWaterLevel", "0.85");
        d.put(MEM + "dataNodeMemoryHighWaterLevel", "0.95");
        d.put(MEM + "queryNodeMemoryLowWaterLevel", "0.85");
        d.put(MEM + "queryNodeMemoryHighWaterLevel", "0.95");
        d.put("quotaAndLimits.limits.maxCollectionNum", "65536");
        d.put("quotaAndLimits.limits.maxCollectionNumPerDB", "65536");
        d.put("rootCoord.maxDatabaseNum", "64");
        d.put("rootCoord.maxPartitionNum", "1024");
        d.put("proxy.maxFieldNum", "64");
        d.put("proxy.maxShardNum", "16");
        return d;
    }

    private static void rateKeys(Map<String, String> d, String prefix) {
        d.put(prefix + ".max", "-1");
        d.put(prefix + ".db.max", "-1");
        d.put(prefix + ".collection.max", "-1");
    }

    static QuotaConfig from(Map<String, String> v) {
        return new QuotaConfig(
                QuiverConfig.bool(v, "quotaAndLimits.enabled"),
                QuiverConfig.duration(v, "quotaAndLimits.quotaCenterCollectInterval"),
                QuiverConfig.bool(v, DML + "enabled"),
                rates(v, DML + "insertRate", BYTES_PER_MB), rates(v, DML + "upsertRate", BYTES_PER_MB),
                rates(v, DML + "deleteRate", BYTES_PER_MB),
                QuiverConfig.bool(v, DQL + "enabled"),
                rates(v, DQL + "searchRate", 1), rates(v, DQL + "queryRate", 1),
                QuiverConfig.bool(v, "quotaAndLimits.limitWriting.forceDeny"),
                QuiverConfig.bool(v, "quotaAndLimits.limitReading.forceDeny"),
                new MemProtection(QuiverConfig.bool(v, MEM + "enabled"),
                        new WaterLevels(QuiverConfig.fraction(v, MEM + "dataNodeMemoryLowWaterLevel"),
                                QuiverConfig.fraction(v, MEM + "dataNodeMemoryHighWaterLevel")),
                        new WaterLevels(QuiverConfig.fraction(v, MEM + "queryNodeMemoryLowWaterLevel"),
                                QuiverConfig.fraction(v, MEM + "queryNodeMemoryHighWaterLevel"))),
                new MetaLimits(QuiverConfig.integer(v, "rootCoord.maxDatabaseNum"),
                        QuiverConfig.integer(v, "quotaAndLimits.limits.maxCollectionNum"),
                        QuiverConfig.integer(v, "quotaAndLimits.limits.maxCollectionNumPerDB"),
                        QuiverConfig.integer(v, "rootCoord.maxPartitionNum"), QuiverConfig.integer(v, "proxy.maxFieldNum"),
                        QuiverConfig.integer(v, "proxy.maxShardNum")));
    }

    private static Rates rates(Map<String, String> v, String prefix, double unit) {
        return new Rates(rate(v, prefix + ".max", unit), rate(v, prefix + ".db.max", unit), rate(v, prefix + ".collection.max", unit));
    }

    private static double rate(Map<String, String> v, String key, double unit) {
        try {
            double d = Double.parseDouble(v.get(key).trim());
            if (!Double.isNaN(d) && !Double.isInfinite(d)) {
                return d < 0 ? UNLIMITED : d * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("configuration key '" + key + "' must be a number (negative: unlimited), got '" + v.get(key) + "'");
    }

    /** A rate that never limits. */
    public static final double UNLIMITED = Double.POSITIVE_INFINITY;

    /** One rate type's limits in its unit per second (bytes, query vectors or requests); {@link #UNLIMITED} when unset. */
    public record Rates(double cluster, double db, double collection) {
        public static final Rates NONE = new Rates(UNLIMITED, UNLIMITED, UNLIMITED);
    }

    /** Milvus' memory protection: deny writes while a node is at or above its high-water level, slow them above low. */
    public record MemProtection(boolean enabled, WaterLevels dataNode, WaterLevels queryNode) {}

    /** Fractions of a node's memory. */
    public record WaterLevels(double low, double high) {
        public WaterLevels {
            if (low >= high) {
                throw new IllegalArgumentException("a memory low-water level (" + low + ") must be below its high-water level (" + high + ")");
            }
        }
    }

    /** How many databases, collections, partitions, fields and shards rootcoord accepts (Milvus' defaults). */
    public record MetaLimits(int maxDatabases, int maxCollections, int maxCollectionsPerDb, int maxPartitions, int maxFields, int maxShards) {
        public MetaLimits {
            if (maxDatabases < 1 || maxCollections < 1 || maxCollectionsPerDb < 1 || maxPartitions < 1 || maxFields < 2 || maxShards < 1) {
                throw new IllegalArgumentException("rootCoord.maxDatabaseNum, quotaAndLimits.limits.maxCollectionNum[PerDB], "
                        + "rootCoord.maxPartitionNum and proxy.maxShardNum must be at least 1, proxy.maxFieldNum at least 2");
            }
        }
    }

    public QuotaConfig {
        if (collectInterval.toMillis() < 100) {
            throw new IllegalArgumentException("quotaAndLimits.quotaCenterCollectInterval must be at least 100ms");
        }
    }
}
