package io.quiver.common.security;

import static io.quiver.common.security.Privilege.*;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Milvus 2.5's built-in privilege groups ({@code pkg/util/constant.go}): the nine grouped by level (cluster,
 * database, collection) that {@code OperatePrivilegeV2} grants and {@code ListPrivilegeGroups} lists, and the three
 * legacy ones ({@code ReadOnly}, {@code ReadWrite}, {@code Admin}) the v1 {@code OperatePrivilege} still accepts.
 * Read-only: nobody can add to or remove from them. Constants are spelled as the API spells them.
 */
public enum BuiltinGroup {
    CollectionReadOnly(Level.COLLECTION, collectionReadOnly()),
    CollectionReadWrite(Level.COLLECTION, collectionReadWrite()),
    CollectionAdmin(Level.COLLECTION, union(collectionReadWrite(), EnumSet.of(CreateAlias, DropAlias))),
    DatabaseReadOnly(Level.DATABASE, EnumSet.of(ShowCollections, DescribeDatabase)),
    DatabaseReadWrite(Level.DATABASE, EnumSet.of(ShowCollections, DescribeDatabase, AlterDatabase)),
    DatabaseAdmin(Level.DATABASE, EnumSet.of(ShowCollections, DescribeDatabase, AlterDatabase, CreateCollection, DropCollection)),
    ClusterReadOnly(Level.CLUSTER, clusterReadOnly()),
    ClusterReadWrite(Level.CLUSTER, clusterReadWrite()),
    ClusterAdmin(Level.CLUSTER, union(clusterReadWrite(), EnumSet.of(BackupRBAC, RestoreRBAC, CreateDatabase, DropDatabase,
            CreateOwnership, DropOwnership, ManageOwnership, CreateResourceGroup, DropResourceGroup, UpdateUser,
            RenameCollection, CreatePrivilegeGroup, DropPrivilegeGroup, OperatePrivilegeGroup))),
    ReadOnly(Level.LEGACY, legacyReadOnly()),
    ReadWrite(Level.LEGACY, union(legacyReadOnly(), EnumSet.of(CreateIndex, DropIndex, CreatePartition, DropPartition, Load,
            Release, Insert, Delete, Upsert, Import, Flush, Compaction, LoadBalance, RenameCollection, CreateAlias, DropAlias))),
    Admin(Level.LEGACY, legacyAdmin());

    /** Where a group may be granted with {@code OperatePrivilegeV2}; legacy groups only through the v1 call. */
    public enum Level { CLUSTER, DATABASE, COLLECTION, LEGACY }

    private final Level level;
    private final Set<Privilege> members;

    BuiltinGroup(Level level, Set<Privilege> members) {
        this.level = level;
        this.members = Collections.unmodifiableSet(EnumSet.copyOf(members));
    }

    public Level level() {
        return level;
    }

    public Set<Privilege> members() {
        return members;
    }

    /** The group with this API name. */
    public static Optional<BuiltinGroup> byName(String name) {
        return Arrays.stream(values()).filter(g -> g.name().equals(name)).findFirst();
    }

    private static Set<Privilege> collectionReadOnly() {
        return EnumSet.of(Query, Search, IndexDetail, GetFlushState, GetLoadState, GetLoadingProgress, HasPartition,
                ShowPartitions, DescribeCollection, DescribeAlias, GetStatistics, ListAliases);
    }

    private static Set<Privilege> collectionReadWrite() {
        return union(collectionReadOnly(), EnumSet.of(Load, Release, Insert, Delete, Upsert, Import, Flush, Compaction,
                LoadBalance, CreateIndex, DropIndex, CreatePartition, DropPartition));
    }

    private static Set<Privilege> clusterReadOnly() {
        return EnumSet.of(ListDatabases, SelectOwnership, SelectUser, DescribeResourceGroup, ListResourceGroups, ListPrivilegeGroups);
    }

    private static Set<Privilege> clusterReadWrite() {
        return union(clusterReadOnly(), EnumSet.of(FlushAll, TransferNode, TransferReplica, UpdateResourceGroups));
    }

    private static Set<Privilege> legacyReadOnly() {
        return EnumSet.of(Query, Search, IndexDetail, GetFlushState, GetLoadState, GetLoadingProgress, HasPartition,
                ShowPartitions, ShowCollections, ListAliases, ListDatabases, DescribeCollection, DescribeDatabase,
                DescribeAlias, GetStatistics);
    }

    private static Set<Privilege> legacyAdmin() {
        Set<Privilege> s = union(legacyReadOnly(), EnumSet.of(CreateCollection, DropCollection, CreateIndex, DropIndex,
                CreatePartition, DropPartition, Load, Release, Insert, Delete, Upsert, Import, Flush, Compaction, LoadBalance,
                RenameCollection, CreateAlias, DropAlias, CreateOwnership, DropOwnership, SelectOwnership, ManageOwnership,
                SelectUser, UpdateUser, BackupRBAC, RestoreRBAC, CreateResourceGroup, UpdateResourceGroups, DropResourceGroup,
                DescribeResourceGroup, ListResourceGroups, TransferReplica, TransferNode, CreateDatabase, DropDatabase));
        s.add(AlterDatabase);
        return s;
    }

    private static Set<Privilege> union(Set<Privilege> a, Set<Privilege> b) {
        EnumSet<Privilege> s = EnumSet.copyOf(a);
        s.addAll(b);
        return s;
    }
}
