package io.datastorage.core.audit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever the input, the validator either accepts it or throws {@link AuditValidationException}
 * with at least one error: it never fails in any other way (which the HTTP edge would turn into
 * a 5xx).
 */
class AuditValidatorPropertiesTest {
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT,
            Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC));

    @Property(tries = 2000)
    void onlyEverAcceptsOrRejectsWithReasons(@ForAll("kinds") AuditKind kind, @ForAll("bodies") Object body) {
        try {
            AuditDraft draft = VALIDATOR.validate(kind, body);
            assertThat(draft.document()).containsKeys("name", "namespace", "phase", "createdAt", "correlationId");
        } catch (AuditValidationException e) {
            assertThat(e.errors()).isNotEmpty();
        }
    }

    @Property(tries = 1000)
    void mutatingAValidRecordNeverBreaksTheValidator(@ForAll("kinds") AuditKind kind,
                                                     @ForAll("fieldNames") String field, @ForAll("values") Object value) {
        Map<String, Object> body = AuditValidatorTest.valid(kind);
        body.put(field, value);
        try {
            VALIDATOR.validate(kind, body);
        } catch (AuditValidationException e) {
            assertThat(e.errors()).allSatisfy(error -> assertThat(error.message()).isNotBlank());
        }
    }

    @Provide
    Arbitrary<AuditKind> kinds() {
        return Arbitraries.of(AuditKind.class);
    }

    @Provide
    Arbitrary<String> fieldNames() {
        return Arbitraries.oneOf(
                Arbitraries.of(AuditKind.REMEDIATION.fields().stream().map(FieldSpec::name).toList()),
                Arbitraries.of("confidence", "exitCode", "step", "workflowName", "model", "recommendedAction"),
                Arbitraries.strings().ofMaxLength(20));
    }

    @Provide
    Arbitrary<Object> values() {
        return Arbitraries.lazyOf(() -> scalars(), () -> Arbitraries.maps(Arbitraries.strings().ofMaxLength(10), scalars()).ofMaxSize(5).map(m -> (Object) m),
                () -> scalars().list().ofMaxSize(5).map(l -> (Object) l));
    }

    @Provide
    Arbitrary<Object> bodies() {
        return Arbitraries.oneOf(
                values(),
                Arbitraries.maps(fieldNames(), values()).ofMaxSize(25).map(m -> (Object) m));
    }

    private static Arbitrary<Object> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300).map(s -> (Object) s),
                Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMaxLength(30).map(s -> (Object) s),
                Arbitraries.of("2026-11-20T10:00:00Z", "2026-11-20T10:00:00", "Pending", "Failed", "info", "",
                        "+999999999-12-31T23:59:59Z", "-000001-01-01T00:00:00Z").map(s -> (Object) s),
                Arbitraries.integers().map(i -> (Object) i),
                Arbitraries.longs().map(l -> (Object) l),
                Arbitraries.bigDecimals().map(d -> (Object) d),
                Arbitraries.of(new BigDecimal("1E+1000000"), new BigDecimal("-1E-1000000")).map(d -> (Object) d),
                Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(null));
    }
}
