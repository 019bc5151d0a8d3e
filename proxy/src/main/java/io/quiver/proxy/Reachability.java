package io.quiver.proxy;

import io.grpc.StatusRuntimeException;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;

/** Tells a coordinator that could not be asked from one that answered with an error. */
final class Reachability {
    private Reachability() {}

    /**
     * Whether a failure means the source could not be asked, rather than that it answered: not registered, the
     * connection refused or reset, no answer within the deadline.
     */
    static boolean unreachable(Throwable e) {
        if (e instanceof QuiverException q) {
            return q.errorCode() == ErrorCode.SERVICE_NOT_READY || q.errorCode() == ErrorCode.SERVICE_UNAVAILABLE
                    || q.errorCode() == ErrorCode.TIMEOUT;
        }
        if (e instanceof StatusRuntimeException s) {
            return switch (s.getStatus().getCode()) {
                case UNAVAILABLE, DEADLINE_EXCEEDED -> true;
                default -> false;
            };
        }
        return false;
    }
}
