package io.datastorage.core.integrity;

import java.util.Objects;
import java.util.UUID;

/**
 * The first link of a chain that does not hold.
 *
 * @param seq      the position of the broken link; {@code null} for {@link Reason#UNSEALED_TOO_LONG}
 * @param recordId the record at that position; {@code null} when there is none (a missing link, a
 *                 head beyond the last record)
 * @param detail   what was found, in words (never a key)
 */
public record BrokenLink(ChainId chain, Long seq, UUID recordId, Reason reason, String detail) {
    public BrokenLink {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    /** Why a link does not hold. */
    public enum Reason {
        /**
         * The link recomputed from the record's content and the previous link is not the stored
         * hash, or a column derived from the record's document no longer matches it.
         */
        CONTENT_CHANGED("content-changed"),
        /** A position of the chain has no record (a record was deleted). */
        MISSING_LINK("missing-link"),
        /** The record's stored hash is a link of this chain, but of another position (positions swapped, moved). */
        OUT_OF_ORDER("out-of-order"),
        /** The chain's last record is not its head (the last records deleted, or the head rewritten), or a chain verified before has no head (erased). */
        HEAD_MISMATCH("head-mismatch"),
        /** Records wait longer than the sealing delay and a margin for their link: the sealer does not run. */
        UNSEALED_TOO_LONG("unsealed-too-long");

        private final String wireName;

        Reason(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
