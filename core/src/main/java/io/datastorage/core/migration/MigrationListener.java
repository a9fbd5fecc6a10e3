package io.datastorage.core.migration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Told what routed writes and shadow reads did, for metrics. Calls are guarded: whatever a
 * listener throws is logged and swallowed, so it never changes an answer.
 */
public interface MigrationListener {
    /** A listener that is told nothing. */
    MigrationListener NONE = new MigrationListener() {
    };

    /** A write of a routed request reached an outcome on {@code store}. */
    default void written(MigrationSide store, WriteOutcome outcome) {
    }

    /** A shadow read compared the secondary with the primary. */
    default void shadowRead(ShadowReadOutcome outcome) {
    }

    /** {@code listener} behind a guard that logs and swallows what it throws. */
    static MigrationListener guarded(MigrationListener listener) {
        Logger log = LoggerFactory.getLogger(MigrationListener.class);
        return new MigrationListener() {
            @Override
            public void written(MigrationSide store, WriteOutcome outcome) {
                try {
                    listener.written(store, outcome);
                } catch (RuntimeException e) {
                    log.error("The migration listener failed in written({}, {}); the outcome stands", store,
                            outcome.value(), e);
                }
            }

            @Override
            public void shadowRead(ShadowReadOutcome outcome) {
                try {
                    listener.shadowRead(outcome);
                } catch (RuntimeException e) {
                    log.error("The migration listener failed in shadowRead({})", outcome.value(), e);
                }
            }
        };
    }
}
