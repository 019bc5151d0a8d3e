package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.CredentialKeys;
import io.quiver.common.security.CredentialRules;
import io.quiver.proto.CredentialInfo;
import io.quiver.storage.MetaKv;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users and their bcrypt password hashes in MetaKv ({@code <root>/root-coord/credential/users/<user>}), as Milvus'
 * rootcoord keeps them. Only hashes reach this class (the proxy hashes, as in Milvus), and nothing here logs one.
 * Reads go to MetaKv every time: credentials change rarely and proxies cache what they verified. Deleting a user is
 * {@link RbacTable#deleteUser} (the user and its role bindings in one transaction).
 */
@ThreadSafe
public final class CredentialTable {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialTable.class);

    private final MetaKv kv;
    private final String root;
    private final InstantSource clock;

    /**
     * Opens the table; on the first start of a cluster it creates {@code root} with the hash {@code rootHash}
     * supplies (computed only then). Later starts never touch root, whatever the configured default password says.
     */
    public CredentialTable(MetaKv kv, String metaRoot, InstantSource clock, Supplier<String> rootHash) {
        this.kv = requireNonNull(kv, "kv is null");
        this.root = requireNonNull(metaRoot, "metaRoot is null");
        this.clock = requireNonNull(clock, "clock is null");
        if (get(CredentialRules.ROOT).isEmpty()) {
            boolean created = putIfAbsent(CredentialInfo.newBuilder().setUsername(CredentialRules.ROOT).setEncryptedPassword(rootHash.get()));
            LOG.info("credentials opened rootCreated={}", created);
        }
    }

    public Optional<CredentialInfo> get(String username) {
        return kv.get(CredentialKeys.user(root, username)).map(e -> parse(e.value()));
    }

    /** Adds a user; code 1100 if it exists, code 9 beyond Milvus' 100 users. */
    public synchronized void create(CredentialInfo credential) {
        String name = CredentialRules.username(credential.getUsername());
        if (list().size() >= CredentialRules.MAX_USERS) {
            throw QuiverException.of(ErrorCode.SERVICE_QUOTA_EXCEEDED,
                    "unable to add user because the number of users has reached the limit (%d)", CredentialRules.MAX_USERS);
        }
        if (!putIfAbsent(credential.toBuilder().setUsername(name))) {
            throw QuiverException.invalid("user already exists: %s", name);
        }
        LOG.info("user created user={}", name);
    }

    /** Replaces a user's hash; code 1100 if the user does not exist. */
    public synchronized void update(CredentialInfo credential) {
        String name = credential.getUsername();
        CredentialInfo old = get(name).orElseThrow(() -> QuiverException.invalid("user not found: %s", name));
        kv.put(CredentialKeys.user(root, name), old.toBuilder().setEncryptedPassword(credential.getEncryptedPassword())
                .setModifiedMs(clock.millis()).build().toByteArray());
        LOG.info("user password updated user={}", name);
    }

    /** Every user name, in key order. */
    public List<String> list() {
        String prefix = CredentialKeys.usersPrefix(root);
        List<String> names = new ArrayList<>();
        for (MetaKv.KeyValue e : kv.scan(prefix).kvs()) {
            names.add(e.key().substring(prefix.length()));
        }
        return names;
    }

    private boolean putIfAbsent(CredentialInfo.Builder credential) {
        long now = clock.millis();
        String key = CredentialKeys.user(root, credential.getUsername());
        byte[] value = credential.setCreatedMs(now).setModifiedMs(now).build().toByteArray();
        return kv.txn(List.of(new MetaKv.Compare.Absent(key)), List.of(new MetaKv.Op.Put(key, value)), List.of());
    }

    private static CredentialInfo parse(byte[] value) {
        try {
            return CredentialInfo.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new QuiverException(ErrorCode.UNEXPECTED, "corrupt credential record", e);
        }
    }
}
