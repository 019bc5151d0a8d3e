package io.quiver.common.grpc;

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
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
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
        return channels.computeIfAbsent(address, this::open);
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
