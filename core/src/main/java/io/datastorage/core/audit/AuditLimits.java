package io.datastorage.core.audit;

import java.time.Instant;

/** The size and range limits of the audit API. They are part of the contract documented in README.md. */
public final class AuditLimits {
    public static final int MAX_IDENTIFIER_CHARS = 255;
    public static final int MAX_TEXT_BYTES = 10 * 1024;
    public static final int MAX_LABELS = 64;
    public static final int MAX_LABEL_KEY_CHARS = 256;
    public static final int MAX_LABEL_VALUE_CHARS = 1024;
    /** Significant digits a JSON number may have, anywhere in a body (see {@link Numbers}). */
    public static final int MAX_NUMBER_DIGITS = 100;
    /** Largest decimal exponent, in scientific notation, of a JSON number anywhere in a body. */
    public static final int MAX_NUMBER_EXPONENT = 400;
    /** Earliest accepted timestamp (inclusive). */
    public static final Instant MIN_TIMESTAMP = Instant.parse("1970-01-01T00:00:00Z");
    /** Latest accepted timestamp (inclusive). */
    public static final Instant MAX_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999999Z");

    private AuditLimits() {
    }
}
