package io.quiver.common.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.stub.StreamObserver;
import io.milvus.grpc.Status;
import io.quiver.common.error.Statuses;
import java.util.concurrent.Callable;

/**
 * Runs a unary handler and always answers with a response: an exception becomes the response type's
 * {@code status} field (or the Status itself), never a gRPC error. The Java SDK retries gRPC errors for
 * minutes, so no application error may cross the wire as one (sdk-rpc-map.md section 2).
 */
public final class GrpcCalls {
    private GrpcCalls() {}

    public static <T extends Message> void unary(StreamObserver<T> observer, T prototype, Callable<T> body) {
        T response;
        try {
            response = body.call();
        } catch (Throwable t) {
            response = errorResponse(prototype, Statuses.fromThrowable(t));
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /** The prototype's type with only its status set. */
    @SuppressWarnings("unchecked")
    public static <T extends Message> T errorResponse(T prototype, Status status) {
        if (prototype instanceof Status) {
            return (T) status;
        }
        FieldDescriptor f = prototype.getDescriptorForType().findFieldByName("status");
        if (f == null) {
            throw new IllegalArgumentException("response type has no status field: " + prototype.getDescriptorForType().getFullName());
        }
        return (T) prototype.toBuilder().setField(f, status).build();
    }
}
