package io.datastorage.core.index;

import java.util.UUID;

/** A search hit: the record id and the cosine similarity of its vector to the query, in [-1, 1]. */
public record IndexHit(UUID id, double score) {
}
