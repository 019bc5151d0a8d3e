package io.quiver.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.proto.RbacDocument;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RbacStateTest {
    private static Grant grant(String role, String privilege) {
        return new Grant(role, RbacObject.Collection, "default", "c1", privilege, "root");
    }

    @Test
    void roundTripsThroughTheDocument() {
        RbacState s = RbacState.EMPTY.withRole("admin", 1).withRole("reader", 2).withBinding("alice", "reader")
                .withGrant(grant("reader", "Search")).withGroup("g", Set.of("Query", "Search"));
        RbacState back = RbacState.parse(s.toBytes());
        assertThat(back).isEqualTo(s);
        assertThat(back.rolesOf("alice")).containsExactly("reader");
        assertThat(back.groups().get("g")).containsExactly("Query", "Search");
    }

    @Test
    void refusesAnUnknownFormat() {
        byte[] future = RbacDocument.newBuilder().setFormat(2).build().toByteArray();
        assertThatThrownBy(() -> RbacState.parse(future)).hasMessageContaining("format 2 is not supported");
        assertThatThrownBy(() -> RbacState.parse(new byte[] {(byte) 0xff, 1})).hasMessageContaining("corrupt RBAC document");
    }

    @Test
    void edits() {
        RbacState s = RbacState.EMPTY.withRole("reader", 1).withRole("writer", 1).withBinding("alice", "reader")
                .withBinding("alice", "writer").withBinding("bob", "reader").withGrant(grant("reader", "Search"));
        assertThat(s.withGrant(new Grant("reader", RbacObject.Collection, "default", "c1", "Search", "other"))).isSameAs(s);
        assertThat(s.withGrant(grant("reader", "Query")).grantsOf("reader")).hasSize(2);
        assertThat(s.withoutGrant(grant("reader", "Search")).grants()).isEmpty();
        RbacState dropped = s.withoutRole("reader");
        assertThat(dropped.hasRole("reader")).isFalse();
        assertThat(dropped.grants()).isEmpty();
        assertThat(dropped.rolesOf("alice")).containsExactly("writer");
        assertThat(dropped.userRoles()).doesNotContainKey("bob");
        assertThat(s.withoutBinding("bob", "reader").userRoles()).doesNotContainKey("bob");
        assertThat(s.withoutUser("alice").rolesOf("alice")).isEmpty();
        assertThat(s.rolesOf("alice")).containsExactly("reader", "writer"); // the original is untouched
    }
}
