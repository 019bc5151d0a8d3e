package io.quiver.proxy;

import io.grpc.ServerInterceptor;
import io.quiver.common.RoleContext;
import io.quiver.common.config.AccessLogConfig;
import io.quiver.common.config.QuotaConfig;
import io.quiver.common.util.Threads;
import io.quiver.proxy.accesslog.AccessLogFormat;
import io.quiver.proxy.accesslog.AccessLogInterceptor;
import io.quiver.proxy.accesslog.AccessLogWriter;
import io.quiver.proxy.quota.ClusterSignals;
import io.quiver.proxy.quota.QuotaLimiter;
import io.quiver.proxy.quota.QuotaMonitor;
import io.quiver.proxy.quota.RateLimitInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Wiring of the proxy's quota enforcement and access log (issue 11), kept out of {@link ProxyServer}. */
final class ProxyGovernance {
    private ProxyGovernance() {}

    /** The rate-limit interceptor and the monitor refreshing its share of the cluster; the monitor stops with the proxy. */
    static ServerInterceptor rateLimiter(RoleContext ctx, MetaCache meta, long serverId, List<AutoCloseable> owned) {
        QuotaConfig q = ctx.config().quota();
        QuotaLimiter limiter = new QuotaLimiter(q, ctx.clock());
        QuotaMonitor monitor = new QuotaMonitor(limiter, q.memProtection(), new ClusterSignals(ctx.clients()));
        ScheduledExecutorService refresher = Threads.scheduler("proxy-quota");
        refresher.scheduleWithFixedDelay(monitor::refresh, 0, q.collectInterval().toMillis(), TimeUnit.MILLISECONDS);
        owned.add(refresher::shutdownNow);
        return new RateLimitInterceptor(limiter, (db, name) -> meta.collection(db, name).getCollectionId(), ctx.milvusMetrics(), serverId);
    }

    /** The access log interceptor and its writer, which is flushed and closed with the proxy. */
    static ServerInterceptor accessLog(RoleContext ctx, List<AutoCloseable> owned) {
        AccessLogConfig a = ctx.config().accessLog();
        AccessLogFormat format = AccessLogFormat.compile(a.format());
        try {
            AccessLogWriter writer = AccessLogWriter.open(a.file(), format, ctx.metrics());
            owned.add(writer);
            return new AccessLogInterceptor(writer, ctx.clock(), System::nanoTime);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the access log " + a.file(), e);
        }
    }
}
