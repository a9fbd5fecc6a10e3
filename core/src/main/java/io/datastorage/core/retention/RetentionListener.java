package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditKind;

import java.time.YearMonth;

/** What a retention run tells its observer (the metrics). Calls come from the run's thread. */
public interface RetentionListener {
    RetentionListener NONE = new RetentionListener() {
    };

    /** A run planned: what it drops and what holds keep. */
    default void planned(RetentionPlan plan) {
    }

    /** {@code month} of {@code kind} was dropped with its {@code records} records. */
    default void dropped(AuditKind kind, YearMonth month, long records) {
    }
}
