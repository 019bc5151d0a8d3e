package io.quiver.rootcoord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.CredentialRules;
import io.quiver.common.security.PasswordHasher;
import io.quiver.proto.CredentialInfo;
import io.quiver.storage.LocalMetaKv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialTableTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));
    private final PasswordHasher hasher = new PasswordHasher(4, new SecureRandom());

    @TempDir
    Path tmp;

    private static CredentialInfo cred(String user, String hash) {
        return CredentialInfo.newBuilder().setUsername(user).setEncryptedPassword(hash).build();
    }

    @Test
    void rootIsCreatedOnceWithTheDefaultPassword() {
        AtomicInteger hashes = new AtomicInteger();
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("kv"))) {
            CredentialTable t = new CredentialTable(kv, "c/meta", CLOCK, () -> {
                hashes.incrementAndGet();
                return hasher.hash("Milvus");
            });
            CredentialInfo root = t.get("root").orElseThrow();
            assertThat(hasher.verify("Milvus", root.getEncryptedPassword())).isTrue();
            assertThat(root.getCreatedMs()).isEqualTo(CLOCK.millis());
            // a second start with another default password changes nothing (as Milvus)
            new CredentialTable(kv, "c/meta", CLOCK, () -> hasher.hash("Other-password"));
            assertThat(t.get("root").orElseThrow().getEncryptedPassword()).isEqualTo(root.getEncryptedPassword());
            assertThat(hashes).hasValue(1);
        }
    }

    @Test
    void storesOnlyTheHashUnderMilvusKeyLayout() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("kv"))) {
            CredentialTable t = new CredentialTable(kv, "c/meta", CLOCK, () -> hasher.hash("Milvus"));
            t.create(cred("alice", hasher.hash("alice-password")));
            byte[] stored = kv.get("c/meta/root-coord/credential/users/alice").orElseThrow().value();
            assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("alice-password").contains("$2b$04$");
            assertThat(t.list()).containsExactly("alice", "root");
        }
    }

    @Test
    void createAndUpdate() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("kv"))) {
            CredentialTable t = new CredentialTable(kv, "c/meta", CLOCK, () -> hasher.hash("Milvus"));
            t.create(cred("bob", "h1"));
            assertThatThrownBy(() -> t.create(cred("bob", "h2"))).hasMessageContaining("user already exists: bob");
            t.update(cred("bob", "h3"));
            assertThat(t.get("bob").orElseThrow().getEncryptedPassword()).isEqualTo("h3");
            assertThatThrownBy(() -> t.update(cred("nobody", "h"))).hasMessageContaining("user not found: nobody");
            assertThatThrownBy(() -> t.create(cred("1bad", "h"))).hasMessageContaining("first character must be a letter");
        }
    }

    @Test
    void userLimitIsMilvus() {
        try (LocalMetaKv kv = new LocalMetaKv(tmp.resolve("kv"))) {
            CredentialTable t = new CredentialTable(kv, "c/meta", CLOCK, () -> "h");
            for (int i = 1; i < CredentialRules.MAX_USERS; i++) {
                t.create(cred("u" + i, "h"));
            }
            assertThatThrownBy(() -> t.create(cred("one_more", "h"))).isInstanceOf(QuiverException.class)
                    .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(ErrorCode.SERVICE_QUOTA_EXCEEDED));
        }
    }
}
