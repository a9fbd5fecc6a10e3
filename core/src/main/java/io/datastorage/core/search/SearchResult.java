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

    /**
     * A record and how similar it is to the query.
     *
     * @param score         cosine similarity, negative values as 0
     * @param sameTextCount how many records passing the search's filter share this record's
     *                      vector, this one included: how often its embedded text recurs (in a
     *                      degraded answer, among the records scanned)
     */
    public record Hit(double score, AuditRecord record, long sameTextCount) {
    }
}
