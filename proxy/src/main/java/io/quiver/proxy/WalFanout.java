package io.quiver.proxy;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import io.grpc.Deadline;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.proto.WalMessage;
import io.quiver.storage.Wal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.concurrent.ThreadSafe;

/**
 * Writes one request's WAL messages to their physical channels in parallel and reports when all of them are durable.
 *
 * <p>Design: a WAL append waits for an fsync (local log) or a broker acknowledgement (Pulsar), not for CPU, so the
 * appends of a request's shards overlap on a bounded pool (one thread per physical channel is enough: appends to one
 * channel are ordered by the log anyway); the last message is written on the caller's thread. The returned future
 * completes only when every append finished, successfully or not, so a caller that releases the request's timestamp
 * when it completes never lets a time tick pass a message still being written, even after the caller gave up
 * waiting at its deadline.
 */
@ThreadSafe
final class WalFanout {
    /** One message for one physical channel. */
    record Message(String pchannel, WalMessage message) {
        Message {
            requireNonNull(pchannel, "pchannel is null");
            requireNonNull(message, "message is null");
        }
    }

    private final Wal wal;
    private final Executor pool;

    WalFanout(Wal wal, Executor pool) {
        this.wal = requireNonNull(wal, "wal is null");
        this.pool = requireNonNull(pool, "pool is null");
    }

    /**
     * Starts every append (never throws); the future completes when all finished and fails with a WAL_FAILED error if
     * any failed.
     */
    CompletableFuture<Void> produceAll(List<Message> messages) {
        List<CompletableFuture<Void>> appends = new ArrayList<>(messages.size());
        Context ctx = Context.current();
        for (int i = 0; i < messages.size() - 1; i++) {
            Message m = messages.get(i);
            try {
                appends.add(CompletableFuture.runAsync(ctx.wrap(() -> produce(m)), pool));
            } catch (RejectedExecutionException e) {
                appends.add(CompletableFuture.failedFuture(new QuiverException(ErrorCode.WAL_FAILED, "proxy is shutting down", e)));
            }
        }
        if (!messages.isEmpty()) {
            CompletableFuture<Void> last = new CompletableFuture<>();
            try {
                produce(messages.getLast());
                last.complete(null);
            } catch (RuntimeException e) {
                last.completeExceptionally(e);
            }
            appends.add(last);
        }
        return CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new));
    }

    /** Waits for {@code durable} until the current gRPC deadline (if any); a clear Quiver error otherwise. */
    static void await(CompletableFuture<Void> durable) {
        Deadline deadline = Context.current().getDeadline();
        try {
            if (deadline == null) {
                durable.get();
            } else {
                durable.get(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            throw new QuiverException(ErrorCode.TIMEOUT, "the WAL did not acknowledge the write before the deadline");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QuiverException(ErrorCode.CANCELED, "interrupted while waiting for the WAL");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof QuiverException q) {
                throw q;
            }
            throw new QuiverException(ErrorCode.WAL_FAILED, String.valueOf(e.getCause()), e.getCause());
        }
    }

    private void produce(Message m) {
        try {
            wal.produce(m.pchannel(), m.message().toByteArray());
        } catch (RuntimeException e) {
            throw new QuiverException(ErrorCode.WAL_FAILED, "write to " + m.pchannel() + " failed: " + e.getMessage(), e);
        }
    }
}
