package io.quiver.common.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.milvus.grpc.Status;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {
    @Test
    void codesAreUnique() {
        Set<Integer> seen = new HashSet<>();
        for (ErrorCode c : ErrorCode.values()) {
            assertThat(seen.add(c.code())).as("duplicate code %d (%s)", c.code(), c).isTrue();
        }
    }

    @Test
    void statusCarriesCodeAndLegacyCode() {
        Status s = Statuses.of(new QuiverException(ErrorCode.COLLECTION_NOT_FOUND, "collection=x"));
        assertThat(s.getCode()).isEqualTo(100);
        assertThat(s.getErrorCode()).isEqualTo(io.milvus.grpc.ErrorCode.CollectionNotExists);
        assertThat(s.getReason()).isEqualTo("collection not found: collection=x");
        assertThat(Statuses.isOk(s)).isFalse();
        assertThat(Statuses.isOk(Statuses.success())).isTrue();
    }

    @Test
    void roundTripsThroughStatus() {
        QuiverException e = Statuses.toException(Statuses.of(ErrorCode.INDEX_NOT_FOUND, "index not found: field v"));
        assertThat(e.errorCode()).isEqualTo(ErrorCode.INDEX_NOT_FOUND);
        assertThat(e.getMessage()).isEqualTo("index not found: field v");
    }

    @Test
    void unexpectedExceptionsBecomeUnexpectedStatus() {
        Status s = Statuses.fromThrowable(new IllegalStateException("boom"));
        assertThat(s.getCode()).isEqualTo(65535);
        assertThat(s.getErrorCode()).isEqualTo(io.milvus.grpc.ErrorCode.UnexpectedError);
    }
}
