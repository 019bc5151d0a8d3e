package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.SimpleChannelInboundHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpRequest;
import io.grpc.netty.shaded.io.netty.handler.codec.http.FullHttpResponse;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderNames;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpHeaderValues;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpObjectAggregator;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpResponseStatus;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpServerCodec;
import io.grpc.netty.shaded.io.netty.handler.codec.http.HttpUtil;
import io.grpc.netty.shaded.io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 to the {@link RestGateway}: one aggregated request at a time per connection (keep-alive honoured), handled on
 * a worker thread (the gateway blocks on the service call; Netty's event loop never does).
 */
public final class RestHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(RestHttpHandler.class);

    private final RestGateway gateway;
    private final Executor workers;

    RestHttpHandler(RestGateway gateway, Executor workers) {
        this.gateway = requireNonNull(gateway, "gateway is null");
        this.workers = requireNonNull(workers, "workers is null");
    }

    /** Adds the HTTP/1.1 codec, the aggregator (bodies up to {@code maxBodyBytes}) and this handler to a pipeline. */
    public static void install(ChannelPipeline p, RestGateway gateway, Executor workers, int maxBodyBytes) {
        p.addLast("rest-http-codec", new HttpServerCodec());
        p.addLast("rest-http-aggregator", new HttpObjectAggregator(maxBodyBytes));
        p.addLast("rest-http-handler", new RestHttpHandler(gateway, workers));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        var h = msg.headers();
        RestRequest req = new RestRequest(msg.method().name(), new QueryStringDecoder(msg.uri()).path(),
                h.get(HttpHeaderNames.AUTHORIZATION), h.get("DB-Name"), h.get("Accept-Type-Allow-Int64"), h.get("Request-Timeout"),
                ByteBufUtil.getBytes(msg.content()));
        try {
            workers.execute(() -> {
                RestResponse resp = gateway.handle(req);
                ctx.channel().eventLoop().execute(() -> write(ctx, resp, keepAlive));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, new RestResponse(503, RestGateway.envelope(2, "service unavailable: the server is stopping")), false);
        }
    }

    private static void write(ChannelHandlerContext ctx, RestResponse resp, boolean keepAlive) {
        byte[] body = resp.body().toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(io.grpc.netty.shaded.io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(resp.httpStatus()), Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("event=rest_connection_closed remote={} error={}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
