package io.quiver.common.util;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.proto.WalMessage;
import io.quiver.storage.Wal;

/** What every WAL consumer (datanode channel writers, querynode shard leaders) does with a polled entry. */
public final class WalMessages {
    private WalMessages() {}

    /** The subscription a vchannel's datanode consumes it with (kept across owners: a new owner resumes it). */
    public static String datanodeSubscription(String vchannel) {
        return "datanode-" + vchannel;
    }

    /** The message in {@code m}; an entry that does not parse stops the consumer's round with its position named. */
    public static WalMessage parse(Wal.WalMessage m) {
        try {
            return WalMessage.parseFrom(m.payload());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("unreadable WAL message at " + m.position(), e);
        }
    }

    /** The pause of a consumer loop after a failed round (keeps the interrupt flag instead of throwing). */
    public static void backoff(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
