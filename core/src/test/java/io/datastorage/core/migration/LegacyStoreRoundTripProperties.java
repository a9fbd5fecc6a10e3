package io.datastorage.core.migration;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any text, number and legacy id the service accepts reads back exactly from a legacy store: the
 * property every {@link LegacyStore} keeps, run by a subclass per backend on a store it opened for
 * the container (the contract's examples are in {@link LegacyStoreContract}).
 */
public abstract class LegacyStoreRoundTripProperties {

    /** The store under test. */
    protected abstract LegacyStore store();

    @Property(tries = 200)
    void anyAcceptableTextAndNumberReadsBackExactly(@ForAll String text, @ForAll BigDecimal decimal,
                                                    @ForAll BigInteger integer, @ForAll String legacyId) {
        Assume.that(storable(text) && storable(legacyId));
        Map<String, Object> document = new LinkedHashMap<>(AuditFixtures.valid(AuditKind.WORKFLOW));
        document.put("message", text);
        document.put("decimal", decimal);
        document.put("integer", integer);
        document.put("k:" + text, "as a member name");
        LegacyRecord written = LegacyRecord.fromLegacy(legacyId + UUID.randomUUID(), AuditKind.WORKFLOW,
                Instant.parse("2026-11-20T11:00:00Z"), document);

        store().put(written);

        LegacyRecord read = store().find(AuditKind.WORKFLOW, written.id()).orElseThrow();
        assertThat(read.legacyId()).isEqualTo(written.legacyId());
        assertThat(read.document().get("message")).isEqualTo(text);
        assertThat(new BigDecimal(read.document().get("decimal").toString())).isEqualTo(decimal); // scale included
        assertThat(new BigInteger(read.document().get("integer").toString())).isEqualTo(integer);
        assertThat(read.sameContentAs(written)).isTrue();
    }

    /** What the validator accepts in a text: no NUL, no unpaired surrogate. */
    static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
