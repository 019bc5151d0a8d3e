package io.quiver.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.KeyValuePair;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.util.HybridTs;
import io.quiver.proto.CollectionInfo;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollectionTtlTest {
    private static final long NOW_MS = 1_700_000_000_000L;
    private final CollectionTtl ttl = new CollectionTtl(InstantSource.fixed(Instant.ofEpochMilli(NOW_MS)));

    private static KeyValuePair prop(String key, String value) {
        return KeyValuePair.newBuilder().setKey(key).setValue(value).build();
    }

    private static CollectionInfo withProps(KeyValuePair... props) {
        return CollectionInfo.newBuilder().setCollectionId(1).setName("c").addAllProperties(List.of(props)).build();
    }

    @Test
    void expireTsIsNowMinusTtlOnTheInjectedClock() {
        long e = ttl.expireTs(withProps(prop("mmap.enabled", "true"), prop(CollectionTtl.PROPERTY, "3")));
        assertThat(e).isEqualTo(HybridTs.compose(NOW_MS - 3000, 0));
        assertThat(HybridTs.logical(e)).isZero();
    }

    @Test
    void noTtlMeansNoExpiry() {
        assertThat(ttl.expireTs(withProps())).isZero();
        assertThat(ttl.expireTs(withProps(prop(CollectionTtl.PROPERTY, "0")))).isZero();
        assertThat(ttl.expireTs(withProps(prop(CollectionTtl.PROPERTY, "not-a-number")))).isZero(); // stored before validation existed
        assertThat(ttl.expireTs(withProps(prop(CollectionTtl.PROPERTY, Long.toString(Long.MAX_VALUE))))).isZero(); // no overflow
    }

    @Test
    void validationAcceptsNonNegativeIntegers() {
        CollectionTtl.validate(List.of(prop(CollectionTtl.PROPERTY, "0"), prop(CollectionTtl.PROPERTY, " 86400 ")));
        CollectionTtl.validate(List.of(prop("other", "-1")));
    }

    @Test
    void validationRejectsOtherValuesWithCode1100NamingTheProperty() {
        for (String bad : List.of("-1", "1.5", "abc", "")) {
            assertThatThrownBy(() -> CollectionTtl.validate(List.of(prop(CollectionTtl.PROPERTY, bad))))
                    .isInstanceOfSatisfying(QuiverException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID);
                        assertThat(e.errorCode().code()).isEqualTo(1100);
                        assertThat(e.getMessage()).contains(CollectionTtl.PROPERTY);
                    });
        }
    }
}
