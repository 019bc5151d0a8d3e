package io.quiver.common.grpc;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Channels to other roles by session address. {@code inproc:NAME} addresses (standalone: all roles in one
 * JVM) use in-process transport, {@code host:port} use Netty, in plain text or, with internal TLS, over TLS checking
 * the peer's certificate against one name (Milvus' {@code internaltls.sni}: every role presents the same certificate).
 * Channels are cached per address and shared.
 */
public final class Channels implements AutoCloseable {
    public static final String INPROC = "inproc:";
    private static final long RECONNECT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> lastReset = new ConcurrentHashMap<>();
    private final int maxMessageBytes;
    private final SslContext tls;
    private final String tlsAuthority;

    public Channels(int maxMessageBytes) {
        this(maxMessageBytes, null, null);
    }

    /** Channels whose Netty connections use {@code tls} (null: plain text), expecting {@code authority} in certificates. */
    public Channels(int maxMessageBytes, SslContext tls, String authority) {
        this.maxMessageBytes = maxMessageBytes;
        this.tls = tls;
        this.tlsAuthority = authority;
    }

    public ManagedChannel get(String address) {
        ManagedChannel c = channels.computeIfAbsent(address, this::open);
        if (c.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            resetBackoff(address, c);
        }
        return c;
    }

    /**
     * A channel whose peer went away backs off its reconnects exponentially, up to two minutes: a role restarted on the
     * same address would stay unreachable that long (the chaos run saw searches fail with UNAVAILABLE for a minute
     * after rootcoord was back). While calls keep asking for it, it reconnects at once, at most every
     * {@link #RECONNECT_EVERY_NANOS}.
     */
    private void resetBackoff(String address, ManagedChannel c) {
        long now = System.nanoTime();
        long at = lastReset.compute(address, (k, last) -> last == null || now - last >= RECONNECT_EVERY_NANOS ? now : last);
        if (at == now) {
            c.resetConnectBackoff();
        }
    }

    private ManagedChannel open(String address) {
        if (address.startsWith(INPROC)) {
            return InProcessChannelBuilder.forName(address.substring(INPROC.length()))
                    .maxInboundMessageSize(maxMessageBytes)
                    .build();
        }
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(address);
        if (tls == null) {
            b.usePlaintext();
        } else {
            b.sslContext(tls).overrideAuthority(tlsAuthority);
        }
        return b.maxInboundMessageSize(maxMessageBytes)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .build();
    }

    /** Drops a cached channel (its peer went away). */
    public void evict(String address) {
        lastReset.remove(address);
        ManagedChannel c = channels.remove(address);
        if (c != null) {
            c.shutdownNow();
        }
    }

    @Override
    public void close() {
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
