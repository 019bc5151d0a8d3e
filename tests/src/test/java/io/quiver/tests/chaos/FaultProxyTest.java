package io.quiver.tests.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import io.quiver.tests.StandaloneProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {
    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void up() throws IOException {
        echo = new ServerSocket(StandaloneProcess.freePort(), 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException e) {
                            // reset by the test
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        proxy = new FaultProxy(0, echo.getLocalPort());
    }

    @AfterEach
    void down() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.setSoTimeout(3000);
        return s;
    }

    private static byte[] roundTrip(Socket s, byte[] b) throws IOException {
        s.getOutputStream().write(b);
        byte[] got = new byte[b.length];
        new DataInputStream(s.getInputStream()).readFully(got);
        return got;
    }

    @Test
    void passForwardsBothWays() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello".getBytes())).isEqualTo("hello".getBytes());
        }
    }

    @Test
    void blackholeHoldsBytesUntilHealed() throws Exception {
        try (Socket s = connect()) {
            roundTrip(s, "a".getBytes());
            proxy.mode(FaultProxy.Mode.BLACKHOLE);
            s.setSoTimeout(500);
            s.getOutputStream().write("b".getBytes());
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.mode(FaultProxy.Mode.PASS);
            s.setSoTimeout(3000);
            assertThat(s.getInputStream().read()).isEqualTo('b');
        }
    }

    @Test
    void delayDelaysEachChunk() throws Exception {
        proxy.mode(FaultProxy.Mode.DELAY);
        try (Socket s = connect()) {
            long t0 = System.nanoTime();
            roundTrip(s, "x".getBytes());
            // both directions pass the proxy: at least two delays (a lower bound, not a speed check)
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(2L * FaultProxy.DELAY_MS);
        }
    }

    @Test
    void resetBreaksOpenAndNewConnections() throws Exception {
        Socket open = connect();
        roundTrip(open, "a".getBytes());
        proxy.mode(FaultProxy.Mode.RESET);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 50; i++) {
                roundTrip(open, "b".getBytes());
            }
        }).isInstanceOf(IOException.class);
        try (Socket s = connect()) {
            assertThatThrownBy(() -> roundTrip(s, "c".getBytes())).isInstanceOf(IOException.class);
        }
        proxy.mode(FaultProxy.Mode.PASS);
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "d".getBytes())).isEqualTo("d".getBytes());
        }
        open.close();
    }

    @Test
    void targetDownRefusesTheConnection() throws Exception {
        echo.close();
        try (Socket s = connect()) {
            assertThatThrownBy(() -> roundTrip(s, "a".getBytes())).isInstanceOf(IOException.class);
        }
    }
}
