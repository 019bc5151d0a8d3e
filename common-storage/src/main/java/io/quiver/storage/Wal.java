package io.quiver.storage;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The write-ahead log: ordered, durable physical channels (DESIGN section 4).
 *
 * <p>A producer's {@link #produce} returns only after the message is durable (fsync'ed locally,
 * acknowledged by the broker for Pulsar). Consumers read a channel through a named subscription
 * from a start position; {@link Consumer#acknowledge} records a checkpoint per subscription so the
 * log may be truncated below the smallest acknowledged position of all subscriptions.
 * Implementations: {@code LocalWal} (segmented files) and {@code PulsarWal}. Thread-safe.
 */
public interface Wal extends AutoCloseable {

    /** Appends one message to the channel; returns its position once durable. */
    WalPosition produce(String channel, byte[] payload);

    /**
     * Opens a consumer on {@code channel}. {@code start} decides where reading begins:
     * {@link StartPosition#earliest()}, {@link StartPosition#latest()}, or just after / at a position.
     * Several consumers of different subscriptions read independently.
     *
     * <p>As in Pulsar, {@code earliest}/{@code latest} only apply to a <em>new</em> subscription; an
     * existing one resumes after its last acknowledged position. An explicit {@code after}/{@code at}
     * position always decides where reading starts (like subscribe + seek).
     */
    Consumer subscribe(String channel, String subscription, StartPosition start);

    /** Drops a subscription's stored checkpoint. */
    void deleteSubscription(String channel, String subscription);

    /** Orders two positions of one channel of this WAL: negative when {@code a} comes before {@code b}. */
    int compare(WalPosition a, WalPosition b);

    /** Channels that exist. */
    List<String> channels();

    @Override
    void close();

    /** A message read back from the log. */
    record WalMessage(String channel, WalPosition position, byte[] payload) {}

    /** Where a subscription starts reading. */
    sealed interface StartPosition {
        static StartPosition earliest() { return Earliest.INSTANCE; }

        static StartPosition latest() { return Latest.INSTANCE; }

        /** Start with the first message after {@code position} (the usual checkpoint resume). */
        static StartPosition after(WalPosition position) { return new After(position); }

        /** Start with the message at {@code position}. */
        static StartPosition at(WalPosition position) { return new At(position); }

        enum Earliest implements StartPosition { INSTANCE }

        enum Latest implements StartPosition { INSTANCE }

        record After(WalPosition position) implements StartPosition {}

        record At(WalPosition position) implements StartPosition {}
    }

    interface Consumer extends AutoCloseable {
        /** Next message, waiting up to {@code timeout}; null if none arrived in time. */
        WalMessage poll(Duration timeout);

        /** Next messages, up to {@code max}, waiting up to {@code timeout} for the first; empty if none. */
        List<WalMessage> pollBatch(int max, Duration timeout);

        /**
         * The position of the channel's newest durable message at the time of the call (empty: the channel holds none).
         * Every message whose {@link Wal#produce} returned before the call is at or before it, so a consumer that has
         * read through it has seen them all (Strong reads). May cost a broker round trip.
         */
        Optional<WalPosition> lastPosition();

        /** Moves the read cursor so the next message is the one after {@code position}. */
        void seek(StartPosition start);

        /**
         * Records, durably, that everything up to and including {@code position} is processed
         * (cumulative; an acknowledgement below an earlier one is ignored). Meant for checkpoints,
         * not for every message: it may cost a disk or broker round trip.
         */
        void acknowledge(WalPosition position);

        @Override
        void close();
    }
}
