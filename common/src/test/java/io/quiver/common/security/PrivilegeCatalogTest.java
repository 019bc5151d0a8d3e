package io.quiver.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.ObjectPrivilege;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Privilege}, {@link BuiltinGroup} and {@link PrivilegeNames} against Milvus' own names and groups. */
class PrivilegeCatalogTest {
    /** Names in the SDK's enum that Milvus 2.5 never lets a client grant (2.6 additions). */
    private static final Set<String> NOT_GRANTABLE_IN_25 = Set.of("GetImportProgress", "ListImport", "AddCollectionField");

    @Test
    void everyMilvusPrivilegeNameIsKnown() {
        for (ObjectPrivilege p : ObjectPrivilege.values()) {
            if (p == ObjectPrivilege.UNRECOGNIZED) {
                continue;
            }
            String api = p.name().startsWith("PrivilegeGroup") ? p.name().substring("PrivilegeGroup".length())
                    : p.name().substring("Privilege".length());
            if (NOT_GRANTABLE_IN_25.contains(api)) {
                continue;
            }
            assertThat(PrivilegeNames.isBuiltin(api)).as(p.name()).isTrue();
        }
    }

    @Test
    void levelGroupsAreMilvus() {
        assertThat(BuiltinGroup.CollectionReadOnly.members()).containsExactlyInAnyOrder(Privilege.Query, Privilege.Search,
                Privilege.IndexDetail, Privilege.GetFlushState, Privilege.GetLoadState, Privilege.GetLoadingProgress,
                Privilege.HasPartition, Privilege.ShowPartitions, Privilege.DescribeCollection, Privilege.DescribeAlias,
                Privilege.GetStatistics, Privilege.ListAliases);
        assertThat(BuiltinGroup.CollectionReadWrite.members()).containsAll(BuiltinGroup.CollectionReadOnly.members())
                .contains(Privilege.Insert, Privilege.Delete, Privilege.Upsert, Privilege.Load).hasSize(25);
        assertThat(BuiltinGroup.CollectionAdmin.members()).hasSize(27).contains(Privilege.CreateAlias, Privilege.DropAlias);
        assertThat(BuiltinGroup.DatabaseAdmin.members()).containsExactlyInAnyOrder(Privilege.ShowCollections,
                Privilege.DescribeDatabase, Privilege.AlterDatabase, Privilege.CreateCollection, Privilege.DropCollection);
        assertThat(BuiltinGroup.ClusterReadOnly.members()).hasSize(6).contains(Privilege.SelectUser, Privilege.ListPrivilegeGroups);
        assertThat(BuiltinGroup.ClusterAdmin.members()).hasSize(24).contains(Privilege.BackupRBAC, Privilege.UpdateUser)
                .doesNotContain(Privilege.Insert, Privilege.CreateCollection);
        assertThat(BuiltinGroup.Admin.members()).contains(Privilege.AlterDatabase, Privilege.CreateCollection, Privilege.Insert);
    }

    @Test
    void expansion() {
        Map<String, Set<String>> custom = Map.of("reader", Set.of("Search", "Query", "NoSuchPrivilege"));
        assertThat(PrivilegeNames.expand("Search", RbacObject.Collection, custom)).containsExactly(Privilege.Search);
        assertThat(PrivilegeNames.expand("reader", RbacObject.Global, custom)).containsExactlyInAnyOrder(Privilege.Search, Privilege.Query);
        assertThat(PrivilegeNames.expand("*", RbacObject.Collection, custom)).isEqualTo(Privilege.of(RbacObject.Collection))
                .contains(Privilege.Insert).doesNotContain(Privilege.CreateCollection);
        assertThat(PrivilegeNames.expand("*", RbacObject.Global, custom)).contains(Privilege.CreateCollection)
                .doesNotContain(Privilege.Insert, Privilege.All);
        EnumSet<Privilege> everything = EnumSet.allOf(Privilege.class);
        everything.remove(Privilege.All);
        assertThat(PrivilegeNames.expand("All", RbacObject.Global, custom)).isEqualTo(everything);
        assertThat(PrivilegeNames.expand("DatabaseReadOnly", RbacObject.Global, custom))
                .containsExactlyInAnyOrder(Privilege.ShowCollections, Privilege.DescribeDatabase);
        assertThat(PrivilegeNames.expand("unknown", RbacObject.Global, custom)).isEmpty();
        assertThat(Privilege.Load.related()).containsExactlyInAnyOrder(Privilege.GetLoadState, Privilege.GetLoadingProgress);
        assertThat(Privilege.Flush.related()).containsExactly(Privilege.GetFlushState);
    }

    @Test
    void namesFollowMilvusRules() {
        assertThat(RbacRules.roleName(" reader_1$ ")).isEqualTo("reader_1$");
        assertThat(RbacRules.objectName("*", "object name")).isEqualTo("*");
        assertThat(RbacRules.grantDb("")).isEqualTo("default");
        assertThat(RbacRules.grantDb("*")).isEqualTo("*");
        assertThatThrownBy(() -> RbacRules.roleName("1role")).hasMessageContaining("the first character of role name must be an underscore or letter");
        assertThatThrownBy(() -> RbacRules.roleName("")).hasMessageContaining("role name should be not empty");
        assertThatThrownBy(() -> RbacRules.roleName("a-b")).hasMessageContaining("can only contain numbers, letters, dollars and underscores");
        assertThatThrownBy(() -> RbacRules.roleName("a".repeat(256))).hasMessageContaining("must be not greater than limit");
        assertThatThrownBy(() -> RbacRules.groupName("9g")).isInstanceOf(QuiverException.class)
                .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(ErrorCode.PRIVILEGE_GROUP_INVALID_NAME));
        assertThatThrownBy(() -> RbacObject.parse("Table")).hasMessageContaining("not found the object type[name: Table]");
    }
}
