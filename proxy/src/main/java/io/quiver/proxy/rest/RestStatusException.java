package io.quiver.proxy.rest;

import static java.util.Objects.requireNonNull;

import io.milvus.grpc.Status;

/** A service response whose status is not a success: the REST envelope carries its code and reason unchanged. */
final class RestStatusException extends RuntimeException {
    private final transient Status status;

    RestStatusException(Status status) {
        super(requireNonNull(status, "status is null").getReason(), null, false, false);
        this.status = status;
    }

    Status status() {
        return status;
    }
}
