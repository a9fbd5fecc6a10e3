package io.datastorage.core.search;

import io.datastorage.core.store.AuditRecord;

import java.util.List;

/**
 * Results best first.
 *
 * @param degraded the index was unavailable and the results come from an exact scan of the newest
 *                 matching records in PostgreSQL
 */
public record SearchResult(List<Hit> hits, boolean degraded) {

    /** A record and how similar it is to the query: cosine similarity, negative values as 0. */
    public record Hit(double score, AuditRecord record) {
    }
}
