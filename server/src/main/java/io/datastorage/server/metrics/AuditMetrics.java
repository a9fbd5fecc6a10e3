package io.datastorage.server.metrics;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.FieldError;
import io.datastorage.core.audit.FieldSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The write-path meters. Every label value comes from a closed set (kinds, outcomes, the schema's
 * field names), so client input can never grow the number of series.
 */
@Component
public class AuditMetrics {
    /** How a write request ended. */
    public enum Outcome { CREATED, REPLAYED, INVALID, CONFLICT, REJECTED, UNAVAILABLE, ERROR }

    private static final Pattern BATCH_INDEX = Pattern.compile("^\\[\\d+]\\.?");
    private static final Set<String> FIELD_NAMES = Arrays.stream(AuditKind.values())
            .flatMap(k -> k.fields().stream()).map(FieldSpec::name).collect(Collectors.toUnmodifiableSet());

    private final MeterRegistry registry;
    private final Timer duration;

    public AuditMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.duration = Timer.builder("datastorage.write.duration")
                .description("Time to handle a write request, from body read to answer")
                .publishPercentileHistogram()
                .register(registry);
    }

    public Timer.Sample start() {
        return Timer.start(registry);
    }

    public void record(Timer.Sample sample, AuditKind kind, Outcome outcome) {
        sample.stop(duration);
        Counter.builder("datastorage.write")
                .description("Write requests by kind and outcome")
                .tag("kind", kind == null ? "unknown" : kind.pathName())
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .register(registry)
                .increment();
    }

    public void validationFailures(Iterable<FieldError> errors) {
        for (FieldError error : errors) {
            Counter.builder("datastorage.validation.failures")
                    .description("Rejected fields, by field name (unknown fields and body-level errors pooled)")
                    .tag("field", fieldLabel(error))
                    .register(registry)
                    .increment();
        }
    }

    static String fieldLabel(FieldError error) {
        String field = BATCH_INDEX.matcher(error.field()).replaceFirst("");
        int dot = field.indexOf('.');
        String head = dot < 0 ? field : field.substring(0, dot);
        return switch (head) {
            case "" -> "body";
            // Request-level inputs, rejected before the body is read.
            case "kind" -> "kind";
            case "Idempotency-Key" -> "idempotency_key";
            default -> FIELD_NAMES.contains(head) ? head : "unknown_field";
        };
    }
}
