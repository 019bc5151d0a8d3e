package io.quiver.proxy.security;

import io.quiver.common.security.Privilege;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What every public {@code MilvusService} RPC needs, by bare method name. The checked entries are Milvus 2.5's table
 * (the {@code privilege_ext_obj} option of each request message in {@code milvus.proto}, which
 * {@code internal/proxy/privilege_interceptor.go} reads): the privilege, whose object type is the one Milvus names,
 * and the request field naming the object ({@code null}: the object is {@code *}). A unit test compares every entry
 * with those options and fails when an RPC of the service descriptor has no entry here.
 *
 * <p>Where Milvus checks nothing, each entry says why it is open, filtered or stricter than Milvus:
 * {@code HasCollection} needs {@code DescribeCollection} (which {@code public} holds by default);
 * {@code GetPartitionStatistics}, {@code GetPersistentSegmentInfo} and {@code GetQuerySegmentInfo} need
 * {@code GetStatistics} and {@code GetReplicas} {@code GetLoadState} on the collection they describe; RPCs that read
 * or write below the collection level without naming one ({@code ReplicateMessage}, {@code CalcDistance}, segment
 * index internals) are for {@code root} and {@code admin} only.
 */
public final class PrivilegeTable {
    /** What one RPC needs. */
    public sealed interface Rule {
        /** The privilege on the object named by {@code nameField} ({@code null}: {@code *}). */
        record Check(Privilege privilege, String nameField) implements Rule {}

        /** The privilege on every collection named in the repeated {@code namesField} (at least one). */
        record Each(Privilege privilege, String namesField) implements Rule {}

        /** Any authenticated user. */
        record Open(String why) implements Rule {}

        /** Any authenticated user; the response lists only what the caller's grants name (Milvus' filter). */
        record Filtered(String why) implements Rule {}

        /** Only {@code root} and users holding the {@code admin} role. */
        record AdminOnly(String why) implements Rule {}
    }

    private static final Map<String, Rule> RULES = rules();

    private PrivilegeTable() {}

    public static Optional<Rule> rule(String method) {
        return Optional.ofNullable(RULES.get(method));
    }

    static Map<String, Rule> all() {
        return RULES;
    }

    private static Rule check(Privilege p) {
        return new Rule.Check(p, null);
    }

    private static Rule check(Privilege p, String field) {
        return new Rule.Check(p, field);
    }

