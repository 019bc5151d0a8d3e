package io.quiver.tests.chaos;

import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.RetryConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * An official Java SDK client that talks to its own proxy and, when that proxy stops answering, to the other one:
 * an SDK connects to one address, so an application with two proxies switches itself. After
 * {@value #FAILURES_TO_SWITCH} failed calls in a row while its proxy is known to be down, it closes the client and
 * connects to the next address; it goes home again once its own proxy is back. The time from the first failure to
 * the first success on the other proxy is kept per switch. Used by one checker thread at a time.
 */
final class FailoverClient implements AutoCloseable {
    static final int FAILURES_TO_SWITCH = 2;

    private final List<String> names;
    private final Function<String, String> uriOf;
    private final Function<String, Boolean> isDown;
    private final List<Long> reconnectMs = new ArrayList<>();
    private MilvusClientV2 client;
    private int current;
    private int failuresInRow;
    private long firstFailureMs = -1;
    private boolean switched;

    /**
     * @param names the proxies' names, own first
     * @param uriOf a proxy's address for clients
     * @param isDown whether the harness has a proxy down (killed, paused or cut off)
     */
    FailoverClient(List<String> names, Function<String, String> uriOf, Function<String, Boolean> isDown) {
        this.names = List.copyOf(names);
        this.uriOf = uriOf;
        this.isDown = isDown;
    }

    /** The name of the proxy this client talks to now. */
    String proxy() {
        return names.get(current);
    }

    /** Whether this client's current proxy is down by the harness' doing (its calls are counted apart). */
    boolean ownProxyDown() {
        return isDown.apply(proxy());
    }

    /** The client to call now (connects if needed; null if connecting failed, which counts as a failure). */
    MilvusClientV2 client() {
        if (current != 0 && !isDown.apply(names.get(0))) {
            use(0); // home again
        }
        if (client == null) {
            try {
                client = new MilvusClientV2(ConnectConfig.builder().uri(uriOf.apply(proxy())).connectTimeoutMs(3000)
                        .rpcDeadlineMs(10_000).build());
                client.retryConfig(RetryConfig.builder().maxRetryTimes(3).maxRetryTimeoutMs(5000).build());
            } catch (RuntimeException e) {
                client = null;
                throw e;
            }
        }
        return client;
    }

    /** Records the outcome of a call made with {@link #client}. */
    void outcome(boolean ok, long nowMs) {
        if (ok) {
            if (switched && firstFailureMs >= 0) {
                synchronized (reconnectMs) {
                    reconnectMs.add(nowMs - firstFailureMs);
                }
            }
            failuresInRow = 0;
            firstFailureMs = -1;
            switched = false;
            return;
        }
        if (firstFailureMs < 0) {
            firstFailureMs = nowMs;
        }
        if (++failuresInRow >= FAILURES_TO_SWITCH && isDown.apply(proxy())) {
            use((current + 1) % names.size());
            switched = true;
            failuresInRow = 0;
        }
    }

    private void use(int index) {
        if (client != null) {
            try {
                client.close(1);
            } catch (RuntimeException | InterruptedException e) {
                // the old connection is gone anyway
            }
        }
        client = null;
        current = index;
    }

    /** Milliseconds from a first failure to the first success on another proxy, one per switch. */
    List<Long> reconnects() {
        synchronized (reconnectMs) {
            return List.copyOf(reconnectMs);
        }
    }

    @Override
    public void close() {
        use(current);
    }
}
