package io.quiver.tests.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting TCP proxy on loopback in front of one port: the chaos harness points a process at it instead of
 * the real port, then cuts the link. Modes: {@link Mode#PASS}; {@link Mode#BLACKHOLE} (bytes are held, as by a
 * network that drops packets: TCP stays open, nothing arrives until healed); {@link Mode#DELAY} (every chunk is
 * delivered {@value #DELAY_MS} ms late, throughput unchanged); {@link Mode#RESET} (open connections are reset with
 * RST and new ones are reset at once).
 *
 * <p>Design: one thread per direction of each connection reads and queues chunks stamped with their due time; a
 * second thread writes them when due. Blackhole is checked by the writer, so held bytes are delivered after healing,
 * as TCP retransmission would. Threads are virtual: a proxy may carry hundreds of gRPC and HTTP connections.
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { PASS, BLACKHOLE, DELAY, RESET }

    static final int DELAY_MS = 200;

    private final ServerSocket server;
    private final int target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;

    /** Listens on {@code port} (0: any free port) and forwards to 127.0.0.1:{@code target}. */
    FaultProxy(int port, int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread.ofVirtual().name("fault-proxy-accept-" + target).start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    int target() {
        return target;
    }

    Mode mode() {
        return mode;
    }

    /** Switches the link; RESET also resets every open connection now. */
    void mode(Mode m) {
        mode = m;
        if (m == Mode.RESET) {
            open.forEach(FaultProxy::reset);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (mode == Mode.RESET) {
                reset(in);
                continue;
            }
            Socket out = new Socket();
            try {
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
                if (out.getLocalPort() == target) {
                    throw new IOException("TCP self-connect to port " + target + ": nothing listens there");
                }
            } catch (IOException e) {
                closeQuietly(out);
                reset(in); // the target is down: the caller sees a refused/reset connection, as without the proxy
                continue;
            }
            open.add(in);
            open.add(out);
            AtomicInteger directions = new AtomicInteger(2);
            pump(in, out, directions);
            pump(out, in, directions);
        }
    }

    private record Chunk(long dueNanos, byte[] bytes) {}

    private static final Chunk EOF = new Chunk(0, new byte[0]);

    private void pump(Socket from, Socket to, AtomicInteger directions) {
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[16384];
            try {
                InputStream is = from.getInputStream(); // not closed here: closing a socket's stream closes the socket
                int n;
                while ((n = is.read(buf)) >= 0) {
                    long due = System.nanoTime() + (mode == Mode.DELAY ? TimeUnit.MILLISECONDS.toNanos(DELAY_MS) : 0);
                    queue.add(new Chunk(due, Arrays.copyOf(buf, n)));
                }
            } catch (IOException e) {
                // reset or closed: the writer closes its side
            }
            queue.add(EOF);
        });
        Thread.ofVirtual().start(() -> {
            try {
                OutputStream os = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    if (c == EOF) {
                        break;
                    }
                    long wait = c.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    while (mode == Mode.BLACKHOLE && !closed) {
                        Thread.sleep(20);
                    }
                    os.write(c.bytes());
                    os.flush();
                }
                to.shutdownOutput(); // a half-close is passed on; the pair closes when both directions ended
                if (directions.decrementAndGet() == 0) {
                    closePair(from, to);
                }
            } catch (IOException | InterruptedException e) {
                closePair(from, to); // the other side is gone or was reset
            }
        });
    }

    private void closePair(Socket a, Socket b) {
        closeQuietly(a);
        closeQuietly(b);
        open.remove(a);
        open.remove(b);
    }

    /** Closes with SO_LINGER 0: the peer gets RST, not FIN. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        open.forEach(FaultProxy::closeQuietly);
    }
}
