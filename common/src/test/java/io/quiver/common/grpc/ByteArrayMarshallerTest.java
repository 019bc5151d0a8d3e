package io.quiver.common.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor;
import org.junit.jupiter.api.Test;

class ByteArrayMarshallerTest {
    @Test
    void bytesRoundTripUnchanged() {
        byte[] b = {0x12, (byte) 0xff, 0, 7};
        assertThat(ByteArrayMarshaller.INSTANCE.parse(ByteArrayMarshaller.INSTANCE.stream(b))).containsExactly(b);
        MethodDescriptor<byte[], byte[]> m = ByteArrayMarshaller.unary("svc/M");
        assertThat(m.getType()).isEqualTo(MethodDescriptor.MethodType.UNARY);
        assertThat(m.getFullMethodName()).isEqualTo("svc/M");
        assertThat(m.parseResponse(m.streamRequest(b))).containsExactly(b);
    }
}
