package io.quiver.rootcoord;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.milvus.grpc.CollectionSchema;
import io.milvus.grpc.ConsistencyLevel;
import io.milvus.grpc.DataType;
import io.milvus.grpc.FieldSchema;
import io.milvus.grpc.KeyValuePair;
import io.quiver.common.config.QuiverConfig;
import io.quiver.common.config.QuotaConfig.MetaLimits;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.schema.Schemas;
import io.quiver.common.text.Bm25Function;
import io.quiver.common.text.TextFields;
import io.quiver.proto.CollectionInfo;
import io.quiver.proto.DatabaseInfo;
import io.quiver.proto.PartitionInfo;
import io.quiver.storage.MetaKv;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.annotation.concurrent.GuardedBy;
import javax.annotation.concurrent.ThreadSafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Databases, collections and partitions: validated, persisted in MetaKv ({@code <root>/root-coord/...}),
 * cached in memory. All mutations are serialized by this object's lock; MetaKv is written before the
 * in-memory view changes, so a crash never leaves the cache ahead of storage.
 */
@ThreadSafe
public final class MetaTable {
    private static final Logger LOG = LoggerFactory.getLogger(MetaTable.class);
    public static final String DEFAULT_DB = "default";
    public static final long DEFAULT_DB_ID = 1;
    public static final String DEFAULT_PARTITION = "_default";
    static final int MAX_DIM = 32768;
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    private final MetaKv kv;
    private final String prefix;
    private final MetaLimits limits;
    @GuardedBy("this") private final Map<String, DatabaseInfo> databases = new TreeMap<>();
    @GuardedBy("this") private final Map<Long, CollectionInfo> collections = new HashMap<>();

    public MetaTable(MetaKv kv, String root) {
        this(kv, root, QuiverConfig.defaultsOnly().quota().metaLimits());
    }

    public MetaTable(MetaKv kv, String root, MetaLimits limits) {
        this.kv = requireNonNull(kv, "kv is null");
        this.prefix = root + "/root-coord/";
        this.limits = requireNonNull(limits, "limits is null");
        load();
    }

    /** How many databases, collections, partitions, fields and shards are accepted. */
    public MetaLimits limits() {
        return limits;
    }

    private synchronized void load() {
        for (var e : kv.scan(prefix + "database/").kvs()) {
            DatabaseInfo d = parse(e.value(), DatabaseInfo.parser());
            databases.put(d.getName(), d);
        }
        if (!databases.containsKey(DEFAULT_DB)) {
            DatabaseInfo d = DatabaseInfo.newBuilder().setDbId(DEFAULT_DB_ID).setName(DEFAULT_DB).build();
            kv.put(prefix + "database/" + d.getDbId(), d.toByteArray());
            databases.put(DEFAULT_DB, d);
        }
        for (var e : kv.scan(prefix + "collection/").kvs()) {
            CollectionInfo c = parse(e.value(), CollectionInfo.parser());
            collections.put(c.getCollectionId(), c);
        }
        LOG.info("meta loaded databases={} collections={}", databases.size(), collections.size());
    }

