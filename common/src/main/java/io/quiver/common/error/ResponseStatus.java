package io.quiver.common.error;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.milvus.grpc.Status;

/** The Milvus status a public response carries: the response itself when it is a Status, else its {@code status} field. */
public final class ResponseStatus {
    private ResponseStatus() {}

    /** The status, or null when the message has none. */
    public static Status of(Object response) {
        if (response instanceof Status s) {
            return s;
        }
        if (response instanceof Message m) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName("status");
            if (f != null && m.getField(f) instanceof Status s) {
                return s;
            }
        }
        return null;
    }
}
