package io.quiver.common.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.util.AsciiString;

/**
 * Server credentials for a TLS-only gRPC port that answers plain-text gRPC clients with a clear error instead of
 * dropping their connection. grpc-java's own TLS negotiator closes a connection whose first bytes are not a TLS
 * record; the SDKs then wait for a connection until their connect timeout and report only a deadline. Here a
 * {@link PlaintextRefusal} looks at the first bytes: TLS goes on to grpc-java's TLS negotiator unchanged; a plain
 * HTTP/2 client gets every call answered with {@code UNAUTHENTICATED} and a message saying TLS is required (the SDKs
 * do not retry that code), anything else is closed.
 *
 * <p>This uses grpc-java's {@code Internal*} negotiator API (stable across 1.x in practice, but not covered by its
 * API guarantees): pinned by the project's gRPC version and covered by {@code TlsOnlyNegotiatorTest}.
 */
public final class TlsOnlyNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {
    private final InternalProtocolNegotiator.ProtocolNegotiator tls;
    private final String refusal;

    private TlsOnlyNegotiator(SslContext context, String refusal) {
        this.tls = InternalProtocolNegotiators.serverTls(requireNonNull(context, "context is null"));
        this.refusal = requireNonNull(refusal, "refusal is null");
    }

    /**
     * @param refusal the message plain-text clients get (say what to configure)
     */
    public static ServerCredentials credentials(SslContext context, String refusal) {
        return InternalNettyServerCredentials.create(new TlsOnlyNegotiator(context, refusal));
    }

    @Override
    public AsciiString scheme() {
        return tls.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        ChannelHandler tlsHandler = tls.newHandler(grpcHandler);
        // put the detector in front of the TLS negotiator (which adds its SslHandler in front of itself): events grpc
        // sends down the pipeline still reach the negotiator, and only the connection's bytes pass the detector first
        return new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                ctx.pipeline().addBefore(ctx.name(), null, new PlaintextRefusal(refusal));
                ctx.pipeline().replace(this, null, tlsHandler);
            }
        };
    }

    @Override
    public void close() {
        tls.close();
    }
}
