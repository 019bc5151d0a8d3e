package io.quiver.common.grpc;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Channels to other roles by session address. {@code inproc:NAME} addresses (standalone: all roles in one
 * JVM) use in-process transport, {@code host:port} use Netty. Channels are cached per address and shared.
 */
public final class Channels implements AutoCloseable {
    public static final String INPROC = "inproc:";
    private final ConcurrentHashMap<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final int maxMessageBytes;

    public Channels(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
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
        return NettyChannelBuilder.forTarget(address)
                .usePlaintext()
                .maxInboundMessageSize(maxMessageBytes)
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
