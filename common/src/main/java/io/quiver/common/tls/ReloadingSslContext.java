package io.quiver.common.tls;

import static java.util.Objects.requireNonNull;

import io.grpc.netty.shaded.io.netty.buffer.ByteBufAllocator;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.quiver.common.util.Threads;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Netty {@link SslContext} built from certificate files that rebuilds itself when their contents change, so a
 * rotated certificate, key or CA takes effect without a restart. Each new TLS connection uses the context current
 * when it starts; connections already open keep the one they negotiated with.
 *
 * <p>Design: Netty fixes a context's key material when it is built, and grpc-java's server takes one context for its
 * lifetime, so this class is that one context and delegates every engine to the latest built one. A check compares
 * a SHA-256 of the files' bytes (not modification times: a copy or an atomic rename by an operator or a Kubernetes
 * secret update may keep them). A rebuild that fails, e.g. a key and certificate caught half-replaced, keeps the old
 * context and logs once per distinct content; the next check tries again.
 *
 * <p>Thread-safe: the current context is a volatile reference; {@link #reloadIfChanged()} is synchronized.
 */
public final class ReloadingSslContext extends SslContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingSslContext.class);

    /** Builds a context from the files (called again on every change). */
    @FunctionalInterface
    public interface Factory {
        SslContext build() throws IOException;
    }

    private record Loaded(SslContext context, String fingerprint) {}

    private final String name;
    private final List<Path> files;
    private final Factory factory;
    private volatile Loaded current;
    private String lastFailed; // fingerprint whose rebuild failed (logged once); guarded by this
    private ScheduledExecutorService checker;

    /**
     * Builds the first context; a failure here is a configuration error and propagates with the files' names.
     *
     * @param name    what the context is for, in logs (e.g. "public port")
     * @param files   the files {@code factory} reads; a change of any of them triggers a rebuild
     */
    public ReloadingSslContext(String name, List<Path> files, Factory factory) {
        this.name = requireNonNull(name, "name is null");
        this.files = List.copyOf(files);
        this.factory = requireNonNull(factory, "factory is null");
        String fingerprint = fingerprint();
        try {
            this.current = new Loaded(factory.build(), fingerprint);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(name + " TLS: cannot use " + this.files + ": " + e.getMessage(), e);
        }
    }

    /** Checks the files every {@code interval} on a daemon thread (zero: never; the files are read once). */
    public synchronized ReloadingSslContext watch(Duration interval) {
        if (!interval.isZero() && checker == null) {
            checker = Threads.scheduler("tls-reload");
            long ms = interval.toMillis();
            checker.scheduleWithFixedDelay(this::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private void reloadQuietly() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            LOG.warn("event=tls_reload_failed context={} error={}", name, e.toString());
        }
    }

    /**
     * Rebuilds the context if the files' contents changed since the last successful build.
     *
     * @return true when a new context is now in use
     */
    public synchronized boolean reloadIfChanged() {
        String fingerprint;
        try {
            fingerprint = fingerprint();
        } catch (IllegalArgumentException e) {
            return logFailure("unreadable", e);
        }
        if (fingerprint.equals(current.fingerprint())) {
            return false;
        }
        try {
            current = new Loaded(factory.build(), fingerprint);
            lastFailed = null;
            LOG.info("event=tls_reloaded context={} files={}", name, files);
            return true;
        } catch (IOException | RuntimeException e) {
            return logFailure(fingerprint, e);
        }
    }

    private boolean logFailure(String fingerprint, Exception e) {
        if (!fingerprint.equals(lastFailed)) {
            lastFailed = fingerprint;
            LOG.warn("event=tls_reload_rejected context={} files={} error={} (the previous certificates stay in use)",
                    name, files, e.getMessage());
        }
        return false;
    }

    private String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                sha.update(ByteBuffer.allocate(Long.BYTES).putLong(bytes.length).array()); // file boundaries count
                sha.update(bytes);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The context new connections get now. */
    SslContext current() {
        return current.context();
    }

    @Override
    public boolean isClient() {
        return current.context().isClient();
    }

    @Override
    public List<String> cipherSuites() {
        return current.context().cipherSuites();
    }

    @Override
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return current.context().applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return current.context().newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return current.context().newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return current.context().sessionContext();
    }

    @Override
    public synchronized void close() {
        if (checker != null) {
            checker.shutdownNow();
            checker = null;
        }
    }
}