    private static <T> T parse(byte[] b, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(b);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt metadata record", e);
        }
    }

    // ------------------------------------------------------------------ databases

    public synchronized DatabaseInfo database(String name) {
        DatabaseInfo d = databases.get(dbName(name));
        if (d == null) {
            throw QuiverException.of(ErrorCode.DATABASE_NOT_FOUND, "database=%s", name);
        }
        return d;
    }

    public synchronized List<DatabaseInfo> databases() {
        return List.copyOf(databases.values());
    }

    public synchronized void createDatabase(String name, long id, long ts, List<KeyValuePair> props) {
        validateName(name, "database", ErrorCode.DATABASE_INVALID_NAME);
        if (databases.containsKey(name)) {
            throw QuiverException.of(ErrorCode.DATABASE_ALREADY_EXISTS, "database=%s", name);
        }
        if (databases.size() >= limits.maxDatabases()) {
            throw QuiverException.invalid("exceeded the limit number of database: %d", limits.maxDatabases());
        }
        DatabaseInfo d = DatabaseInfo.newBuilder().setDbId(id).setName(name).setCreatedTs(ts).addAllProperties(props).build();
        kv.put(prefix + "database/" + id, d.toByteArray());
        databases.put(name, d);
    }

    public synchronized void dropDatabase(String name) {
        if (DEFAULT_DB.equals(name)) {
            throw QuiverException.invalid("can not drop default database");
        }
        DatabaseInfo d = databases.get(name);
        if (d == null) {
            return; // idempotent, as Milvus
        }
        if (collections.values().stream().anyMatch(c -> c.getDbId() == d.getDbId())) {
            throw QuiverException.invalid("database:%s not empty, must drop all collections before drop database", name);
        }
        kv.delete(prefix + "database/" + d.getDbId());
        databases.remove(name);
    }

    private static String dbName(String name) {
        return name == null || name.isEmpty() ? DEFAULT_DB : name;
    }

    // ------------------------------------------------------------------ collections

    public synchronized Optional<CollectionInfo> find(String db, String name) {
        DatabaseInfo d = databases.get(dbName(db));
        if (d == null) {
            return Optional.empty();
        }
        for (CollectionInfo c : collections.values()) {
            if (c.getDbId() == d.getDbId() && (c.getName().equals(name) || c.getAliasesList().contains(name))) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    public synchronized CollectionInfo get(String db, String name) {
        database(db);
        return find(db, name).orElseThrow(() -> QuiverException.of(ErrorCode.COLLECTION_NOT_FOUND,
                "collection=%s", name));
    }

    public synchronized CollectionInfo get(long id) {
        CollectionInfo c = collections.get(id);
        if (c == null) {
            throw QuiverException.of(ErrorCode.COLLECTION_NOT_FOUND, "collectionID=%d", id);
        }
        return c;
    }

    public synchronized List<CollectionInfo> list(String db) {
        List<CollectionInfo> out = new ArrayList<>();
        Long dbId = db == null ? null : database(db).getDbId();
        for (CollectionInfo c : collections.values()) {
            if (dbId == null || c.getDbId() == dbId) {
                out.add(c);
            }
        }
        out.sort(Comparator.comparingLong(CollectionInfo::getCreatedTs));
        return out;
    }

    /** Counts vchannels per pchannel, to place a new collection's shards on the least used ones. */
    public synchronized Map<String, Integer> pchannelUsage() {
        Map<String, Integer> usage = new HashMap<>();
        for (CollectionInfo c : collections.values()) {
            for (String p : c.getPchannelsList()) {
                usage.merge(p, 1, Integer::sum);
            }
        }
        return usage;
    }

    /**
     * Validates a user schema and returns it with field ids assigned (from 100, in order) and the dynamic
     * field appended when enabled.
     */
    public static CollectionSchema prepareSchema(String collectionName, CollectionSchema in) {
        validateName(collectionName, "collection", ErrorCode.PARAMETER_INVALID);
        if (in.getFieldsCount() == 0) {
            throw new QuiverException(ErrorCode.ILLEGAL_SCHEMA, "schema has no fields");
        }
        CollectionSchema.Builder out = in.toBuilder().clearFields().setName(collectionName);
        Set<String> names = new HashSet<>();
        int pks = 0;
        int vectors = 0;
        long id = Schemas.FIRST_USER_FIELD;
        for (FieldSchema f : in.getFieldsList()) {
            String n = f.getName();
            validateName(n, "field", ErrorCode.FIELD_INVALID_NAME);
            if (!names.add(n)) {
                throw QuiverException.invalid("duplicated field name %s found", n);
            }
            if (f.getIsDynamic() || Schemas.DYNAMIC_FIELD.equals(n)) {
                throw QuiverException.invalid("field name %s is reserved for the dynamic field", n);
            }
            DataType t = f.getDataType();
            if (f.getIsPrimaryKey()) {
                pks++;
                if (t != DataType.Int64 && t != DataType.VarChar) {
                    throw QuiverException.invalid("the data type of primary key should be Int64 or VarChar, got %s", t);
                }
                if (f.getNullable()) {
                    throw QuiverException.invalid("primary key field %s can not be nullable", n);
                }
            } else if (f.getAutoID()) {
                throw QuiverException.invalid("only primary key field can set autoID, field %s", n);
            }
            switch (t) {
                case FloatVector, Float16Vector, BFloat16Vector -> {
                    vectors++;
                    int d = dimOf(f);
                    if (d < 2 || d > MAX_DIM) {
                        throw QuiverException.invalid("invalid dimension: %d of field %s. should be in range 2 ~ %d", d, n, MAX_DIM);
                    }
                }
                case BinaryVector -> {
                    vectors++;
                    int d = dimOf(f);
                    if (d <= 0 || d % 8 != 0 || d > MAX_DIM * 8) {
                        throw QuiverException.invalid("invalid dimension: %d of field %s. binary vector dimension should be a positive multiple of 8", d, n);
                    }
                }
                case SparseFloatVector -> vectors++;
                case VarChar -> {
                    String ml = Schemas.typeParam(f, "max_length");
                    if (ml == null) {
                        throw QuiverException.invalid("type param(max_length) should be specified for the field(%s) of collection %s", n, collectionName);
                    }
                    int m = parseInt(ml, "max_length", n);
                    if (m <= 0 || m > 65535) {
                        throw QuiverException.invalid("the maximum length specified for the field(%s) should be in (0, 65535], but got %d instead", n, m);
                    }
                }
                case Array -> {
                    DataType e = f.getElementType();
                    if (e == DataType.None || e == DataType.Array || e == DataType.JSON || Schemas.isVector(e)) {
                        throw QuiverException.invalid("element type %s of array field %s is not supported", e, n);
                    }
                    String mc = Schemas.typeParam(f, "max_capacity");
                    if (mc == null) {
                        throw QuiverException.invalid("type param(max_capacity) should be specified for array field %s", n);
                    }
                    int c = parseInt(mc, "max_capacity", n);
                    if (c <= 0 || c > 4096) {
                        throw QuiverException.invalid("the maximum capacity specified for a Array should be in (0, 4096], but got %d", c);
                    }
                    if (e == DataType.VarChar && Schemas.typeParam(f, "max_length") == null) {
                        throw QuiverException.invalid("type param(max_length) should be specified for varchar array field %s", n);
                    }
                }
                case Bool, Int8, Int16, Int32, Int64, Float, Double, JSON -> { }
                default -> throw QuiverException.invalid("data type %s of field %s is not supported", t, n);
            }
            TextFields.validate(f);
            out.addFields(f.toBuilder().setFieldID(id++).build());
        }
        if (pks != 1) {
            throw new QuiverException(ErrorCode.ILLEGAL_SCHEMA, pks == 0 ? "primary key is not specified" : "there are more than one primary key");
        }
        if (vectors == 0) {
            throw new QuiverException(ErrorCode.ILLEGAL_SCHEMA, "schema does not contain vector field");
        }
        if (in.getEnableDynamicField()) {
            out.addFields(FieldSchema.newBuilder().setFieldID(id).setName(Schemas.DYNAMIC_FIELD)
                    .setDataType(DataType.JSON).setIsDynamic(true).setDescription("dynamic schema").build());
        }
        return Bm25Function.prepare(out.build());
    }

    private static int dimOf(FieldSchema f) {
        String d = Schemas.typeParam(f, "dim");
        if (d == null) {
            throw QuiverException.invalid("dimension is not defined in field type params of field %s", f.getName());
        }
        return parseInt(d, "dim", f.getName());
    }

    private static int parseInt(String v, String what, String field) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw QuiverException.invalid("%s of field %s should be an integer, got '%s'", what, field, v);
        }
    }

    static void validateName(String name, String what, ErrorCode code) {
        if (name == null || name.isEmpty()) {
            throw new QuiverException(code, "the " + what + " name should not be empty");
        }
        if (!NAME.matcher(name).matches()) {
            throw new QuiverException(code, "invalid " + what + " name: " + name + ". the first character of a " + what
                    + " name must be an underscore or letter, followed by letters, digits or underscores, at most 255 characters");
        }
    }

    /** Stores a new collection; returns false (and changes nothing) if an identical one exists. */
    public synchronized boolean createCollection(CollectionInfo c) {
        if (byAlias(c.getDbId(), c.getName()).isPresent()) {
            throw QuiverException.of(ErrorCode.ALIAS_COLLECTION_NAME_CONFLICT, "collection name %s conflicts with an existing alias", c.getName());
        }
        Optional<CollectionInfo> existing = find(c.getDbName(), c.getName());
        if (existing.isPresent()) {
            CollectionInfo e = existing.get();
            if (e.getName().equals(c.getName()) && e.getSchema().equals(c.getSchema()) && e.getShardsNum() == c.getShardsNum()) {
                return false;
            }
            throw QuiverException.invalid("create duplicate collection with different parameters, collection: %s", c.getName());
        }
        if (collections.size() >= limits.maxCollections()) {
            throw QuiverException.of(ErrorCode.COLLECTION_NUM_LIMIT, "[limit=%d]", limits.maxCollections());
        }
        long inDb = collections.values().stream().filter(x -> x.getDbId() == c.getDbId()).count();
        if (inDb >= limits.maxCollectionsPerDb()) {
            throw QuiverException.of(ErrorCode.COLLECTION_NUM_LIMIT, "[dbName=%s][limit=%d]", c.getDbName(), limits.maxCollectionsPerDb());
        }
        put(c);
        return true;
    }

    public synchronized void put(CollectionInfo c) {
        kv.put(key(c), c.toByteArray());
        collections.put(c.getCollectionId(), c);
    }

    public synchronized void removeCollection(long id) {
        CollectionInfo c = collections.get(id);
        if (c != null) {
            kv.delete(key(c));
            collections.remove(id);
        }
    }

    private String key(CollectionInfo c) {
        return prefix + "collection/" + c.getDbId() + "/" + c.getCollectionId();
    }

    public synchronized CollectionInfo addPartition(long collectionId, String name, long partitionId, long ts) {
        validateName(name, "partition", ErrorCode.PARAMETER_INVALID);
        CollectionInfo c = get(collectionId);
        if (c.getPartitionsList().stream().anyMatch(p -> p.getName().equals(name))) {
            throw QuiverException.invalid("partition name %s already exists", name);
        }
        if (c.getSchema().getFieldsList().stream().anyMatch(FieldSchema::getIsPartitionKey)) {
            throw QuiverException.invalid("disable create partition if partition key mode is used");
        }
        if (c.getPartitionsCount() >= limits.maxPartitions()) {
            throw QuiverException.invalid("partition number (%d) exceeds max configuration (%d), collection: %s", c.getPartitionsCount(),
                    limits.maxPartitions(), c.getName());
        }
        CollectionInfo n = c.toBuilder().addPartitions(PartitionInfo.newBuilder().setPartitionId(partitionId).setName(name).setCreatedTs(ts)).setUpdateTs(ts).build();
        put(n);
        return n;
    }

    public synchronized Optional<PartitionInfo> removePartition(long collectionId, String name) {
        if (DEFAULT_PARTITION.equals(name)) {
            throw QuiverException.invalid("default partition cannot be deleted");
        }
        CollectionInfo c = get(collectionId);
        Optional<PartitionInfo> p = c.getPartitionsList().stream().filter(x -> x.getName().equals(name)).findFirst();
        if (p.isEmpty()) {
            return p;
        }
        CollectionInfo.Builder b = c.toBuilder().clearPartitions();
        c.getPartitionsList().stream().filter(x -> !x.getName().equals(name)).forEach(b::addPartitions);
        put(b.build());
        return p;
    }

    // ------------------------------------------------------------------ aliases, rename, properties

    private synchronized Optional<CollectionInfo> byExactName(long dbId, String name) {
        return collections.values().stream().filter(c -> c.getDbId() == dbId && c.getName().equals(name)).findFirst();
    }

    private synchronized Optional<CollectionInfo> byAlias(long dbId, String alias) {
        return collections.values().stream().filter(c -> c.getDbId() == dbId && c.getAliasesList().contains(alias)).findFirst();
    }

    public synchronized void createAlias(String db, String alias, String collection, long ts) {
        validateName(alias, "alias", ErrorCode.PARAMETER_INVALID);
        DatabaseInfo d = database(db);
        if (byExactName(d.getDbId(), alias).isPresent()) {
            throw QuiverException.of(ErrorCode.ALIAS_COLLECTION_NAME_CONFLICT, "alias %s conflicts with a collection of the same name", alias);
        }
        CollectionInfo target = byExactName(d.getDbId(), collection)
                .orElseThrow(() -> QuiverException.of(ErrorCode.COLLECTION_NOT_FOUND, "collection=%s", collection));
        Optional<CollectionInfo> owner = byAlias(d.getDbId(), alias);
        if (owner.isPresent()) {
            if (owner.get().getCollectionId() == target.getCollectionId()) {
                return; // same alias again: idempotent
            }
            throw QuiverException.of(ErrorCode.ALIAS_ALREADY_EXISTS, "alias %s is already used by collection %s", alias, owner.get().getName());
        }
        put(target.toBuilder().addAliases(alias).setUpdateTs(ts).build());
    }

    public synchronized void dropAlias(String db, String alias) {
        DatabaseInfo d = database(db);
        byAlias(d.getDbId(), alias).ifPresent(c -> put(withoutAlias(c, alias)));
    }

    private static CollectionInfo withoutAlias(CollectionInfo c, String alias) {
        CollectionInfo.Builder b = c.toBuilder().clearAliases();
        c.getAliasesList().stream().filter(a -> !a.equals(alias)).forEach(b::addAliases);
        return b.build();
    }

    public synchronized void alterAlias(String db, String alias, String collection, long ts) {
        DatabaseInfo d = database(db);
        CollectionInfo target = byExactName(d.getDbId(), collection)
                .orElseThrow(() -> QuiverException.of(ErrorCode.COLLECTION_NOT_FOUND, "collection=%s", collection));
        CollectionInfo owner = byAlias(d.getDbId(), alias)
                .orElseThrow(() -> QuiverException.of(ErrorCode.ALIAS_NOT_FOUND, "alias=%s", alias));
        if (owner.getCollectionId() == target.getCollectionId()) {
            return;
        }
        put(withoutAlias(owner, alias));
        put(get(target.getCollectionId()).toBuilder().addAliases(alias).setUpdateTs(ts).build());
    }

    public synchronized void rename(String db, String oldName, String newDb, String newName, long ts) {
        validateName(newName, "collection", ErrorCode.PARAMETER_INVALID);
        DatabaseInfo from = database(db);
        DatabaseInfo to = database(newDb == null || newDb.isEmpty() ? from.getName() : newDb);
        CollectionInfo c = byExactName(from.getDbId(), oldName)
                .orElseThrow(() -> QuiverException.of(ErrorCode.COLLECTION_NOT_FOUND, "collection=%s", oldName));
        if (byExactName(to.getDbId(), newName).isPresent() || byAlias(to.getDbId(), newName).isPresent()) {
            throw QuiverException.invalid("duplicated new collection name %s in database %s", newName, to.getName());
        }
        if (to.getDbId() != from.getDbId() && c.getAliasesCount() > 0) {
            throw QuiverException.invalid("fail to rename collection to different database, must drop all aliases of collection %s first", oldName);
        }
        kv.delete(key(c));
        collections.remove(c.getCollectionId());
        put(c.toBuilder().setName(newName).setDbId(to.getDbId()).setDbName(to.getName())
                .setSchema(c.getSchema().toBuilder().setName(newName)).setUpdateTs(ts).build());
    }

    public synchronized void alterProperties(String db, String collection, List<KeyValuePair> set, List<String> deleteKeys, long ts) {
        CollectionInfo c = get(db, collection);
        Map<String, String> props = new java.util.LinkedHashMap<>();
        c.getPropertiesList().forEach(p -> props.put(p.getKey(), p.getValue()));
        set.forEach(p -> props.put(p.getKey(), p.getValue()));
        deleteKeys.forEach(props::remove);
        CollectionInfo.Builder b = c.toBuilder().clearProperties().setUpdateTs(ts);
        props.forEach((k, v) -> b.addProperties(KeyValuePair.newBuilder().setKey(k).setValue(v)));
        String level = props.get("collection.consistency_level");
        if (level != null) {
            try {
                b.setConsistencyLevel(ConsistencyLevel.valueOf(level.substring(0, 1).toUpperCase() + level.substring(1).toLowerCase()));
            } catch (IllegalArgumentException e) {
                throw QuiverException.invalid("invalid consistency level %s", level);
            }
        }
        put(b.build());
    }

    public synchronized void alterDatabase(String db, List<KeyValuePair> set, List<String> deleteKeys) {
        DatabaseInfo d = database(db);
        Map<String, String> props = new java.util.LinkedHashMap<>();
        d.getPropertiesList().forEach(p -> props.put(p.getKey(), p.getValue()));
        set.forEach(p -> props.put(p.getKey(), p.getValue()));
        deleteKeys.forEach(props::remove);
        DatabaseInfo.Builder b = d.toBuilder().clearProperties();
        props.forEach((k, v) -> b.addProperties(KeyValuePair.newBuilder().setKey(k).setValue(v)));
        DatabaseInfo n = b.build();
        kv.put(prefix + "database/" + n.getDbId(), n.toByteArray());
        databases.put(n.getName(), n);
    }

    static ConsistencyLevel consistency(ConsistencyLevel l) {
        return l == ConsistencyLevel.Customized || l == ConsistencyLevel.UNRECOGNIZED ? ConsistencyLevel.Bounded : l;
    }
}
