package io.datastorage.core.audit;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.datastorage.core.audit.FieldSpec.optional;
import static io.datastorage.core.audit.FieldSpec.required;
import static io.datastorage.core.audit.FieldType.CONFIDENCE;
import static io.datastorage.core.audit.FieldType.EXIT_CODE;
import static io.datastorage.core.audit.FieldType.IDENTIFIER;
import static io.datastorage.core.audit.FieldType.LABELS;
import static io.datastorage.core.audit.FieldType.PHASE;
import static io.datastorage.core.audit.FieldType.SEVERITY;
import static io.datastorage.core.audit.FieldType.TEXT;
import static io.datastorage.core.audit.FieldType.TIMESTAMP;

/**
 * The four kinds of audit record and the fields each one accepts.
 *
 * <p>Every kind shares {@code name}, {@code namespace}, {@code phase}, {@code createdAt} and
 * {@code correlationId} (required) and {@code message}, {@code startedAt}, {@code completedAt},
 * {@code labels} (optional); each adds its own fields. The order of {@link #fields()} is the
 * canonical order in which a stored record is written back to clients.
 */
public enum AuditKind {
    REMEDIATION("remediation",
            required("signalType", IDENTIFIER), required("signalName", IDENTIFIER),
            required("signalNamespace", IDENTIFIER), required("targetType", IDENTIFIER),
            required("targetName", IDENTIFIER), required("targetNamespace", IDENTIFIER),
            optional("severity", SEVERITY), optional("rootCause", TEXT), optional("action", IDENTIFIER)),
    AI_ANALYSIS("aianalysis",
            optional("rootCause", TEXT), optional("recommendedAction", TEXT),
            optional("confidence", CONFIDENCE), optional("model", IDENTIFIER)),
    WORKFLOW("workflow",
            required("workflowName", IDENTIFIER), required("step", IDENTIFIER), optional("action", IDENTIFIER)),
    EXECUTION("execution",
            required("targetType", IDENTIFIER), required("targetName", IDENTIFIER),
            required("targetNamespace", IDENTIFIER), required("action", IDENTIFIER),
            optional("exitCode", EXIT_CODE));

    /** Fields every kind has. In a holder class: enum constructors cannot read the enum's statics. */
    private static final class Shared {
        static final List<FieldSpec> FIELDS = List.of(
            required("correlationId", IDENTIFIER),
            required("name", IDENTIFIER),
            required("namespace", IDENTIFIER),
            required("phase", PHASE),
            required("createdAt", TIMESTAMP),
            optional("startedAt", TIMESTAMP),
            optional("completedAt", TIMESTAMP),
            optional("message", TEXT),
            optional("labels", LABELS));
    }

    private final String pathName;
    private final Map<String, FieldSpec> fields;

    AuditKind(String pathName, FieldSpec... own) {
        this.pathName = pathName;
        this.fields = Collections.unmodifiableMap(Stream.concat(Shared.FIELDS.stream(), Arrays.stream(own))
                .collect(Collectors.toMap(FieldSpec::name, f -> f, (a, b) -> a, LinkedHashMap::new)));
    }

    /** The name used in URLs and in stored rows: {@code remediation}, {@code aianalysis}, ... */
    public String pathName() {
        return pathName;
    }

    /** Accepted fields in canonical order. */
    public List<FieldSpec> fields() {
        return List.copyOf(fields.values());
    }

    Optional<FieldSpec> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    public static Optional<AuditKind> fromPathName(String name) {
        for (AuditKind kind : values()) {
            if (kind.pathName.equals(name)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /** {@code remediation, aianalysis, workflow, execution}: for error messages. */
    public static String allowedPathNames() {
        return Arrays.stream(values()).map(AuditKind::pathName).collect(Collectors.joining(", "));
    }

    /**
     * Returns the document with its fields in canonical order (storage engines such as jsonb may
     * reorder keys). Fields unknown to this kind are kept, last, in their given order.
     */
    public Map<String, Object> canonicalOrder(Map<String, Object> document) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String name : fields.keySet()) {
            if (document.containsKey(name)) {
                ordered.put(name, document.get(name));
            }
        }
        document.forEach(ordered::putIfAbsent);
        return ordered;
    }
}
