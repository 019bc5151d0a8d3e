package io.quiver.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.common.error.ErrorCode;
import io.quiver.common.error.QuiverException;
import org.junit.jupiter.api.Test;

class CredentialRulesTest {

    @Test
    void usernamesFollowMilvus() {
        assertThat(CredentialRules.username("  alice_01 ")).isEqualTo("alice_01");
        assertThat(CredentialRules.username("A" + "b".repeat(31))).hasSize(32);
        refused(() -> CredentialRules.username(""), "not empty");
        refused(() -> CredentialRules.username("   "), "not empty");
        refused(() -> CredentialRules.username("a".repeat(33)), "length");
        refused(() -> CredentialRules.username("1abc"), "first character must be a letter");
        refused(() -> CredentialRules.username("_abc"), "first character must be a letter");
        refused(() -> CredentialRules.username("ab-c"), "numbers, letters, and underscores");
        refused(() -> CredentialRules.username("ab c"), "numbers, letters, and underscores");
    }

    @Test
    void passwordsAreSixToSeventyTwoCharacters() {
        assertThat(CredentialRules.password("123456")).isEqualTo("123456");
        assertThat(CredentialRules.password("x".repeat(72))).hasSize(72);
        refused(() -> CredentialRules.password("12345"), "between 6 and 72");
        refused(() -> CredentialRules.password("x".repeat(73)), "between 6 and 72");
        refused(() -> CredentialRules.password(null), "between 6 and 72");
    }

    @Test
    void reasonNeverContainsThePassword() {
        assertThatThrownBy(() -> CredentialRules.password("s3cr")).hasMessageNotContaining("s3cr");
    }

    private static void refused(Runnable r, String reason) {
        assertThatThrownBy(r::run).isInstanceOf(QuiverException.class).hasMessageContaining(reason)
                .satisfies(e -> assertThat(((QuiverException) e).errorCode()).isEqualTo(ErrorCode.PARAMETER_INVALID));
    }
}
