package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2CodecUtil;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Plain-text server credentials that serve gRPC and the REST API on one port, as Milvus does with cmux: the first bytes
 * of a connection decide. The HTTP/2 client preface ({@code PRI * HTTP/2.0...}, what every gRPC client sends first)
 * goes on to grpc-java's own plain-text negotiator untouched; anything else is an HTTP/1.1 request line, and the
 * connection gets an HTTP/1.1 codec and the {@link RestHttpHandler} instead of the gRPC handlers.
 *
 * <p>Uses grpc-java's {@code Internal*} negotiator API like {@code TlsOnlyNegotiator} (pinned by the project's gRPC
 * version; RestApiTest drives both protocols on one port).
 */
public final class SharedPortNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final InternalProtocolNegotiator.ProtocolNegotiator plaintext = InternalProtocolNegotiators.serverPlaintext();
    private final Supplier<RestGateway> gateway;
    private final Executor workers;
    private final int maxBodyBytes;

    /** @param gateway the gateway, bound once the proxy's service exists (connections arrive only after start) */
    private SharedPortNegotiator(Supplier<RestGateway> gateway, Executor workers, int maxBodyBytes) {
        this.gateway = requireNonNull(gateway, "gateway is null");
        this.workers = requireNonNull(workers, "workers is null");
        this.maxBodyBytes = maxBodyBytes;
    }

    public static ServerCredentials credentials(Supplier<RestGateway> gateway, Executor workers, int maxBodyBytes) {
        return InternalNettyServerCredentials.create(new SharedPortNegotiator(gateway, workers, maxBodyBytes));
    }

    @Override
    public AsciiString scheme() {
        return plaintext.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        ChannelHandler grpc = plaintext.newHandler(grpcHandler);
        return new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.pipeline().replace(this, null, new Sniffer(grpc));
            }
        };
    }

    @Override
    public void close() {
        plaintext.close();
    }

    /**
     * Reads up to the preface's length, then installs grpc-java's plain-text handlers (gRPC) or the HTTP/1.1 ones (REST).
     * grpc-java's handlers are added only once the client is known to speak HTTP/2: they write the server's HTTP/2
     * preface as soon as they are added, which an HTTP/1.1 client must never see. The events grpc-java sends down the
     * pipeline before that (its negotiation start) are held and replayed to them.
     */
    private final class Sniffer extends ByteToMessageDecoder {
        private final ChannelHandler grpc;
        private final List<Object> heldEvents = new ArrayList<>();

        Sniffer(ChannelHandler grpc) {
            this.grpc = grpc;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            heldEvents.add(evt);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
            ChannelPipeline p = ctx.pipeline();
            if (ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n)) {
                if (n == PREFACE.readableBytes()) {
                    p.addAfter(ctx.name(), null, grpc);
                    heldEvents.forEach(ctx::fireUserEventTriggered);
                    heldEvents.clear();
                    p.remove(this); // the buffered bytes go on to grpc-java's handlers
                }
                return;
            }
            heldEvents.clear();
            while (p.last() != this) {
                p.removeLast(); // grpc-java's write buffer, which would hold every write of a connection that never negotiates
            }
            RestHttpHandler.install(p, gateway.get(), workers, maxBodyBytes);
            p.remove(this); // the buffered bytes go on to the HTTP/1.1 codec
        }
    }
}
