package io.quiver.server.ctl;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The channel {@code quiver ctl} and {@code quiver loadtest} open to a proxy, secured as the server asks, from the
 * environment (so every tool and option parser shares it): {@code QUIVER_TOKEN} ({@code user:password}, sent as the
 * SDKs send it), {@code QUIVER_TLS_CA} (a CA PEM: TLS on), {@code QUIVER_TLS_CERT} + {@code QUIVER_TLS_KEY} (a client
 * certificate, for {@code tlsMode: 2}) and {@code QUIVER_TLS_SERVER_NAME} (the name to verify, when the address is not in
 * the certificate).
 */
final class ClientChannels {
    /** What to connect with, read from environment variables. */
    record Security(String token, String caPem, String certPem, String keyPem, String serverName) {
        static Security from(Map<String, String> env) {
            return new Security(env.getOrDefault("QUIVER_TOKEN", ""), env.getOrDefault("QUIVER_TLS_CA", ""),
                    env.getOrDefault("QUIVER_TLS_CERT", ""), env.getOrDefault("QUIVER_TLS_KEY", ""), env.getOrDefault("QUIVER_TLS_SERVER_NAME", ""));
        }

        boolean tls() {
            return !caPem.isEmpty();
        }
    }

    private ClientChannels() {}

    /** A managed channel to {@code address} (plain text unless {@code QUIVER_TLS_CA} is set). */
    static ManagedChannel open(String address, int maxInboundBytes) {
        return open(address, maxInboundBytes, Security.from(System.getenv()));
    }

    static ManagedChannel open(String address, int maxInboundBytes, Security s) {
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(address).maxInboundMessageSize(maxInboundBytes);
        if (!s.tls()) {
            b.usePlaintext();
        } else {
            if (s.certPem().isEmpty() != s.keyPem().isEmpty()) {
                throw new IllegalArgumentException("QUIVER_TLS_CERT and QUIVER_TLS_KEY go together (a client certificate and its key)");
            }
            try {
                SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(new File(s.caPem()));
                if (!s.certPem().isEmpty()) {
                    ssl.keyManager(new File(s.certPem()), new File(s.keyPem()));
                }
                b.useTransportSecurity().sslContext(ssl.build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot use the TLS files from QUIVER_TLS_*: " + e.getMessage(), e);
            }
            if (!s.serverName().isEmpty()) {
                b.overrideAuthority(s.serverName());
            }
        }
        if (!s.token().isEmpty()) {
            b.intercept(new TokenInterceptor(s.token()));
        }
        return b.build();
    }

    /** Sends {@code authorization: base64(user:password)} on every call, as the Milvus SDKs do for a token. */
    record TokenInterceptor(String token) implements ClientInterceptor {
        static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

        String header() {
            return Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(AUTHORIZATION, header());
                    super.start(listener, headers);
                }
            };
        }
    }
}
