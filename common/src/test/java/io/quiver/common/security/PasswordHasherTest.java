package io.quiver.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(4, new SecureRandom());

    @Test
    void hashIsSaltedBcryptAndVerifies() {
        String a = hasher.hash("Milvus");
        String b = hasher.hash("Milvus");
        assertThat(a).startsWith("$2b$04$").hasSize(60).doesNotContain("Milvus");
        assertThat(a).isNotEqualTo(b); // a fresh salt per hash
        assertThat(hasher.verify("Milvus", a)).isTrue();
        assertThat(hasher.verify("Milvus", b)).isTrue();
        assertThat(hasher.verify("milvus", a)).isFalse();
        assertThat(hasher.verify("", a)).isFalse();
    }

    @Test
    void costIsReadFromTheHash() {
        String strong = new PasswordHasher(PasswordHasher.DEFAULT_COST, new SecureRandom()).hash("secret-1");
        assertThat(strong).startsWith("$2b$10$");
        assertThat(hasher.verify("secret-1", strong)).isTrue();
    }

    @Test
    void longPasswordsAreNotTruncated() {
        String base = "é".repeat(40); // 80 UTF-8 bytes: longer than bcrypt's 72-byte input
        String hash = hasher.hash(base + "a");
        assertThat(hasher.verify(base + "a", hash)).isTrue();
        assertThat(hasher.verify(base + "b", hash)).isFalse();
    }

    @Test
    void malformedHashNeverVerifies() {
        assertThat(hasher.verify("Milvus", "not-a-hash")).isFalse();
        assertThat(hasher.verify("Milvus", "")).isFalse();
    }

    @Test
    void costOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new PasswordHasher(3, new SecureRandom())).hasMessageContaining("cost");
    }
}
