package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import org.junit.jupiter.api.Test;

class ReachabilityTest {
    @Test
    void unreachableMeansNotAskedNotAnswered() {
        assertThat(Reachability.unreachable(new QuiverException(ErrorCode.SERVICE_NOT_READY, "x"))).isTrue();
        assertThat(Reachability.unreachable(new QuiverException(ErrorCode.TIMEOUT, "x"))).isTrue();
        assertThat(Reachability.unreachable(Status.UNAVAILABLE.asRuntimeException())).isTrue();
        assertThat(Reachability.unreachable(Status.DEADLINE_EXCEEDED.asRuntimeException())).isTrue();
        assertThat(Reachability.unreachable(Status.INTERNAL.asRuntimeException())).isFalse();
        assertThat(Reachability.unreachable(new QuiverException(ErrorCode.COLLECTION_NOT_FOUND, "x"))).isFalse();
        assertThat(Reachability.unreachable(new IllegalStateException("bug"))).isFalse();
    }
}