    private static Map<String, Rule> rules() {
        Map<String, Rule> m = new TreeMap<>();
        // Milvus' table: Global objects (always "*")
        m.put("CreateCollection", check(Privilege.CreateCollection));
        m.put("DropCollection", check(Privilege.DropCollection));
        m.put("DescribeCollection", check(Privilege.DescribeCollection));
        m.put("AlterCollection", check(Privilege.CreateCollection));
        m.put("AlterCollectionField", check(Privilege.CreateCollection));
        m.put("RenameCollection", check(Privilege.RenameCollection));
        m.put("CreateAlias", check(Privilege.CreateAlias));
        m.put("DropAlias", check(Privilege.DropAlias));
        m.put("AlterAlias", check(Privilege.CreateAlias));
        m.put("DescribeAlias", check(Privilege.DescribeAlias));
        m.put("ListAliases", check(Privilege.ListAliases));
        m.put("FlushAll", check(Privilege.FlushAll));
        m.put("CreateCredential", check(Privilege.CreateOwnership));
        m.put("DeleteCredential", check(Privilege.DropOwnership));
        m.put("ListCredUsers", check(Privilege.SelectOwnership));
        m.put("CreateRole", check(Privilege.CreateOwnership));
        m.put("DropRole", check(Privilege.DropOwnership));
        m.put("OperateUserRole", check(Privilege.ManageOwnership));
        m.put("SelectRole", check(Privilege.SelectOwnership));
        m.put("OperatePrivilege", check(Privilege.ManageOwnership));
        m.put("OperatePrivilegeV2", check(Privilege.ManageOwnership));
        m.put("SelectGrant", check(Privilege.SelectOwnership));
        m.put("CreateResourceGroup", check(Privilege.CreateResourceGroup));
        m.put("DropResourceGroup", check(Privilege.DropResourceGroup));
        m.put("UpdateResourceGroups", check(Privilege.UpdateResourceGroups));
        m.put("TransferNode", check(Privilege.TransferNode));
        m.put("TransferReplica", check(Privilege.TransferReplica));
        m.put("ListResourceGroups", check(Privilege.ListResourceGroups));
        m.put("DescribeResourceGroup", check(Privilege.DescribeResourceGroup));
        m.put("CreateDatabase", check(Privilege.CreateDatabase));
        m.put("DropDatabase", check(Privilege.DropDatabase));
        m.put("AlterDatabase", check(Privilege.AlterDatabase));
        m.put("DescribeDatabase", check(Privilege.DescribeDatabase));
        m.put("BackupRBAC", check(Privilege.BackupRBAC));
        m.put("RestoreRBAC", check(Privilege.RestoreRBAC));
        m.put("CreatePrivilegeGroup", check(Privilege.CreatePrivilegeGroup));
        m.put("DropPrivilegeGroup", check(Privilege.DropPrivilegeGroup));
        m.put("ListPrivilegeGroups", check(Privilege.ListPrivilegeGroups));
        m.put("OperatePrivilegeGroup", check(Privilege.OperatePrivilegeGroup));
        // Milvus' table: Collection objects
        m.put("LoadCollection", check(Privilege.Load, "collection_name"));
        m.put("LoadPartitions", check(Privilege.Load, "collection_name"));
        m.put("ReleaseCollection", check(Privilege.Release, "collection_name"));
        m.put("ReleasePartitions", check(Privilege.Release, "collection_name"));
        m.put("GetCollectionStatistics", check(Privilege.GetStatistics, "collection_name"));
        m.put("CreatePartition", check(Privilege.CreatePartition, "collection_name"));
        m.put("DropPartition", check(Privilege.DropPartition, "collection_name"));
        m.put("HasPartition", check(Privilege.HasPartition, "collection_name"));
        m.put("ShowPartitions", check(Privilege.ShowPartitions, "collection_name"));
        m.put("GetLoadingProgress", check(Privilege.GetLoadState, "collection_name"));
        m.put("GetLoadState", check(Privilege.GetLoadState, "collection_name"));
        m.put("CreateIndex", check(Privilege.CreateIndex, "collection_name"));
        m.put("AlterIndex", check(Privilege.CreateIndex, "collection_name"));
        m.put("DescribeIndex", check(Privilege.IndexDetail, "collection_name"));
        m.put("GetIndexStatistics", check(Privilege.IndexDetail, "collection_name"));
        m.put("GetIndexState", check(Privilege.IndexDetail, "collection_name"));
        m.put("GetIndexBuildProgress", check(Privilege.IndexDetail, "collection_name"));
        m.put("DropIndex", check(Privilege.DropIndex, "collection_name"));
        m.put("Insert", check(Privilege.Insert, "collection_name"));
        m.put("Delete", check(Privilege.Delete, "collection_name"));
        m.put("Upsert", check(Privilege.Upsert, "collection_name"));
        m.put("Search", check(Privilege.Search, "collection_name"));
        m.put("HybridSearch", check(Privilege.Search, "collection_name"));
        m.put("Query", check(Privilege.Query, "collection_name"));
        m.put("Flush", new Rule.Each(Privilege.Flush, "collection_names"));
        m.put("GetFlushState", check(Privilege.GetFlushState, "collection_name"));
        m.put("LoadBalance", check(Privilege.LoadBalance, "collectionName"));
        m.put("ManualCompaction", check(Privilege.Compaction, "collection_name"));
        m.put("Import", check(Privilege.Import, "collection_name"));
        // Milvus' table: User objects (a user may always read and change itself)
        m.put("UpdateCredential", check(Privilege.UpdateUser, "username"));
        m.put("SelectUser", check(Privilege.SelectUser, "user"));
        // unchecked in Milvus: stricter here
        m.put("HasCollection", check(Privilege.DescribeCollection));
        m.put("GetPartitionStatistics", check(Privilege.GetStatistics, "collection_name"));
        m.put("GetPersistentSegmentInfo", check(Privilege.GetStatistics, "collectionName"));
        m.put("GetQuerySegmentInfo", check(Privilege.GetStatistics, "collectionName"));
        m.put("GetReplicas", check(Privilege.GetLoadState, "collection_name"));
        m.put("ReplicateMessage", new Rule.AdminOnly("writes replicated messages into any channel"));
        m.put("CalcDistance", new Rule.AdminOnly("reads vectors of any collection by id"));
        m.put("ListIndexedSegment", new Rule.AdminOnly("segment index internals of any collection"));
        m.put("DescribeSegmentIndexData", new Rule.AdminOnly("segment index internals of any collection"));
        // unchecked in Milvus, and here
        m.put("ShowCollections", new Rule.Filtered("lists only the collections the caller's grants name"));
        m.put("ListDatabases", new Rule.Filtered("lists only the databases the caller's grants name"));
        m.put("Connect", new Rule.Open("the SDKs' handshake"));
        m.put("GetVersion", new Rule.Open("server version"));
        m.put("CheckHealth", new Rule.Open("health"));
        m.put("GetComponentStates", new Rule.Open("health"));
        m.put("GetMetrics", new Rule.Open("cluster metrics, as on the metrics port"));
        m.put("AllocTimestamp", new Rule.Open("a timestamp"));
        m.put("RunAnalyzer", new Rule.Open("tokenizes the caller's own text"));
        m.put("GetCompactionState", new Rule.Open("state of a compaction by id"));
        m.put("GetCompactionStateWithPlans", new Rule.Open("state of a compaction by id"));
        m.put("GetFlushAllState", new Rule.Open("state of a flush by timestamp"));
        m.put("GetImportState", new Rule.Open("state of an import by id"));
        m.put("ListImportTasks", new Rule.Open("import task states"));
        m.put("Dummy", new Rule.Open("no operation"));
        m.put("RegisterLink", new Rule.Open("liveness"));
        return m;
    }
}
