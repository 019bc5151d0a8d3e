package io.quiver.rootcoord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.grpc.RBACMeta;
import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import io.quiver.common.security.Grant;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacRules;
import io.quiver.proto.CredentialInfo;
import io.quiver.storage.LocalMetaKv;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rootcoord RBAC store: roles, bindings, grants (v1 and v2), privilege groups, backup and restore. */
class RbacTableTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));

    @TempDir
    Path tmp;
    private LocalMetaKv kv;
    private CredentialTable users;
    private RbacTable table;
    private RbacGrants grants;
    private RbacGroups groups;
    private RbacBackups backups;

    @BeforeEach
    void setUp() {
        kv = new LocalMetaKv(tmp.resolve("kv"));
        open();
    }

    private void open() {
        users = new CredentialTable(kv, "c/meta", CLOCK, () -> "root-hash");
        table = new RbacTable(kv, "c/meta", CLOCK, users);
        grants = new RbacGrants(table);
        groups = new RbacGroups(table);
        backups = new RbacBackups(table, users, CLOCK);
    }

    @AfterEach
    void tearDown() {
        kv.close();
    }

    private void user(String name) {
        users.create(CredentialInfo.newBuilder().setUsername(name).setEncryptedPassword("h-" + name).build());
    }

    private static void fails(Runnable r, ErrorCode code, String reason) {
        assertThatThrownBy(r::run).isInstanceOf(QuiverException.class).hasMessageContaining(reason)
                .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(code));
    }

    private void v1(String role, String object, String name, String privilege) {
        grants.operate(RbacGrants.Operation.GRANT, new RbacGrants.V1(role, object, name, "", privilege, "root"));
    }

    private void v2(RbacGrants.Operation op, String role, String privilege, String db, String collection) {
        grants.operate(op, new RbacGrants.V2(role, privilege, db, collection, "root"));
    }

    @Test
    void builtinRolesAndPublicDefaultsExistOnceAndSurviveARestart() {
        assertThat(table.selectRoles(Optional.empty(), false)).extracting(RbacTable.RoleView::role).containsExactly("admin", "public");
        assertThat(grants.select("public", Optional.empty(), Optional.empty(), "*")).extracting(Grant::privilege)
                .containsExactly("DescribeCollection", "ListAliases", "IndexDetail");
        table.createRole("reader");
        open();
        assertThat(table.selectRoles(Optional.empty(), false)).extracting(RbacTable.RoleView::role).containsExactly("admin", "public", "reader");
    }

    @Test
    void rolesAndBindings() {
        user("alice");
        table.createRole("reader");
        fails(() -> table.createRole("reader"), ErrorCode.PARAMETER_INVALID, "role [reader] already exists");
        table.operateUserRole("alice", "reader", true);
        table.operateUserRole("alice", "reader", true); // binding twice succeeds
        fails(() -> table.operateUserRole("nobody", "reader", true), ErrorCode.PARAMETER_INVALID, "not found the user");
        fails(() -> table.operateUserRole("alice", "nothing", true), ErrorCode.PARAMETER_INVALID, "not found the role");
        assertThat(table.selectUsers(Optional.of("alice"), true)).containsExactly(new RbacTable.UserView("alice", List.of("reader")));
        assertThat(table.selectUsers(Optional.of("nobody"), true)).isEmpty();
        assertThat(table.selectRoles(Optional.of("reader"), true)).containsExactly(new RbacTable.RoleView("reader", List.of("alice")));
        assertThat(table.selectRoles(Optional.of("nothing"), true)).isEmpty();
        table.operateUserRole("alice", "reader", false);
        assertThat(table.selectUsers(Optional.of("alice"), true).getFirst().roles()).isEmpty();
        for (int i = 3; i < RbacRules.MAX_ROLES; i++) {
            table.createRole("r" + i);
        }
        fails(() -> table.createRole("one_more"), ErrorCode.SERVICE_QUOTA_EXCEEDED, "number of roles has reached the limit");
    }

    @Test
    void droppingRolesAsMilvus() {
        user("alice");
        table.createRole("reader");
        table.operateUserRole("alice", "reader", true);
        v1("reader", "Collection", "c1", "Search");
        fails(() -> table.dropRole("admin", false), ErrorCode.PRIVILEGE_NOT_PERMITTED, "the role[admin] is a default role, which can't be dropped");
        fails(() -> table.dropRole("public", true), ErrorCode.PRIVILEGE_NOT_PERMITTED, "default role");
        fails(() -> table.dropRole("nothing", false), ErrorCode.PARAMETER_INVALID, "not found the role");
        fails(() -> table.dropRole("reader", false), ErrorCode.PARAMETER_INVALID,
                "fail to drop the role that it has privileges. Use REVOKE API to revoke privileges");
        assertThat(table.state().hasRole("reader")).isTrue(); // a refused drop changes nothing
        table.dropRole("reader", true);
        assertThat(table.state().hasRole("reader")).isFalse();
        assertThat(table.state().grantsOf("reader")).isEmpty();
        assertThat(table.state().rolesOf("alice")).isEmpty();
    }

    @Test
    void deletingAUserDropsItsBindingsInTheSameTransaction() {
        user("alice");
        table.createRole("reader");
        table.operateUserRole("alice", "reader", true);
        table.deleteUser("alice");
        assertThat(users.get("alice")).isEmpty();
        user("alice"); // a new user of the same name inherits nothing
        assertThat(table.state().rolesOf("alice")).isEmpty();
        fails(() -> table.deleteUser("root"), ErrorCode.PRIVILEGE_NOT_PERMITTED, "root user cannot be deleted");
        table.deleteUser("nobody"); // deleting an absent user succeeds, as in Milvus 2.5
    }

    @Test
    void v1GrantsFollowMilvus() {
        table.createRole("r");
        v1("r", "Collection", "c1", "Load");
        assertThat(table.state().grantsOf("r")).extracting(Grant::privilege).containsExactlyInAnyOrder("Load", "GetLoadState", "GetLoadingProgress");
        v1("r", "Global", "anything", "CreateCollection");
        assertThat(table.state().grantsOf("r").getLast()).isEqualTo(new Grant("r", RbacObject.Global, "default", "*", "CreateCollection", "root"));
        v1("r", "Collection", "c1", "ReadOnly"); // a legacy group on its object type
        v1("r", "Global", "*", "Admin");
        v1("r", "Collection", "*", "*");
        fails(() -> v1("r", "Global", "*", "Search"), ErrorCode.PARAMETER_INVALID, "not found the privilege name[Search] in object[Global]");
        fails(() -> v1("r", "Collection", "c1", "CollectionReadOnly"), ErrorCode.PARAMETER_INVALID,
                "can not operate the built-in privilege group [CollectionReadOnly]");
        groups.create("mine");
        fails(() -> v1("r", "Collection", "c1", "mine"), ErrorCode.PARAMETER_INVALID, "can not operate the custom privilege group [mine]");
        fails(() -> v1("r", "Table", "c1", "Search"), ErrorCode.PARAMETER_INVALID, "not found the object type");
        fails(() -> v1("nobody", "Collection", "c1", "Search"), ErrorCode.PARAMETER_INVALID, "not found the role");
        grants.operate(RbacGrants.Operation.REVOKE, new RbacGrants.V1("r", "Collection", "c1", "", "Load", "root"));
        assertThat(table.state().grantsOf("r")).extracting(Grant::privilege).doesNotContain("Load", "GetLoadState");
        grants.operate(RbacGrants.Operation.REVOKE, new RbacGrants.V1("r", "Collection", "c9", "", "Query", "root")); // not granted: fine
    }

    @Test
    void v2GrantsFollowMilvus() {
        table.createRole("r");
        v2(RbacGrants.Operation.GRANT, "r", "CollectionReadOnly", "db1", "c1");
        v2(RbacGrants.Operation.GRANT, "r", "DatabaseReadWrite", "db1", "*");
        v2(RbacGrants.Operation.GRANT, "r", "ClusterReadOnly", "*", "*");
        v2(RbacGrants.Operation.GRANT, "r", "Insert", "", "c1");
        assertThat(table.state().grantsOf("r")).contains(new Grant("r", RbacObject.Global, "db1", "c1", "CollectionReadOnly", "root"),
                new Grant("r", RbacObject.Collection, "default", "c1", "Insert", "root"));
        fails(() -> v2(RbacGrants.Operation.GRANT, "r", "ClusterAdmin", "db1", "*"), ErrorCode.PARAMETER_INVALID,
                "dbName and collectionName should be * for the cluster level privilege: ClusterAdmin");
        fails(() -> v2(RbacGrants.Operation.GRANT, "r", "DatabaseAdmin", "db1", "c1"), ErrorCode.PARAMETER_INVALID,
                "collectionName should be * for the database level privilege");
        fails(() -> v2(RbacGrants.Operation.GRANT, "r", "CollectionAdmin", "*", "c1"), ErrorCode.PARAMETER_INVALID,
                "please specify database name for the collection level privilege");
        fails(() -> v2(RbacGrants.Operation.GRANT, "r", "Nothing", "db1", "c1"), ErrorCode.PARAMETER_INVALID, "not found the privilege name[Nothing]");
        fails(() -> v2(RbacGrants.Operation.GRANT, "r", "Search", "db1", ""), ErrorCode.PARAMETER_INVALID, "collection name should be not empty");
        assertThat(grants.select("r", Optional.empty(), Optional.empty(), "db1")).extracting(Grant::privilege)
                .containsExactly("CollectionReadOnly", "DatabaseReadWrite", "ClusterReadOnly");
        assertThat(grants.select("r", Optional.of("Collection"), Optional.of("c1"), "default")).extracting(Grant::privilege).containsExactly("Insert");
        v2(RbacGrants.Operation.REVOKE, "r", "CollectionReadOnly", "db1", "c1");
        assertThat(grants.select("r", Optional.empty(), Optional.empty(), "*")).hasSize(3);
        fails(() -> grants.select("nobody", Optional.empty(), Optional.empty(), ""), ErrorCode.PARAMETER_INVALID, "not found the role");
    }

    @Test
    void privilegeGroups() {
        table.createRole("r");
        groups.create("readers");
        fails(() -> groups.create("readers"), ErrorCode.PARAMETER_INVALID, "privilege group name [readers] is defined by users");
        fails(() -> groups.create("Search"), ErrorCode.PARAMETER_INVALID, "is defined by built in privileges or privilege groups");
        fails(() -> groups.create("ClusterAdmin"), ErrorCode.PARAMETER_INVALID, "is defined by built in privileges");
        groups.operate("readers", List.of("Search", "Query"), true);
        groups.operate("readers", List.of("DatabaseReadOnly"), true); // a group's members join
        groups.operate("readers", List.of("Query"), false);
        assertThat(groups.list().getFirst()).isEqualTo(new RbacGroups.GroupView("readers", List.of("DescribeDatabase", "Search", "ShowCollections")));
        assertThat(groups.list()).extracting(RbacGroups.GroupView::name).containsExactly("readers", "CollectionReadOnly",
                "CollectionReadWrite", "CollectionAdmin", "DatabaseReadOnly", "DatabaseReadWrite", "DatabaseAdmin",
                "ClusterReadOnly", "ClusterReadWrite", "ClusterAdmin");
        fails(() -> groups.operate("readers", List.of("Nothing"), true), ErrorCode.PARAMETER_INVALID,
                "there is no privilege name or privilege group name [Nothing] defined in system to operate");
        fails(() -> groups.operate("ClusterAdmin", List.of("Search"), true), ErrorCode.PARAMETER_INVALID, "defined by built in privilege groups");
        fails(() -> groups.operate("absent", List.of("Search"), true), ErrorCode.PARAMETER_INVALID, "there is no privilege group name [absent]");
        v2(RbacGrants.Operation.GRANT, "r", "readers", "default", "c1");
        fails(() -> groups.drop("readers"), ErrorCode.PARAMETER_INVALID,
                "privilege group [readers] is used by role [r], Use REVOKE API to revoke it first");
        v2(RbacGrants.Operation.REVOKE, "r", "readers", "default", "c1");
        groups.drop("readers");
        groups.drop("readers"); // dropping an unknown group succeeds
        assertThat(groups.list()).hasSize(9);
    }

    @Test
    void backupThenRestoreElsewhere() {
        user("alice");
        table.createRole("reader");
        table.operateUserRole("alice", "reader", true);
        groups.create("g");
        groups.operate("g", List.of("Search"), true);
        v2(RbacGrants.Operation.GRANT, "reader", "g", "default", "c1");
        RBACMeta meta = backups.backup();
        assertThat(meta.getUsersList()).singleElement().satisfies(u -> {
            assertThat(u.getUser()).isEqualTo("alice");
            assertThat(u.getPassword()).isEqualTo("h-alice");
        });
        assertThat(meta.getRolesList()).extracting(r -> r.getName()).containsExactly("reader");
        fails(() -> backups.restore(meta), ErrorCode.PARAMETER_INVALID, "role [reader] already exists");

        LocalMetaKv other = new LocalMetaKv(tmp.resolve("other"));
        try (other) {
            CredentialTable otherUsers = new CredentialTable(other, "c/meta", CLOCK, () -> "root-hash");
            RbacTable otherTable = new RbacTable(other, "c/meta", CLOCK, otherUsers);
            RbacBackups otherBackups = new RbacBackups(otherTable, otherUsers, CLOCK);
            otherUsers.create(CredentialInfo.newBuilder().setUsername("alice").setEncryptedPassword("x").build());
            fails(() -> otherBackups.restore(meta), ErrorCode.PARAMETER_INVALID, "user [alice] already exists");
            assertThat(otherTable.state().hasRole("reader")).isFalse(); // a refused restore changes nothing
            new RbacTable(other, "c/meta", CLOCK, otherUsers).deleteUser("alice");
            otherBackups.restore(meta);
            assertThat(otherUsers.get("alice").orElseThrow().getEncryptedPassword()).isEqualTo("h-alice");
            assertThat(otherTable.state().rolesOf("alice")).containsExactly("reader");
            assertThat(otherTable.state().grantsOf("reader")).singleElement().extracting(Grant::privilege).isEqualTo("g");
            assertThat(otherTable.state().groups().get("g")).containsExactly("Search");
        }
    }
}
