package io.datastorage.core.embedding;

import io.datastorage.core.audit.AuditKind;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The text of a record that is embedded: what the record is about, in words.
 *
 * <p>Recipe (documented in README.md; changing it changes every vector, so it is versioned by
 * {@link #RECIPE}): the listed fields of the kind, in this order, each that is present and not
 * blank, joined by a newline; when none is, the record's {@code name}.
 * <ul>
 *   <li>remediation: signalName, rootCause, action, message</li>
 *   <li>aianalysis: rootCause, recommendedAction, message</li>
 *   <li>workflow: workflowName, step, action, message</li>
 *   <li>execution: action, targetType, targetName, message</li>
 * </ul>
 * Values are used verbatim. Truncation to the model's window is the embedder's job.
 */
public final class EmbeddingText {
    /** Part of cache keys: bump when the recipe changes. */
    public static final String RECIPE = "text-v1";

    private static final Map<AuditKind, List<String>> FIELDS = Map.of(
            AuditKind.REMEDIATION, List.of("signalName", "rootCause", "action", "message"),
            AuditKind.AI_ANALYSIS, List.of("rootCause", "recommendedAction", "message"),
            AuditKind.WORKFLOW, List.of("workflowName", "step", "action", "message"),
            AuditKind.EXECUTION, List.of("action", "targetType", "targetName", "message"));

    private EmbeddingText() {
    }

    /** The fields that make up the text of a kind, in order. */
    public static List<String> fields(AuditKind kind) {
        return FIELDS.get(kind);
    }

    public static String of(AuditKind kind, Map<String, Object> document) {
        Objects.requireNonNull(kind, "kind");
        StringJoiner text = new StringJoiner("\n");
        for (String field : FIELDS.get(kind)) {
            if (document.get(field) instanceof String value && !value.isBlank()) {
                text.add(value);
            }
        }
        return text.length() > 0 ? text.toString() : String.valueOf(document.get("name"));
    }
}
