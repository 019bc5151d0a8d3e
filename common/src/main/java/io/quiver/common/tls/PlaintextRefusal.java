package io.quiver.common.tls;

import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.handler.codec.ByteToMessageDecoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2CodecUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslHandler;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a TLS-only port (see {@link TlsOnlyNegotiator}): decides from a connection's first bytes
 * whether it is TLS. If so it steps aside and every byte goes to the TLS handler behind it. If the bytes are the
 * HTTP/2 client preface, i.e. a gRPC client without TLS, it hands the connection to a small HTTP/2 codec that answers
 * each call with a gRPC trailers-only response: {@code UNAUTHENTICATED} and the configured message. Anything else is
 * closed.
 */
final class PlaintextRefusal extends ByteToMessageDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(PlaintextRefusal.class);
    private static final int TLS_RECORD_HEADER = 5;
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final String message;

    PlaintextRefusal(String message) {
        this.message = message;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < TLS_RECORD_HEADER) {
            return;
        }
        if (SslHandler.isEncrypted(in)) {
            ctx.pipeline().remove(this); // the buffered bytes go on to the SslHandler
            return;
        }
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n)) {
            LOG.debug("event=plaintext_refused kind=not_http2 remote={}", ctx.channel().remoteAddress());
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (n < PREFACE.readableBytes()) {
            return; // wait for the whole preface
        }
        LOG.info("event=plaintext_refused kind=grpc remote={}", ctx.channel().remoteAddress());
        ChannelPipeline p = ctx.pipeline();
        // the TLS handlers behind this one never see a byte of this connection: answer it here
        p.addAfter(ctx.name(), "plaintext-refusal-calls", new RefuseCalls(message));
        p.addAfter(ctx.name(), "plaintext-refusal-http2", Http2FrameCodecBuilder.forServer().build());
        p.remove(this);
    }

    /** Answers every call on a plain-text HTTP/2 connection with UNAUTHENTICATED. */
    private static final class RefuseCalls extends ChannelInboundHandlerAdapter {
        private final String message;

        RefuseCalls(String message) {
            this.message = message;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h && !h.headers().contains("grpc-status")) {
                    Http2Headers trailers = new DefaultHttp2Headers()
                            .status("200")
                            .set("content-type", "application/grpc")
                            .setInt("grpc-status", Status.Code.UNAUTHENTICATED.value())
                            .set("grpc-message", percentEncode(message));
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true).stream(h.stream()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("event=plaintext_refusal_closed error={}", cause.toString());
            ctx.close();
        }
    }

    /** gRPC's grpc-message encoding (percent-encoding of non-printable ASCII and '%'), spaces kept. */
    static String percentEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", " ");
    }
}
