package io.datastorage.server.security;

import io.datastorage.core.access.Action;
import io.datastorage.core.access.Subject;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The jwt mode's policy: each rule of the file, the default without one, and the admins list. */
class PolicyFileAccessPolicyTest {
    static final Action REMEDIATION = Action.write(AuditKind.REMEDIATION);
    static final Action WORKFLOW = Action.write(AuditKind.WORKFLOW);
    @TempDir
    Path dir;

    static Subject subject(String name, String... groups) {
        return new Subject(name, Set.of(groups));
    }

    PolicyFileAccessPolicy policy(String text) throws IOException {
        Path file = dir.resolve("policy.yaml");
        Files.writeString(file, text);
        return PolicyFileAccessPolicy.read(file, Set.of("root"));
    }

    @Test
    void withoutAFileEverySubjectWritesReadsAndSearchesAndOnlyAdminsAdminister() {
        PolicyFileAccessPolicy policy = PolicyFileAccessPolicy.withoutFile(Set.of("root"));

        for (Action action : new Action[]{REMEDIATION, WORKFLOW, Action.READ, Action.SEARCH}) {
            assertThat(policy.decide(subject("anyone"), action).allowed()).isTrue();
        }
        assertThat(policy.decide(subject("anyone"), Action.ADMIN).allowed()).isFalse();
        assertThat(policy.decide(subject("root"), Action.ADMIN).allowed()).isTrue();
    }

    @Test
    void aFileGrantsEachSubjectAndGroupExactlyItsActions() throws IOException {
        PolicyFileAccessPolicy policy = policy("""
                subjects:
                  "system:serviceaccount:apps:writer": ["write:remediation", read]
                  "system:serviceaccount:apps:all": ["write:*"]
                groups:
                  auditors: [search]
                  operators: [admin]
                """);

        assertThat(policy.decide(subject("system:serviceaccount:apps:writer"), REMEDIATION).allowed()).isTrue();
        assertThat(policy.decide(subject("system:serviceaccount:apps:writer"), WORKFLOW).allowed()).isFalse();
        assertThat(policy.decide(subject("system:serviceaccount:apps:writer"), Action.READ).allowed()).isTrue();
        assertThat(policy.decide(subject("system:serviceaccount:apps:writer"), Action.SEARCH).allowed()).isFalse();
        assertThat(policy.decide(subject("system:serviceaccount:apps:all"), WORKFLOW).allowed()).isTrue();
        assertThat(policy.decide(subject("system:serviceaccount:apps:all"), Action.READ).allowed()).isFalse();
        assertThat(policy.decide(subject("x", "auditors"), Action.SEARCH).allowed()).isTrue();
        assertThat(policy.decide(subject("x", "auditors"), Action.READ).allowed()).isFalse();
        assertThat(policy.decide(subject("x", "operators"), Action.ADMIN).allowed()).isTrue();
        assertThat(policy.decide(subject("x"), Action.READ).allowed()).isFalse();
        // The admins list holds with a file too.
        assertThat(policy.decide(subject("root"), Action.ADMIN).allowed()).isTrue();
        assertThat(policy.decide(subject("root"), Action.READ).allowed()).isFalse();
    }

    @Test
    void jsonIsAcceptedAndAnEmptyFileGrantsNothingButTheAdmins() throws IOException {
        PolicyFileAccessPolicy json = policy("{\"subjects\": {\"a\": [\"read\"]}, \"groups\": {}}");
        assertThat(json.decide(subject("a"), Action.READ).allowed()).isTrue();
        PolicyFileAccessPolicy empty = policy("");
        assertThat(empty.decide(subject("a"), Action.READ).allowed()).isFalse();
        assertThat(empty.decide(subject("root"), Action.ADMIN).allowed()).isTrue();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "subjects:\\n  a: [read]\\n  b: [delete]|line 3|must name actions",
            "subjects:\\n  a: [\"write:bogus\"]|line 2|must name actions",
            "subjects:\\n  a: read|line 2|a list of actions",
            "subject:\\n  a: [read]|line 1|the keys subjects and groups only",
            "subjects: [a, b]|line 1|must map each subject",
            "subjects:\\n  a: [read\\n  b: [read]|line 3|must be YAML or JSON",
            "- a\\n- b|line 1|must be a mapping"})
    void aMalformedFileIsRefusedNamingTheFileAndTheLine(String text, String line, String requirement) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, text.replace("\\n", "\n"));

        assertThatThrownBy(() -> PolicyFileAccessPolicy.read(file, Set.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("datastorage.auth.policy-file")
                .hasMessageContaining(file.toString())
                .hasMessageContaining(line)
                .hasMessageContaining(requirement);
    }

    @Test
    void anUnreadableFileIsRefusedNamingIt() {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> PolicyFileAccessPolicy.read(missing, Set.of()))
                .hasMessageContaining("datastorage.auth.policy-file").hasMessageContaining(missing.toString())
                .hasMessageContaining("readable");
    }
}
