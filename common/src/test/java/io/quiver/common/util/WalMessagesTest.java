package io.quiver.common.util;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.proto.DeleteMsg;
import io.quiver.proto.DmlGroup;
import io.quiver.proto.InsertMsg;
import io.quiver.proto.TimeTickMsg;
import io.quiver.proto.WalMessage;
import org.junit.jupiter.api.Test;

class WalMessagesTest {
    @Test
    void timestampOfEachKindOfMessage() {
        assertThat(WalMessages.timestamp(WalMessage.newBuilder().setInsert(InsertMsg.newBuilder().setTimestamp(7)).build())).isEqualTo(7);
        assertThat(WalMessages.timestamp(WalMessage.newBuilder().setDelete(DeleteMsg.newBuilder().setTimestamp(8)).build())).isEqualTo(8);
        assertThat(WalMessages.timestamp(WalMessage.newBuilder().setTimeTick(TimeTickMsg.newBuilder().setTimestamp(9)).build())).isEqualTo(9);
        DmlGroup g = DmlGroup.newBuilder().addDeletes(DeleteMsg.newBuilder().setTimestamp(11)).addInserts(InsertMsg.newBuilder().setTimestamp(12))
                .addInserts(InsertMsg.newBuilder().setTimestamp(10)).build();
        assertThat(WalMessages.timestamp(WalMessage.newBuilder().setGroup(g).build())).isEqualTo(12);
        assertThat(WalMessages.timestamp(WalMessage.getDefaultInstance())).isZero();
    }
}
