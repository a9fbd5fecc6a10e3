package io.datastorage.core.audit;

/** How a field's value is checked. Limits are part of the API contract, not configuration. */
public enum FieldType {
    /** A non-blank string of at most {@value AuditLimits#MAX_IDENTIFIER_CHARS} characters. */
    IDENTIFIER,
    /** A string of at most {@value AuditLimits#MAX_TEXT_BYTES} bytes in UTF-8; may be empty. */
    TEXT,
    /** An ISO-8601 date-time with an offset, e.g. {@code 2026-11-20T10:15:30Z}. */
    TIMESTAMP,
    /** One of {@link Phase}. */
    PHASE,
    /** One of {@link Severity}. */
    SEVERITY,
    /** An object of string to string, bounded in entries and lengths. */
    LABELS,
    /** A number from 0 to 1 inclusive. */
    CONFIDENCE,
    /** A whole number that fits in 32 bits. */
    EXIT_CODE
}
