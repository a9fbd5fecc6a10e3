package io.datastorage.core.dualwrite;

/**
 * What the coordinator reports, for metrics. Every method has a do-nothing default. Each call
 * comes after the outcome it reports is decided; what an implementation throws is logged and
 * ignored, it never changes that outcome.
 */
public interface DualWriteListener {
    DualWriteListener NONE = new DualWriteListener() {
    };

    /**
     * Why a dual-write failed; {@link #label()} is the metric label value. Exactly one reason is
     * reported per failed write, and in every case nothing of it was stored (vectors already
     * upserted are deleted again). An idempotency conflict is the client's mistake, not a failure
     * of the dual-write, and reports none.
     */
    enum FailureReason {
        /**
         * PostgreSQL refused or could not do a step of the write (connection, claiming the
         * idempotency key, the insert, the commit): the store threw its own exception, transient or
         * not. Counted whether or not the vectors had already been upserted.
         */
        POSTGRESQL_FAILURE,
        /** Strict mode only: the index did not take the vectors, so the write was rolled back. */
        VECTORDB_FAILURE,
        /** The coordinator refused its input before writing (no records, a vector of the wrong dimension). */
        VALIDATION_FAILURE,
        /**
         * The request's deadline passed, or the request was {@linkplain Deadline#cancel() cancelled},
         * before the commit.
         */
        CONTEXT_CANCELED,
        /**
         * The transaction was rolled back because of an error that is none of the above: neither
         * the store's nor the index's way of failing, so a defect (e.g. an unexpected exception in
         * the store or in the code run inside its transaction).
         */
        TRANSACTION_ROLLBACK;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Records committed with their vectors indexed. */
    default void succeeded(int records) {
    }

    default void failed(FailureReason reason) {
    }

    /**
     * Records committed marked "index pending" because the index failed (fallback mode); writing
     * {@link WriteOrder#COMMIT_THEN_INDEX}, also those whose upsert was skipped (deadline passed
     * after the commit) or whose marks could not be cleared.
     */
    default void fellBack(int records) {
    }
}
