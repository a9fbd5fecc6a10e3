package io.datastorage.core.migration;

import com.fasterxml.uuid.Generators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LegacyIdsTest {

    @Test
    void aUuidLegacyIdIsTheRecordsIdInAnyCase() {
        UUID id = UUID.fromString("0193a1b2-0000-7000-8000-000000000001");

        assertThat(LegacyIds.toUuid("0193a1b2-0000-7000-8000-000000000001")).isEqualTo(id);
        assertThat(LegacyIds.toUuid("0193A1B2-0000-7000-8000-000000000001")).isEqualTo(id);
    }

    @Test
    void nameBasedIdsMatchRfc9562sPublishedExample() {
        // RFC 9562, appendix A.4: version 5 of "www.example.com" in the DNS namespace
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");

        assertThat(LegacyIds.nameBased(dns, "www.example.com"))
                .isEqualTo(UUID.fromString("2ed6657d-e927-568b-95e1-2665a8aea6a2"));
    }

    @Property
    void anyOtherLegacyIdMapsToTheVersion5UuidAWellKnownLibraryComputes(@ForAll String legacyId) {
        if (legacyId.isEmpty() || LegacyIds.isUuid(legacyId)) {
            return;
        }
        UUID mapped = LegacyIds.toUuid(legacyId);

        assertThat(mapped).isEqualTo(Generators.nameBasedGenerator(LegacyIds.NAMESPACE).generate(legacyId));
        assertThat(mapped.version()).isEqualTo(5);
        assertThat(mapped.variant()).isEqualTo(2);
        assertThat(LegacyIds.toUuid(legacyId)).as("deterministic").isEqualTo(mapped);
    }

    @Test
    void aUuidWithoutDashesOrBracesIsALegacyNameNotAUuid() {
        assertThat(LegacyIds.isUuid("0193a1b2000070008000000000000001")).isFalse();
        assertThat(LegacyIds.toUuid("42")).isNotEqualTo(LegacyIds.toUuid("042"));
    }

    @Test
    void anEmptyLegacyIdIsRefused() {
        assertThatThrownBy(() -> LegacyIds.toUuid("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRecordRefusesALegacyIdThatDoesNotMapToItsId() {
        assertThatThrownBy(() -> new LegacyRecord(UUID.randomUUID(), io.datastorage.core.audit.AuditKind.WORKFLOW,
                LegacyStoreContract.T0, java.util.Map.of(), "evt-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evt-1");
    }
}
