package io.quiver.common.security;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Milvus 2.5's single privileges with the object type each belongs to ({@code pkg/util/constant.go},
 * {@code ObjectPrivileges}). The constants are spelled as the API spells them ({@code Search}, {@code CreateIndex})
 * because clients send and read back exactly these names. {@link #All} is Milvus' "every privilege" privilege
 * (a Global one); {@code *} is not a constant (see {@link PrivilegeNames}).
 */
public enum Privilege {
    // Collection
    Load(RbacObject.Collection), Release(RbacObject.Collection), Compaction(RbacObject.Collection),
    Insert(RbacObject.Collection), Delete(RbacObject.Collection), Upsert(RbacObject.Collection),
    GetStatistics(RbacObject.Collection), CreateIndex(RbacObject.Collection), IndexDetail(RbacObject.Collection),
    DropIndex(RbacObject.Collection), Search(RbacObject.Collection), Flush(RbacObject.Collection),
    Query(RbacObject.Collection), LoadBalance(RbacObject.Collection), Import(RbacObject.Collection),
    GetLoadingProgress(RbacObject.Collection), GetLoadState(RbacObject.Collection),
    CreatePartition(RbacObject.Collection), DropPartition(RbacObject.Collection), ShowPartitions(RbacObject.Collection),
    HasPartition(RbacObject.Collection), GetFlushState(RbacObject.Collection),
    // Global
    All(RbacObject.Global), CreateCollection(RbacObject.Global), DropCollection(RbacObject.Global),
    DescribeCollection(RbacObject.Global), ShowCollections(RbacObject.Global), RenameCollection(RbacObject.Global),
    CreateOwnership(RbacObject.Global), DropOwnership(RbacObject.Global), SelectOwnership(RbacObject.Global),
    ManageOwnership(RbacObject.Global), BackupRBAC(RbacObject.Global), RestoreRBAC(RbacObject.Global),
    CreateResourceGroup(RbacObject.Global), UpdateResourceGroups(RbacObject.Global), DropResourceGroup(RbacObject.Global),
    DescribeResourceGroup(RbacObject.Global), ListResourceGroups(RbacObject.Global), TransferReplica(RbacObject.Global),
    TransferNode(RbacObject.Global), FlushAll(RbacObject.Global), CreateDatabase(RbacObject.Global),
    DropDatabase(RbacObject.Global), ListDatabases(RbacObject.Global), AlterDatabase(RbacObject.Global),
    DescribeDatabase(RbacObject.Global), CreateAlias(RbacObject.Global), DropAlias(RbacObject.Global),
    DescribeAlias(RbacObject.Global), ListAliases(RbacObject.Global), CreatePrivilegeGroup(RbacObject.Global),
    DropPrivilegeGroup(RbacObject.Global), ListPrivilegeGroups(RbacObject.Global), OperatePrivilegeGroup(RbacObject.Global),
    // User
    UpdateUser(RbacObject.User), SelectUser(RbacObject.User);

    private final RbacObject object;

    Privilege(RbacObject object) {
        this.object = object;
    }

    public RbacObject object() {
        return object;
    }

    /** The privilege with this API name ({@code Search}, not {@code PrivilegeSearch}). */
    public static Optional<Privilege> byName(String name) {
        return Arrays.stream(values()).filter(p -> p.name().equals(name)).findFirst();
    }

    /** Every privilege of one object type except {@link #All}: what {@code *} grants on that type. */
    public static Set<Privilege> of(RbacObject object) {
        EnumSet<Privilege> s = EnumSet.noneOf(Privilege.class);
        for (Privilege p : values()) {
            if (p.object == object && p != All) {
                s.add(p);
            }
        }
        return s;
    }

    /** Granting or revoking this privilege also grants or revokes these (Milvus' {@code RelatedPrivileges}). */
    public Set<Privilege> related() {
        return switch (this) {
            case Load -> EnumSet.of(GetLoadState, GetLoadingProgress);
            case Flush -> EnumSet.of(GetFlushState);
            default -> EnumSet.noneOf(Privilege.class);
        };
    }
}
