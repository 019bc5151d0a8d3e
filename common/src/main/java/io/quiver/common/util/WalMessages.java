package io.quiver.common.util;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.proto.DeleteMsg;
import io.quiver.proto.InsertMsg;
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

    /** The timestamp a message carries (a group: the largest of its parts; 0 for a message without one). */
    public static long timestamp(WalMessage msg) {
        return switch (msg.getBodyCase()) {
            case INSERT -> msg.getInsert().getTimestamp();
            case DELETE -> msg.getDelete().getTimestamp();
            case TIME_TICK -> msg.getTimeTick().getTimestamp();
            case GROUP -> {
                long max = 0;
                for (DeleteMsg d : msg.getGroup().getDeletesList()) {
                    max = Math.max(max, d.getTimestamp());
                }
                for (InsertMsg i : msg.getGroup().getInsertsList()) {
                    max = Math.max(max, i.getTimestamp());
                }
                yield max;
            }
            case BODY_NOT_SET -> 0;
        };
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
