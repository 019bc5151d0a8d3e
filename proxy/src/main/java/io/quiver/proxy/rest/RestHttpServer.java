package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.quiver.common.util.Threads;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Executor;

/** The REST API on a port of its own ({@code proxy.http.port}): HTTP/1.1, over TLS when the public port uses TLS. */
public final class RestHttpServer implements AutoCloseable {
    private final EventLoopGroup boss = new NioEventLoopGroup(1, Threads.daemon("proxy-rest-accept"));
    private final EventLoopGroup io = new NioEventLoopGroup(0, Threads.daemon("proxy-rest-io"));
    private final Channel channel;

    public RestHttpServer(InetSocketAddress address, Optional<SslContext> tls, RestGateway gateway, Executor workers, int maxBodyBytes)
            throws InterruptedException {
        requireNonNull(gateway, "gateway is null");
        channel = new ServerBootstrap().group(boss, io).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        tls.ifPresent(t -> ch.pipeline().addLast("rest-tls", t.newHandler(ch.alloc())));
                        RestHttpHandler.install(ch.pipeline(), gateway, workers, maxBodyBytes);
                    }
                }).bind(address).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        boss.shutdownGracefully();
        io.shutdownGracefully();
    }
}
