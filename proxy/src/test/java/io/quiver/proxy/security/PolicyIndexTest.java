package io.quiver.proxy.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.common.security.Grant;
import io.quiver.common.security.Privilege;
import io.quiver.common.security.RbacObject;
import io.quiver.common.security.RbacState;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Wildcards, groups and database scope, as the compiled policy resolves them. */
class PolicyIndexTest {
    private static final Set<String> R = Set.of("r", "public");

    private static PolicyIndex policy(Grant... grants) {
        RbacState s = RbacState.EMPTY.withRole("r", 0).withGroup("mine", Set.of("Query", "Insert"));
        for (Grant g : grants) {
            s = s.withGrant(g);
        }
        return PolicyIndex.of(s);
    }

    private static Grant grant(RbacObject object, String db, String name, String privilege) {
        return new Grant("r", object, db, name, privilege, "root");
    }

    @Test
    void singleCollectionPrivilege() {
        PolicyIndex p = policy(grant(RbacObject.Collection, "default", "c1", "Search"));
        assertThat(p.permits(R, Privilege.Search, "default", "c1")).isTrue();
        assertThat(p.permits(R, Privilege.Search, "default", "c2")).isFalse();
        assertThat(p.permits(R, Privilege.Search, "db2", "c1")).isFalse();
        assertThat(p.permits(R, Privilege.Query, "default", "c1")).isFalse();
        assertThat(p.permits(R, Privilege.Search, "default", "*")).isFalse(); // a grant on c1 does not cover "any"
        assertThat(p.permits(Set.of("public"), Privilege.Search, "default", "c1")).isFalse();
    }

    @Test
    void wildcards() {
        PolicyIndex p = policy(grant(RbacObject.Collection, "*", "c1", "Query"), grant(RbacObject.Collection, "db2", "*", "*"));
        assertThat(p.permits(R, Privilege.Query, "any_db", "c1")).isTrue();
        assertThat(p.permits(R, Privilege.Insert, "db2", "whatever")).isTrue();
        assertThat(p.permits(R, Privilege.Insert, "default", "whatever")).isFalse();
        assertThat(p.permits(R, Privilege.CreateCollection, "db2", "*")).isFalse(); // "*" on Collection: Collection privileges only
    }

    @Test
    void groupsAndTheirMembersScopes() {
        PolicyIndex p = policy(grant(RbacObject.Global, "default", "c1", "CollectionReadOnly"),
                grant(RbacObject.Global, "db3", "*", "DatabaseAdmin"), grant(RbacObject.Global, "*", "*", "ClusterReadOnly"),
                grant(RbacObject.Global, "db4", "c4", "mine"));
        assertThat(p.permits(R, Privilege.Search, "default", "c1")).isTrue();
        assertThat(p.permits(R, Privilege.Search, "default", "c2")).isFalse();
        assertThat(p.permits(R, Privilege.DescribeCollection, "default", "*")).isTrue(); // Global members cover the database
        assertThat(p.permits(R, Privilege.Insert, "default", "c1")).isFalse();
        assertThat(p.permits(R, Privilege.CreateCollection, "db3", "*")).isTrue();
        assertThat(p.permits(R, Privilege.CreateCollection, "default", "*")).isFalse();
        assertThat(p.permits(R, Privilege.ListDatabases, "any", "*")).isTrue();
        assertThat(p.permits(R, Privilege.SelectUser, "default", "bob")).isTrue();
        assertThat(p.permits(R, Privilege.Insert, "db4", "c4")).isTrue();
        assertThat(p.permits(R, Privilege.Search, "db4", "c4")).isFalse();
    }

    @Test
    void allAndAdmin() {
        PolicyIndex p = policy(grant(RbacObject.Global, "db5", "*", "All"));
        assertThat(p.permits(R, Privilege.Insert, "db5", "any")).isTrue();
        assertThat(p.permits(R, Privilege.DropDatabase, "db5", "*")).isTrue();
        assertThat(p.permits(R, Privilege.Insert, "default", "any")).isFalse();
        assertThat(p.permits(Set.of("admin"), Privilege.RestoreRBAC, "x", "*")).isTrue();
    }

    @Test
    void userObjectsKeepTheirName() {
        PolicyIndex p = policy(grant(RbacObject.User, "default", "bob", "UpdateUser"));
        assertThat(p.permits(R, Privilege.UpdateUser, "default", "bob")).isTrue();
        assertThat(p.permits(R, Privilege.UpdateUser, "default", "carol")).isFalse();
    }

    @Test
    void visibility() {
        PolicyIndex p = policy(grant(RbacObject.Global, "default", "c1", "CollectionReadOnly"), grant(RbacObject.Collection, "db2", "c2", "Query"));
        assertThat(p.visibleCollections(R, "default")).contains(Set.of("c1"));
        assertThat(p.visibleCollections(R, "db2")).contains(Set.of("c2"));
        assertThat(p.visibleDatabases(R)).contains(Set.of("default", "db2"));
        assertThat(p.visibleCollections(Set.of("public"), "default")).contains(Set.of()); // public's defaults show nothing
        assertThat(policy(grant(RbacObject.Collection, "default", "*", "Query")).visibleCollections(R, "default")).isEqualTo(Optional.empty());
        assertThat(p.visibleCollections(Set.of("admin"), "default")).isEmpty();
    }
}
