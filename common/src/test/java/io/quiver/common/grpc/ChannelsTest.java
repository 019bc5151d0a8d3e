package io.quiver.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.quiver.proto.AllocTimestampRequest;
import io.quiver.proto.AllocTimestampResponse;
import io.quiver.proto.RootCoordGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A role restarted on the same address is reached again at once, not after the channel's reconnect backoff. */
class ChannelsTest {
    private static final class Tso extends RootCoordGrpc.RootCoordImplBase {
        @Override
        public void allocTimestamp(AllocTimestampRequest req, StreamObserver<AllocTimestampResponse> o) {
            o.onNext(AllocTimestampResponse.newBuilder().setTimestamp(42).setCount(1).build());
            o.onCompleted();
        }
    }

    private static Server serve(int port) throws IOException {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port)).addService(new Tso()).build().start();
    }

    private static boolean call(Channels channels, String address) {
        try {
            return RootCoordGrpc.newBlockingStub(channels.get(address)).withDeadlineAfter(2_000, TimeUnit.MILLISECONDS)
                    .allocTimestamp(AllocTimestampRequest.newBuilder().setCount(1).build()).getTimestamp() == 42;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    @Test
    void aPeerRestartedOnTheSameAddressIsReachedWithoutWaitingOutTheBackoff() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        try (Channels channels = new Channels(1 << 20)) {
            Server server = serve(port);
            assertThat(call(channels, address)).isTrue();
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            // the peer is gone: a few failed reconnects grow the channel's backoff (1 s, 1.6 s, 2.6 s, ... up to 2 min)
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_500);
            while (System.nanoTime() < until) {
                assertThat(call(channels, address)).isFalse();
                Thread.sleep(300);
            }
            server = serve(port);
            try {
                long t0 = System.nanoTime();
                boolean back = false;
                while (!back && System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1_500)) {
                    back = call(channels, address);
                    if (!back) {
                        Thread.sleep(100);
                    }
                }
                assertThat(back).as("reached within 1.5 s of the restart").isTrue();
            } finally {
                server.shutdownNow();
            }
        }
    }
}
