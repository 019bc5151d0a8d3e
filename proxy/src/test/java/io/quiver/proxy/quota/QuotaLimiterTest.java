package io.quiver.proxy.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.common.config.QuiverConfig;
import io.quiver.common.config.QuotaConfig;
import io.quiver.proxy.quota.QuotaLimiter.Allowed;
import io.quiver.proxy.quota.QuotaLimiter.Denied;
import io.quiver.proxy.quota.QuotaLimiter.Limited;
import io.quiver.proxy.quota.QuotaLimiter.State;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaLimiterTest {
    private final ManualClock clock = new ManualClock();

    private static QuotaConfig config(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return QuiverConfig.fromMap(m).quota();
    }

    /** How many of {@code n} requests of cost 1 pass at one instant. */
    private static int admitted(QuotaLimiter l, RateType t, String db, long coll, int n) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            ok += l.check(t, db, coll, 1) instanceof Allowed ? 1 : 0;
        }
        return ok;
    }

    @Test
    void defaultsLimitNothing() {
        QuotaLimiter l = new QuotaLimiter(config(), clock);
        for (RateType t : RateType.values()) {
            assertThat(admitted(l, t, "default", 7, 10_000)).isEqualTo(10_000);
            assertThat(l.limitsCollections(t)).isFalse();
        }
    }

    @Test
    void ratesApplyOnlyWhenTheirFamilyIsEnabled() {
        QuotaLimiter off = new QuotaLimiter(config("quotaAndLimits.dql.searchRate.max", "5"), clock);
        assertThat(admitted(off, RateType.DQL_SEARCH, "default", 0, 100)).isEqualTo(100);
        QuotaLimiter on = new QuotaLimiter(config("quotaAndLimits.dql.enabled", "true", "quotaAndLimits.dql.searchRate.max", "5"), clock);
        assertThat(admitted(on, RateType.DQL_SEARCH, "default", 0, 100)).isEqualTo(6);
        assertThat(admitted(on, RateType.DQL_QUERY, "default", 0, 100)).as("another type has its own limiter").isEqualTo(100);
        assertThat(on.check(RateType.DQL_SEARCH, "default", 0, 1)).isEqualTo(new Limited(RateType.DQL_SEARCH, 5));
    }

    @Test
    void databaseAndCollectionLevelsAreSeparateBucketsUnderTheClusterOne() {
        QuotaLimiter l = new QuotaLimiter(config("quotaAndLimits.dql.enabled", "true", "quotaAndLimits.dql.queryRate.max", "100",
                "quotaAndLimits.dql.queryRate.db.max", "20", "quotaAndLimits.dql.queryRate.collection.max", "4"), clock);
        assertThat(l.limitsCollections(RateType.DQL_QUERY)).isTrue();
        assertThat(admitted(l, RateType.DQL_QUERY, "db1", 1, 100)).isEqualTo(5);
        assertThat(admitted(l, RateType.DQL_QUERY, "db1", 2, 100)).as("another collection").isEqualTo(5);
        assertThat(admitted(l, RateType.DQL_QUERY, "db1", 0, 100)).as("unknown collection: db level only, 10 of 20 left").isEqualTo(11);
        assertThat(admitted(l, RateType.DQL_QUERY, "db2", 0, 100)).as("another database").isEqualTo(21);
        assertThat(l.check(RateType.DQL_QUERY, "db2", 0, 1)).isEqualTo(new Limited(RateType.DQL_QUERY, 20));
    }

    @Test
    void aRefusalBelowGivesBackWhatTheLevelsAboveTook() {
        QuotaLimiter l = new QuotaLimiter(config("quotaAndLimits.dql.enabled", "true", "quotaAndLimits.dql.queryRate.max", "10",
                "quotaAndLimits.dql.queryRate.collection.max", "2"), clock);
        assertThat(admitted(l, RateType.DQL_QUERY, "default", 1, 100)).isEqualTo(3);
        // the 97 refusals by collection 1 took nothing from the cluster bucket: 10 - 3 = 7 left (+1 while not in debt)
        assertThat(admitted(l, RateType.DQL_QUERY, "default", 2, 1)).isEqualTo(1);
        assertThat(admitted(l, RateType.DQL_QUERY, "default", 0, 100)).isEqualTo(7);
    }

    @Test
    void liveProxiesShareTheClusterRate() {
        QuotaLimiter l = new QuotaLimiter(config("quotaAndLimits.dql.enabled", "true", "quotaAndLimits.dql.searchRate.max", "90",
                "quotaAndLimits.dql.searchRate.collection.max", "30"), clock);
        l.update(new State(3, 1.0));
        clock.advance(Duration.ofSeconds(5));
        assertThat(admitted(l, RateType.DQL_SEARCH, "default", 0, 1000)).isEqualTo(31);
        assertThat(admitted(l, RateType.DQL_SEARCH, "default", 9, 1000)).as("cluster bucket in debt").isZero();
        clock.advance(Duration.ofSeconds(5));
        assertThat(admitted(l, RateType.DQL_SEARCH, "default", 9, 1000)).as("collection: 30 / 3 proxies").isEqualTo(11);
        l.update(new State(0, 1.0));
        assertThat(l.state().proxies()).as("at least this proxy").isEqualTo(1);
    }

    @Test
    void memoryScalesFiniteWriteRatesAndDeniesAtZero() {
        QuotaLimiter l = new QuotaLimiter(config("quotaAndLimits.dml.enabled", "true", "quotaAndLimits.dml.insertRate.max", "1"), clock);
        double mb = 1024 * 1024;
        l.update(new State(1, 0.5));
        assertThat(l.check(RateType.DML_INSERT, "default", 0, mb)).as("half a MB of tokens, not in debt").isInstanceOf(Allowed.class);
        assertThat(l.check(RateType.DML_INSERT, "default", 0, 1)).isEqualTo(new Limited(RateType.DML_INSERT, mb / 2));
        assertThat(l.check(RateType.DML_DELETE, "default", 0, 1e9)).as("unlimited rates stay unlimited").isInstanceOf(Allowed.class);
        assertThat(l.check(RateType.DQL_SEARCH, "default", 0, 1)).as("reads are not scaled").isInstanceOf(Allowed.class);
        l.update(new State(1, 0.0));
        for (RateType t : new RateType[] {RateType.DML_INSERT, RateType.DML_UPSERT, RateType.DML_DELETE}) {
            assertThat(l.check(t, "default", 0, 1)).isEqualTo(new Denied(t, QuotaLimiter.MEMORY_DENY));
        }
        assertThat(l.check(RateType.DQL_QUERY, "default", 0, 1)).isInstanceOf(Allowed.class);
    }

    @Test
    void memoryDenialDoesNotNeedDmlRates() {
        QuotaLimiter l = new QuotaLimiter(config(), clock);
        l.update(new State(1, 0.0));
        assertThat(l.check(RateType.DML_UPSERT, "default", 0, 1)).isEqualTo(new Denied(RateType.DML_UPSERT, QuotaLimiter.MEMORY_DENY));
    }

    @Test
    void forceDenySwitchesRefuseWritesOrReads() {
        QuotaLimiter writes = new QuotaLimiter(config("quotaAndLimits.limitWriting.forceDeny", "true"), clock);
        assertThat(writes.check(RateType.DML_DELETE, "default", 0, 1)).isEqualTo(new Denied(RateType.DML_DELETE, QuotaLimiter.ADMIN_DENY));
        assertThat(writes.check(RateType.DQL_SEARCH, "default", 0, 1)).isInstanceOf(Allowed.class);
        QuotaLimiter reads = new QuotaLimiter(config("quotaAndLimits.limitReading.forceDeny", "true"), clock);
        assertThat(reads.check(RateType.DQL_SEARCH, "default", 0, 1)).isEqualTo(new Denied(RateType.DQL_SEARCH, QuotaLimiter.ADMIN_DENY));
        assertThat(reads.check(RateType.DML_INSERT, "default", 0, 1)).isInstanceOf(Allowed.class);
    }
}
