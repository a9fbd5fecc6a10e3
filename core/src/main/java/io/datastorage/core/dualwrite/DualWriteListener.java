package io.datastorage.core.dualwrite;

/** What the coordinator reports, for metrics. Every method has a do-nothing default. */
public interface DualWriteListener {
    DualWriteListener NONE = new DualWriteListener() {
    };

    /** Why a dual-write failed; {@link #label()} is the metric label value. */
    enum FailureReason {
        POSTGRESQL_FAILURE, VECTORDB_FAILURE, VALIDATION_FAILURE, CONTEXT_CANCELED, TRANSACTION_ROLLBACK;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Records committed with their vectors indexed. */
    default void succeeded(int records) {
    }

    default void failed(FailureReason reason) {
    }

    /** Records committed marked "index pending" because the index failed (fallback mode). */
    default void fellBack(int records) {
    }
}
