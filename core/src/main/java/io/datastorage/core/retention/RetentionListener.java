package io.datastorage.core.retention;

import io.datastorage.core.audit.AuditKind;

/** What a retention run tells its observer (the metrics). Calls come from the run's thread. */
public interface RetentionListener {
    RetentionListener NONE = new RetentionListener() {
    };

    /** A run planned: what it drops and what holds keep. */
    default void planned(RetentionPlan plan) {
    }

    /** A month of {@code kind} was dropped with {@code records} records. */
    default void dropped(AuditKind kind, long records) {
    }
}
