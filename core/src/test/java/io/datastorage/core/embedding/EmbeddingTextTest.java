package io.datastorage.core.embedding;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.FieldSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddingTextTest {

    @Test
    void joinsTheKindsFieldsInRecipeOrder() {
        Map<String, Object> record = AuditFixtures.valid(AuditKind.REMEDIATION);
        record.put("message", "raised limit to 2Gi");
        record.put("rootCause", "memory leak in cache");
        record.put("action", "increase-memory-limit");

        assertThat(EmbeddingText.of(AuditKind.REMEDIATION, record))
                .isEqualTo("PodOOMKilled\nmemory leak in cache\nincrease-memory-limit\nraised limit to 2Gi");
    }

    @Test
    void skipsAbsentAndBlankFieldsAndKeepsTextVerbatim() {
        Map<String, Object> record = AuditFixtures.valid(AuditKind.AI_ANALYSIS);
        record.put("rootCause", "  ");
        record.put("message", "<b>用户</b> '; DROP");

        assertThat(EmbeddingText.of(AuditKind.AI_ANALYSIS, record)).isEqualTo("<b>用户</b> '; DROP");
    }

    @Test
    void fallsBackToTheNameWhenNoFieldHasText() {
        assertThat(EmbeddingText.of(AuditKind.AI_ANALYSIS, AuditFixtures.valid(AuditKind.AI_ANALYSIS))).isEqualTo("rr-1");
    }

    @ParameterizedTest
    @EnumSource(AuditKind.class)
    void usesOnlyFieldsTheKindAccepts(AuditKind kind) {
        assertThat(kind.fields().stream().map(FieldSpec::name)).containsAll(EmbeddingText.fields(kind));
    }

    @ParameterizedTest
    @EnumSource(AuditKind.class)
    void isDeterministic(AuditKind kind) {
        assertThat(EmbeddingText.of(kind, AuditFixtures.valid(kind))).isEqualTo(EmbeddingText.of(kind, AuditFixtures.valid(kind)));
    }
}
