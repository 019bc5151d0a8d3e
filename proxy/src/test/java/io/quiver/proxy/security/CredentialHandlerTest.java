package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.CreateCredentialRequest;
import io.milvus.grpc.DeleteCredentialRequest;
import io.milvus.grpc.UpdateCredentialRequest;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.PasswordHasher;
import io.quiver.proto.CredentialInfo;
import io.quiver.storage.LocalMetaKv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialHandlerTest {
    private static final Optional<Caller> ROOT = Optional.of(new Caller("root"));
    private static final Optional<Caller> ALICE = Optional.of(new Caller("alice"));
    private final PasswordHasher hasher = new PasswordHasher(4, new SecureRandom());
    private final Map<String, String> stored = new TreeMap<>();

    @TempDir
    Path tmp;
    private LocalMetaKv kv;
    private CredentialCache cache;
    private CredentialHandler handler;

    private final CredentialHandler.Store store = new CredentialHandler.Store() {
        @Override
        public void create(CredentialInfo c) {
            stored.put(c.getUsername(), c.getEncryptedPassword());
        }

        @Override
        public void update(CredentialInfo c) {
            stored.put(c.getUsername(), c.getEncryptedPassword());
        }

        @Override
        public void delete(String username) {
            stored.remove(username);
        }

        @Override
        public List<String> list() {
            return new ArrayList<>(stored.keySet());
        }
    };

    @BeforeEach
    void setUp() {
        kv = new LocalMetaKv(tmp.resolve("kv"));
        cache = new CredentialCache(kv, "c/meta", u -> Optional.ofNullable(stored.get(u)), hasher, new SecureRandom(), InstantSource.system());
        handler = handler("");
        stored.put("root", hasher.hash("Milvus"));
    }

    private CredentialHandler handler(String superUsers) {
        var security = QuiverConfig.fromMap(Map.of("common.security.superUsers", superUsers)).security();
        return new CredentialHandler(store, cache, hasher, security);
    }

    @AfterEach
    void tearDown() {
        cache.close();
        kv.close();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static CreateCredentialRequest create(String user, String password) {
        return CreateCredentialRequest.newBuilder().setUsername(user).setPassword(b64(password)).build();
    }

    private static UpdateCredentialRequest update(String user, String oldPassword, String newPassword) {
        return UpdateCredentialRequest.newBuilder().setUsername(user).setOldPassword(b64(oldPassword)).setNewPassword(b64(newPassword)).build();
    }

    private static void fails(Runnable r, ErrorCode code, String reason) {
        assertThatThrownBy(r::run).isInstanceOf(QuiverException.class).hasMessageContaining(reason)
                .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(code));
    }

    @Test
    void createHashesTheDecodedPassword() {
        handler.create(create(" alice ", "alice-pw"));
        assertThat(stored.get("alice")).startsWith("$2b$").doesNotContain("alice-pw");
        assertThat(hasher.verify("alice-pw", stored.get("alice"))).isTrue();
        fails(() -> handler.create(create("bob", "short")), ErrorCode.PARAMETER_INVALID, "between 6 and 72");
        fails(() -> handler.create(create("9bob", "bob-password")), ErrorCode.PARAMETER_INVALID, "first character");
        fails(() -> handler.create(CreateCredentialRequest.newBuilder().setUsername("bob").setPassword("***").build()),
                ErrorCode.PARAMETER_INVALID, "Base64");
    }

    @Test
    void updateNeedsTheOldPasswordUnlessSuperUser() {
        handler.create(create("alice", "alice-pw"));
        fails(() -> handler.update(ALICE, update("alice", "wrong-pw", "alice-pw2")), ErrorCode.NOT_AUTHENTICATED,
                "old password not correct for alice");
        handler.update(ALICE, update("alice", "alice-pw", "alice-pw2"));
        assertThat(hasher.verify("alice-pw2", stored.get("alice"))).isTrue();
        // root needs the old password too (Milvus: only common.security.superUsers skip it)
        fails(() -> handler.update(ROOT, update("alice", "x-unknown", "alice-pw3")), ErrorCode.NOT_AUTHENTICATED, "old password");
        handler("root").update(ROOT, update("alice", "x-unknown", "alice-pw3"));
        assertThat(hasher.verify("alice-pw3", stored.get("alice"))).isTrue();
    }

    @Test
    void deleteAndList() {
        handler.create(create("alice", "alice-pw"));
        assertThat(handler.list()).containsExactly("alice", "root");
        handler.delete(DeleteCredentialRequest.newBuilder().setUsername("alice").build());
        assertThat(handler.list()).containsExactly("root");
        fails(() -> handler.delete(DeleteCredentialRequest.newBuilder().setUsername(" ").build()), ErrorCode.PARAMETER_INVALID,
                "username should be not empty");
    }
}
