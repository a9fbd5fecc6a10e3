package io.datastorage.core.index;

import java.util.Objects;
import java.util.UUID;

/**
 * A search hit.
 *
 * @param id              the record's id
 * @param score           cosine similarity of the record's vector to the query, in [-1, 1]
 * @param sameVectorCount how many records that pass the search's filter hold exactly this hit's
 *                        vector ({@link VectorIndexes#vectorKey}), the hit included: at least 1.
 *                        With a deterministic model, records share a vector when their embedded
 *                        texts are equal, so this is how often the hit's text recurs.
 */
public record IndexHit(UUID id, double score, long sameVectorCount) {
    public IndexHit {
        Objects.requireNonNull(id, "id");
        if (sameVectorCount < 1) {
            throw new IllegalArgumentException("sameVectorCount must be at least 1, was " + sameVectorCount);
        }
    }

    /** A hit whose vector no other record is known to share. */
    public IndexHit(UUID id, double score) {
        this(id, score, 1);
    }
}
