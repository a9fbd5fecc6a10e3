package io.datastorage.core.dualwrite;

import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.core.dualwrite.DualWriteCoordinator.Mode;
import io.datastorage.core.index.VectorIndex;

import java.util.Locale;

/**
 * In which order a write commits its records and upserts their vectors (DESIGN.md, "Write path"
 * and "Many replicas").
 *
 * <ul>
 *   <li>{@link #IN_TRANSACTION}: the vectors are upserted inside the store's transaction, before
 *       the commit. The only order that keeps {@link Mode#STRICT}'s "both or neither": a record
 *       never commits unless its vector is in the index. The transaction (a pooled connection and
 *       the idempotency key's lock) is held across the upsert.</li>
 *   <li>{@link #COMMIT_THEN_INDEX}: fallback mode only. The records commit marked "index pending"
 *       (with the idempotency key), the vectors are upserted with no connection held, and a short
 *       second transaction clears the marks. Whatever fails or stops after the commit leaves
 *       records marked, which the repair worker indexes: the write is never answered as failed
 *       once committed.</li>
 *   <li>{@link #AUTO}: {@link #COMMIT_THEN_INDEX} for a {@linkplain VectorIndex#remote() remote}
 *       index in fallback mode, {@link #IN_TRANSACTION} otherwise.</li>
 * </ul>
 */
public enum WriteOrder {
    AUTO, IN_TRANSACTION, COMMIT_THEN_INDEX;

    /** The value as configured: {@code auto}, {@code in-transaction}, {@code commit-then-index}. */
    public String value() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The order a write in {@code mode} into {@code index} follows: never {@link #AUTO}.
     *
     * @param index null for a service without an index (then nothing is upserted, and the order
     *              is {@link #IN_TRANSACTION})
     * @throws InvalidConfigException {@link #COMMIT_THEN_INDEX} in {@link Mode#STRICT}, naming the
     *                                setting {@code write-order}
     */
    public WriteOrder resolve(VectorIndex index, Mode mode) {
        checkWith(mode);
        if (this != AUTO) {
            return this;
        }
        return index != null && index.remote() && mode == Mode.FALLBACK ? COMMIT_THEN_INDEX : IN_TRANSACTION;
    }

    /**
     * @return this order, when it can keep {@code mode}'s promise
     * @throws InvalidConfigException {@link #COMMIT_THEN_INDEX} in {@link Mode#STRICT}
     */
    public WriteOrder checkWith(Mode mode) {
        if (this == COMMIT_THEN_INDEX && mode == Mode.STRICT) {
            throw new InvalidConfigException("write-order", "must be auto or in-transaction when the index mode is "
                    + "strict (strict stores a record only with its vector, so the vector must be indexed before "
                    + "the commit)", value());
        }
        return this;
    }
}
